"""Load test: gunicorn as the image runs it, on loopback, with a realistic mix of learners; prints figures.

    python scripts/load.py [--clients 32] [--seconds 60] [--database sqlite|postgres]

It makes a fresh database (a SQLite file in a temporary directory, or the PostgreSQL database ``pmle_load`` on
127.0.0.1, dropped and created again), migrates it, loads the official decks and one account per client, starts
gunicorn with the Dockerfile's settings (DEBUG off, gunicorn.conf.py: workers from the CPU count) on 127.0.0.1,
and runs the clients: each logs in, then loops over review, show answer, grade (HTMX), now and then an undo, the
home and a section dashboard, and a live preview of pathological Markdown. A separate probe asks /healthz every
half second. Afterwards it stops gunicorn and runs ``check_progress`` on the same database.

Bounded: at most 64 clients, 120 seconds and 500,000 requests; it talks only to 127.0.0.1. Not a test: it prints
requests, p50/p99 latency per kind, 5xx, "database is locked" lines in the server log, the health check's worst
answer, and what check_progress said.
"""

from __future__ import annotations

import argparse
import http.client
import multiprocessing
import os
import random
import re
import secrets
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"  # loopback only, whatever the arguments
MAX_CLIENTS, MAX_SECONDS, MAX_REQUESTS = 64, 120, 500_000
PASSWORD = "load-test-pass-phrase-9"
ERRORS: Counter = Counter()  # connection-level failures (status 599 below): no answer at all
# Pathological Markdown: runs of '[' (quadratic in Python-Markdown) just under the symbol limit, which are rendered,
# and far over it, which the form refuses before any parsing.
PATHOLOGICAL = ["[" * 499 + "x" * 400, "[" * 990 + "(" * 5, "*_" * 490 + "`" * 10]


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def manage(env: dict, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=600
    )


def prepare(database: str, clients: int, workdir: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_") and k != "DATABASE_URL"}
    env |= {
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_ALLOWED_HOSTS": HOST,
        "DJANGO_SECURE_SSL_REDIRECT": "0",  # plain HTTP on loopback; TLS is the proxy's job in production
        "DJANGO_LOG_LEVEL": "WARNING",
        "PREVIEW_RATE_PER_MINUTE": "60",
    }
    if database == "postgres":
        for sql in ("DROP DATABASE IF EXISTS pmle_load", "CREATE DATABASE pmle_load"):
            subprocess.run(["psql", "-h", HOST, "-U", "postgres", "-qc", sql], check=True)
        env["DATABASE_URL"] = f"postgres://postgres@{HOST}:5432/pmle_load"
    else:
        env["SQLITE_PATH"] = str(workdir / "load.sqlite3")
    steps = [("collectstatic", "--noinput"), ("migrate", "--noinput"), ("createcachetable",), ("load_pmle",)]
    for step in (*steps, ("load_questions",)):  # as the image's build and start do
        result = manage(env, *step)
        if result.returncode:
            sys.exit(f"{' '.join(step)} failed:\n{result.stderr}")
    script = (
        "from accounts.models import User\n"
        f"for n in range({clients}):\n"
        f"    u = User.objects.create_user('load{{}}'.format(n), 'load{{}}@example.com'.format(n), '{PASSWORD}')\n"
        "    u.new_cards_per_day = 1000\n"
        "    u.save()\n"
    )
    result = manage(env, "shell", "-c", script)
    if result.returncode:
        sys.exit(f"creating accounts failed:\n{result.stderr}")
    return env


class Client:
    """One learner: a connection, a cookie jar of two cookies, and the CSRF token."""

    def __init__(self, port: int, n: int) -> None:
        self.conn = http.client.HTTPConnection(HOST, port, timeout=30)
        self.cookies: dict[str, str] = {}
        self.username = f"load{n}"

    def request(self, method: str, path: str, data: dict | None = None, htmx: bool = False) -> tuple[int, str]:
        # A new connection per request, as the load balancer in front would open them to an instance: a reused
        # one that the server closed while idle fails without having been served, which is not the app's doing.
        headers = {
            "Host": HOST,
            "Connection": "close",
            "Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items()),
        }
        body = None
        if data is not None:
            body = urlencode(data, doseq=True)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["X-CSRFToken"] = self.cookies.get("csrftoken", "")
        if htmx:
            headers["HX-Request"] = "true"
        try:
            self.conn.request(method, path, body=body, headers=headers)
            response = self.conn.getresponse()
            text = response.read().decode("utf-8", "replace")
        except (OSError, http.client.HTTPException) as error:
            self.conn.close()
            self.error = type(error).__name__
            ERRORS[self.error] += 1
            return 599, ""
        for header, value in response.getheaders():
            if header.lower() == "set-cookie":
                name, _, rest = value.partition("=")
                self.cookies[name] = rest.split(";")[0]
        return response.status, text

    def log_in(self) -> bool:
        self.request("GET", "/accounts/login/")
        status, _ = self.request("POST", "/accounts/login/", {"username": self.username, "password": PASSWORD})
        return status == 302


def probe(port: int, stop_at: float, results) -> None:
    """GET /healthz every half second until ``stop_at``; the answer times (ms, inf for no answer) go to ``results``."""
    health: list[float] = []
    while time.monotonic() < stop_at:
        started = time.monotonic()
        try:
            conn = http.client.HTTPConnection(HOST, port, timeout=5)
            conn.request("GET", "/healthz", headers={"Host": HOST})
            ok = conn.getresponse().status == 200
            conn.close()
        except OSError:
            ok = False
        health.append((time.monotonic() - started) * 1000 if ok else float("inf"))
        time.sleep(0.5)
    results.put(health)


def percentile(values: list[float], p: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(p * len(ordered)))]


