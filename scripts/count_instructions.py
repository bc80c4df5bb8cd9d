"""Instructions a request costs, counted by valgrind: a figure that does not move with the machine's load.

On a shared machine a timing moves by a third from one run to the next, so a change worth 2% cannot be seen in
``make bench``; the number of instructions the CPU runs for the same requests on the same data moves by about 0.1%.
This counts them for the review page (full GET, as wrk asks for it: no gzip) or the HTMX loop (show the answer,
grade 4, the next card comes back; the count is per request, half of them grades), on the bench's seeded SQLite
data (``scripts/bench.py``'s ``seed``: 16 learners, about 130 cards due and 160 new each).

    .venv/bin/python scripts/count_instructions.py [--page review|loop] [--requests 50]

It seeds a database in a temporary directory, then runs itself under ``valgrind --tool=callgrind`` with counting
off, serves 20 requests to warm up, and counts only the measured ones (``callgrind_control`` switches counting on
and off around them). Compare two commits by running it on each: the same data, the same requests. Needs valgrind
(``apt-get install valgrind``); takes about a minute. Not a test: it prints a figure.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WARM_UP = 20


def settings_env(workdir: Path) -> dict:
    return {
        "DJANGO_SETTINGS_MODULE": "pmle.settings",
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": "count-instructions-" + "k3Vn8Zp0Lr7Tw2Ys5Hb9Jd4Fg6Mc1Xa-Ue_Ri0Oq8Pt3",
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DJANGO_SECURE_SSL_REDIRECT": "0",
        "DJANGO_LOG_LEVEL": "WARNING",
        "SQLITE_PATH": str(workdir / "count.sqlite3"),
    }


def prepare(workdir: Path) -> None:
    """The bench's seeded data, and the learners' cookies and CSRF tokens beside it."""
    os.environ.update(settings_env(workdir))
    sys.path[:0] = [str(ROOT), str(ROOT / "scripts")]
    import django

    django.setup()
    import bench
    from django.core.management import call_command
    from django.db import connection

    call_command("collectstatic", interactive=False, verbosity=0)
    call_command("migrate", verbosity=0)
    call_command("createcachetable", verbosity=0)
    seeded = bench.seed()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    connection.close()
    (workdir / "seeded.json").write_text(json.dumps(seeded))


class Requests:
    """WSGI requests straight to the app, as gunicorn would hand them over."""

    def __init__(self, application, seeded: dict) -> None:
        self.application, self.seeded = application, seeded
        self.cards: dict[int, str] = {}  # learner -> the card on their screen

    def environ(self, learner: int, method: str, path: str, query: str = "", body: bytes = b"", **extra) -> dict:
        return {
            "REQUEST_METHOD": method,
            "PATH_INFO": path,
            "QUERY_STRING": query,
            "SERVER_NAME": "127.0.0.1",
            "SERVER_PORT": "80",
            "SERVER_PROTOCOL": "HTTP/1.1",
            "HTTP_HOST": "127.0.0.1",
            "HTTP_COOKIE": self.seeded["cookies"][learner],
            "wsgi.url_scheme": "http",
            "wsgi.input": io.BytesIO(body),
            "wsgi.errors": sys.stderr,
            **extra,
        }

    def send(self, environ: dict) -> str:
        status = []
        body = b"".join(self.application(environ, lambda s, headers, exc_info=None: status.append(s)))
        if not status[0].startswith("200"):
            sys.exit(f"{environ['REQUEST_METHOD']} {environ['PATH_INFO']} answered {status[0]}")
        return body.decode()

    def review_page(self, learner: int) -> None:
        self.send(self.environ(learner, "GET", "/review/"))

    def first_card(self, learner: int) -> None:
        html = self.send(self.environ(learner, "GET", "/review/", HTTP_HX_REQUEST="true"))
        self.cards[learner] = re.search(r'data-card="(\d+)"', html).group(1)

    def reveal_and_grade(self, learner: int) -> None:
        """Two requests: show the answer (the grade form carries the progress version), then grade it 4."""
        card = self.cards[learner]
        html = self.send(self.environ(learner, "GET", "/review/", f"reveal={card}", HTTP_HX_REQUEST="true"))
        version = re.search(r'name="version" value="(\d+)"', html).group(1)
        form = f"card={card}&version={version}&quality=4".encode()
        headers = {
            "CONTENT_TYPE": "application/x-www-form-urlencoded",
            "CONTENT_LENGTH": str(len(form)),
            "HTTP_X_CSRFTOKEN": self.seeded["tokens"][learner],
            "HTTP_HX_REQUEST": "true",
        }
        html = self.send(self.environ(learner, "POST", "/review/grade/", body=form, **headers))
        self.cards[learner] = re.search(r'data-card="(\d+)"', html).group(1)  # the next card comes back


def measure(workdir: Path, page: str, requests: int) -> None:
    """Under valgrind: warm up with counting off, then count the measured requests only."""
    os.environ.update(settings_env(workdir))
    sys.path[:0] = [str(ROOT)]
    from pmle.wsgi import application

    app = Requests(application, json.loads((workdir / "seeded.json").read_text()))
    learners = len(app.seeded["cookies"])
    if page == "loop":
        for learner in range(learners):
            app.first_card(learner)
        step, per_step = app.reveal_and_grade, 2
    else:
        step, per_step = app.review_page, 1
    for n in range(WARM_UP // per_step):
        step(n % learners)
    subprocess.run(["callgrind_control", "--instr=on", str(os.getpid())], check=True, capture_output=True)
    for n in range(requests // per_step):
        step(n % learners)
    subprocess.run(["callgrind_control", "--instr=off", str(os.getpid())], check=True, capture_output=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--page", choices=["review", "loop"], default="review")
    parser.add_argument("--requests", type=int, default=50, help="requests counted (2-1000; even for the loop)")
    parser.add_argument("--measure", type=Path, help=argparse.SUPPRESS)  # the run under valgrind
    args = parser.parse_args()
    if not 2 <= args.requests <= 1000 or (args.page == "loop" and args.requests % 2):
        parser.error("--requests must be from 2 to 1000, and even for the loop (reveal and grade in pairs)")
    if args.measure:
        measure(args.measure, args.page, args.requests)
        return
    if not shutil.which("valgrind"):
        sys.exit("valgrind is missing: apt-get install valgrind")
    workdir = Path(tempfile.mkdtemp(prefix="pmle-count-"))
    try:
        prepare(workdir)
        command = [
            *("valgrind", "--tool=callgrind", "--instr-atstart=no", f"--callgrind-out-file={workdir / 'cg.out'}"),
            *(sys.executable, __file__, "--page", args.page, "--requests", str(args.requests)),
            *("--measure", str(workdir)),
        ]
        run = subprocess.run(command, capture_output=True, text=True, cwd=ROOT, timeout=1800)
        counted = re.search(r"I\s+refs:\s+([\d,]+)", run.stderr)
        if run.returncode != 0 or counted is None:
            sys.exit(f"the run under valgrind failed:\n{run.stderr[-3000:]}")
        total = int(counted.group(1).replace(",", ""))
        per_request = total / args.requests / 1e6
        print(f"{args.page}: {per_request:.2f} million instructions a request ({args.requests} counted)")
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