def run(port: int, clients: int, seconds: float, section_slug: str) -> dict:
    # Everyone logs in first, outside the figures: a login is a deliberate 0.5 s of password hashing, and 32 at
    # once say nothing about studying. The clock starts when the last one is in.
    logged_in = [Client(port, n) for n in range(clients)]
    with ThreadPoolExecutor(max_workers=4) as pool:
        ok = list(pool.map(Client.log_in, logged_in))
    if not all(ok):
        sys.exit(f"{ok.count(False)} of {clients} learners could not log in")
    stop_at = time.monotonic() + seconds
    timings: dict[str, list[float]] = defaultdict(list)
    statuses: dict[str, Counter] = defaultdict(Counter)
    lock = threading.Lock()
    total = [0]

    def record(kind: str, started: float, status: int) -> None:
        with lock:
            timings[kind].append((time.monotonic() - started) * 1000)
            statuses[kind][status] += 1
            total[0] += 1

    def timed(client: Client, kind: str, method: str, path: str, data=None, htmx=False) -> tuple[int, str]:
        started = time.monotonic()
        status, text = client.request(method, path, data, htmx)
        record(kind, started, status)
        return status, text

    def learner(n: int) -> None:
        client = logged_in[n]
        rng = random.Random(n)
        last = None
        while time.monotonic() < stop_at and total[0] < MAX_REQUESTS:
            roll = rng.random()
            if roll < 0.55:
                _, page = timed(client, "review", "GET", "/review/", htmx=True)
                match = re.search(r"\?reveal=(\d+)", page)
                if not match:
                    continue
                _, page = timed(client, "reveal", "GET", f"/review/?reveal={match.group(1)}", htmx=True)
                card = re.search(r'name="card" value="(\d+)"', page)
                version = re.search(r'name="version" value="(\d+)"', page)
                if card and version:
                    data = {"card": card.group(1), "version": version.group(1), "quality": rng.choice([2, 3, 4, 5])}
                    _, page = timed(client, "grade", "POST", "/review/grade/", data, htmx=True)
                    found = re.search(r'name="last" value="(\d+)"', page)
                    last = found.group(1) if found else last
            elif roll < 0.65:
                data = {"last": last} if last else {}
                timed(client, "undo", "POST", "/review/undo/", data, htmx=True)
                last = None
            elif roll < 0.80:
                timed(client, "home", "GET", "/")
            elif roll < 0.93:
                timed(client, "section", "GET", f"/sections/{section_slug}/")
            else:
                timed(
                    client,
                    "preview",
                    "POST",
                    "/decks/preview/",
                    {"front": rng.choice(PATHOLOGICAL), "back": "x"},
                    htmx=True,
                )

    # The probe runs in its own process, as a load balancer does: inside this one it would wait for the GIL behind
    # the 32 client threads, and that wait (the client's, not the server's) once read as a slow health check.
    results = multiprocessing.get_context("fork").SimpleQueue()
    prober = multiprocessing.get_context("fork").Process(target=probe, args=(port, stop_at, results))
    prober.start()  # before any thread starts: a fork copies only the calling thread
    threads = [threading.Thread(target=learner, args=(n,)) for n in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=seconds + 60)
    prober.join(timeout=30)
    health = results.get() if not results.empty() else [float("inf")]
    return {"timings": timings, "statuses": statuses, "health": health}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
    args = parser.parse_args()
    clients = max(1, min(args.clients, MAX_CLIENTS))
    seconds = max(1.0, min(args.seconds, MAX_SECONDS))

    workdir = Path(tempfile.mkdtemp(prefix="pmle-load-"))
    server = None
    try:
        env = prepare(args.database, clients, workdir)
        first_section = "Section.objects.filter(edition__is_current=True).order_by('number')[0].slug"
        code = f"from cards.models import Section; print({first_section})"
        slug = manage(env, "shell", "-c", code).stdout.strip().splitlines()[-1]
        port = free_port()
        log = open(workdir / "server.log", "w")  # noqa: SIM115 - closed in finally
        server = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "pmle.wsgi:application", "--config", "gunicorn.conf.py",
             "--bind", f"{HOST}:{port}"],
            cwd=ROOT, env=env | {"PORT": str(port)}, stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip
        for _ in range(240):  # until a worker answers, so the figures do not include gunicorn's start
            try:
                conn = http.client.HTTPConnection(HOST, port, timeout=2)
                conn.request("GET", "/healthz", headers={"Host": HOST})
                if conn.getresponse().status == 200:
                    break
            except OSError:
                pass
            time.sleep(0.25)
        workers = int(env.get("WEB_CONCURRENCY") or os.cpu_count() * 2 + 1)
        print(f"{args.database}: {clients} clients for {seconds:.0f} s against gunicorn ({workers} workers) on {HOST}")
        figures = run(port, clients, seconds, slug)
        server.terminate()
        server.wait(timeout=60)
        log.close()
        server_log = (workdir / "server.log").read_text(errors="replace")
        check = manage(env, "check_progress")
        report(figures, seconds, server_log, check)
    finally:
        if server is not None and server.poll() is None:
            server.kill()
        shutil.rmtree(workdir, ignore_errors=True)


def report(figures: dict, seconds: float, server_log: str, check: subprocess.CompletedProcess) -> None:
    timings, statuses, health = figures["timings"], figures["statuses"], figures["health"]
    every = [ms for values in timings.values() for ms in values]
    fivexx = sum(n for counter in statuses.values() for code, n in counter.items() if 500 <= code < 599)
    print(f"requests: {len(every)} ({len(every) / seconds:.0f}/s)   p50 {statistics.median(every):.0f} ms   "
          f"p99 {percentile(every, 0.99):.0f} ms   5xx: {fivexx}")  # fmt: skip
    for kind in sorted(timings):
        values = timings[kind]
        codes = ", ".join(f"{code}: {n}" for code, n in sorted(statuses[kind].items()))
        p50, p99 = statistics.median(values), percentile(values, 0.99)
        print(f"  {kind:8} {len(values):6}  p50 {p50:6.0f} ms  p99 {p99:6.0f} ms  [{codes}]")
    print(f"no answer (connection errors): {dict(ERRORS) or 0}")
    worst = max(health) if health else float("nan")
    print(f"health checks: {len(health)}, worst {worst:.0f} ms, over 1 s: {sum(ms > 1000 for ms in health)}")
    print(f"'database is locked' in the server log: {server_log.count('database is locked')}")
    said = (check.stdout + check.stderr).strip().splitlines()
    print(f"check_progress (exit {check.returncode}): {said[-1] if said else ''}")


if __name__ == "__main__":
    main()
