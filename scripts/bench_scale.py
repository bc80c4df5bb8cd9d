"""Benchmark: one learner's pages cost the same on a small site and on a large one.

    DJANGO_DEBUG=0 DJANGO_SECRET_KEY=x .venv/bin/python scripts/bench_scale.py [--runs N]

Two seeded databases, each built in its own process (a temporary SQLite file; with DATABASE_URL set, a test_ copy
of that PostgreSQL database, dropped at the end):

- small: the official decks, one study group of 5 learners, 1,000 reviews between them;
- large: the same group of 5 with the same histories, among 200 learners, plus 2,000 cards in the others' own decks
  (half of them shared in the others' groups) and 200,000 reviews in all.

The measured learner (the group's owner) then requests the review page, grades the card it shows and undoes that
grade (undo restores the card exactly, so every run sees the same state), their home page, a section dashboard, the
group's page and the weakest-considerations practice page, --runs rounds through the Django test client. The two
databases' processes take the rounds in turns, so that a burst of load from elsewhere on a shared machine falls on
both sides of a ratio alike (measured one after the other, one pass read every page 1.4-1.9x on the large site, the
home page too). The script prints each page's median in both databases, large over small (target: at most 1.3) and
the query counts (target: the same), and exits 1 when a target is missed.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, date, datetime

from throwaway_db import PLAIN_STORAGES, throwaway_database

NOW = datetime(2026, 3, 12, 19, 0, tzinfo=UTC)  # 14:00 in New York, on study day END
END = date(2026, 3, 12)
RATIO_TARGET = 1.3
PAGES = ("review", "grade", "undo", "home", "section", "group", "practice")
SCALES = {
    # learners, reviews, own cards (their decks owned by learners outside the measured group)
    "small": (5, 1_000, 0),
    "large": (200, 200_000, 2_000),
}
GROUP_REVIEWS = 200  # each member of the measured group, at both scales


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=30, help="timed requests per page (bounded to 3..100)")
    parser.add_argument("--scale", choices=SCALES, help=argparse.SUPPRESS)  # one scale's process (the child)
    args = parser.parse_args()
    runs = max(3, min(args.runs, 100))
    if args.scale:
        serve(args.scale)
        return 0

    # Each scale in its own process and database, both built at once; then one round of every page in each, in
    # turns (the order flipping every round), with two warm-up rounds not kept.
    errors = tempfile.TemporaryFile("w+")  # noqa: SIM115 (closed in finally): the children's logs, read if one fails
    children = {
        scale: subprocess.Popen(
            [sys.executable, __file__, "--scale", scale],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=errors,
            text=True,
        )
        for scale in SCALES
    }
    timings = {scale: {page: [] for page in PAGES} for scale in SCALES}
    queries: dict[str, dict[str, int]] = {}
    try:
        for scale, child in children.items():
            print(f"{scale}: {ask(child, None)['built']}")
        started = time.perf_counter()
        for n in range(runs + 2):
            for scale in SCALES if n % 2 == 0 else reversed(SCALES):
                answer = ask(children[scale], "round")
                queries[scale] = answer["queries"]
                for page in PAGES:
                    if n >= 2:
                        timings[scale][page].append(answer["ms"][page])
        print(f"measured in turns in {time.perf_counter() - started:.0f} s")
    except ChildFailed as failure:
        errors.seek(0)
        print(f"{failure}\n{errors.read()[-3000:]}", file=sys.stderr)
        return 1
    finally:
        for child in children.values():
            if child.poll() is None:
                child.stdin.close()  # the child drops its database and exits
                child.wait(timeout=300)
        errors.close()
    results = {
        scale: {page: {"median_ms": statistics.median(timings[scale][page]), "queries": queries[scale][page]}
                for page in PAGES}
        for scale in SCALES
    }  # fmt: skip

    vendor = os.environ.get("DATABASE_URL", "sqlite").split(":", 1)[0]
    print(f"\n{vendor}, median of {runs} requests by the measured learner")
    print(f"{'page':<10}{'small ms':>10}{'large ms':>10}{'large/small':>13}{'queries':>14}   verdict")
    failed = False
    for page in PAGES:
        small, large = results["small"][page], results["large"][page]
        ratio = large["median_ms"] / small["median_ms"]
        ok = ratio <= RATIO_TARGET and small["queries"] == large["queries"]
        failed |= not ok
        print(
            f"{page:<10}{small['median_ms']:>10.1f}{large['median_ms']:>10.1f}{ratio:>12.2f}x"
            f"{small['queries']:>7} / {large['queries']:<5}  {'met' if ok else 'MISSED'}"
        )
    verdict = "MISSED" if failed else "met"
    print(f"target: large/small <= {RATIO_TARGET} and the same queries, for every page: {verdict}")
    return 1 if failed else 0


class ChildFailed(Exception):
    pass


def ask(child: subprocess.Popen, command: str | None) -> dict:
    """Send a scale's process a command (None: wait for it to be built) and read its answer, one line of JSON after
    ANSWER (the app's logs may print other lines)."""
    if command is not None:
        child.stdin.write(command + "\n")
        child.stdin.flush()
    for line in child.stdout:
        if line.startswith(ANSWER):
            return json.loads(line[len(ANSWER) :])
    child.wait(timeout=60)
    raise ChildFailed(f"a scale's process exited with {child.returncode}")


ANSWER = "ANSWER "


def serve(scale: str) -> None:
    """The child: build this scale's database, say so, then time one round of the pages per line on stdin."""
    with throwaway_database(suffix=scale):
        from django.db import connection

        from accounts.models import User
        from cards.models import Card, Review

        started = time.perf_counter()
        learner, group, section = seed(*SCALES[scale])
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")  # as a long-lived database would have been
        # What is alive now (Django, the app, about 110,000 objects at either scale) out of the collector's reach: a
        # full collection of it takes about 30 ms and falls on whichever page is being timed, in one process or the
        # other; the review page takes 2.
        gc.collect()
        gc.freeze()
        built = (
            f"{User.objects.count()} learners, {Card.objects.count():,} cards, {Review.objects.count():,} reviews, "
            f"built in {time.perf_counter() - started:.0f} s"
        )
        print(ANSWER + json.dumps({"built": built}), flush=True)
        rounds = page_rounds(learner, group, section)
        for line in sys.stdin:
            if line.strip() == "round":
                print(ANSWER + json.dumps(next(rounds)), flush=True)


def seed(learners: int, reviews: int, own_cards: int):
    """The measured group first, with the same seeds at every scale, then everyone else."""
    from accounts.models import Membership, StudyGroup
    from cards.loader import load_all_editions
    from cards.models import Card, Deck, DeckShare, Section
    from tests.factories import UserFactory, current_edition, seed_history

    load_all_editions()
    edition = current_edition()
    official = list(Card.objects.filter(deck__owner__isnull=True, deck__edition=edition, retired=False))
    members = [UserFactory(username=f"member{i}", time_zone="America/New_York") for i in range(5)]
    group = StudyGroup.objects.create(name="Measured group", slug="measured")
    for i, member in enumerate(members):
        Membership.objects.create(group=group, user=member, role="owner" if i == 0 else "member")
        seed_history(member, official, reviews=GROUP_REVIEWS, end=END, days=60, seed=i)

    others = [UserFactory(username=f"other{i}", time_zone="Europe/Berlin") for i in range(learners - 5)]
    rng = random.Random(7)
    decks = []
    for i in range(own_cards // 50):  # decks of 50 cards, owned by the first others
        owner = others[i]
        deck = Deck.objects.create(title=f"Own deck {i}", slug=f"own-{i}", owner=owner)
        Card.objects.bulk_create(
            Card(
                deck=deck, consideration=rng.choice(official).consideration, front=f"Own question {i}.{n}?",
                back=f"Own answer {i}.{n}.", position=n,
            )
            for n in range(50)
        )  # fmt: skip
        decks.append(deck)
        if i % 2 == 0:  # every other deck shared in its owner's own group, with two more of the others in it
            other_group = StudyGroup.objects.create(name=f"Other group {i}", slug=f"other-{i}")
            for role, user in (("owner", owner), ("member", others[i + 1]), ("member", others[i + 2])):
                Membership.objects.create(group=other_group, user=user, role=role)
            DeckShare.objects.create(deck=deck, group=other_group)
    each, extra = divmod(reviews - GROUP_REVIEWS * len(members), max(len(others), 1))
    for i, other in enumerate(others):
        own = list(Card.objects.filter(deck__owner=other)) if i < len(decks) else []
        seed_history(other, official + own, reviews=each + (i < extra), end=END, days=365, seed=100 + i)
    section = Section.objects.filter(edition=edition).order_by("number").first()
    return members[0], group, section


def page_rounds(learner, group, section):
    """Rounds of every page, one per next(): each page's milliseconds and queries."""
    import time_machine
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, override_settings
    from django.urls import reverse

    timings: dict[str, float] = {}
    queries: dict[str, int] = {}

    def timed(page: str, method: str, url: str, data=None, expect=(200,)):
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            response = getattr(client, method)(url, data or {})
            timings[page] = (time.perf_counter() - started) * 1000
        assert response.status_code in expect, (page, response.status_code)
        queries[page] = len(captured.captured_queries)  # the same every run (and pinned by tests/test_queries.py)
        return response

    get_pages = {
        "home": reverse("home"),
        "section": reverse("section_dashboard", args=[section.slug]),
        "group": reverse("group_detail", args=[group.slug]),
        "practice": reverse("section_practice", args=[section.slug]),
    }
    with override_settings(STORAGES=PLAIN_STORAGES, SECURE_SSL_REDIRECT=False), time_machine.travel(NOW, tick=True):
        client = Client()
        client.force_login(learner)
        while True:
            page = timed("review", "get", reverse("review"))
            queue = page.context["queue"]
            assert queue.card is not None, "the measured learner has nothing due"
            version = queue.progress.version if queue.progress else 0
            data = {"card": queue.card.id, "version": version, "quality": 4}
            timed("grade", "post", reverse("grade"), data, expect=(302,))
            timed("undo", "post", reverse("undo"), expect=(302,))
            for name, url in get_pages.items():
                timed(name, "get", url)
            yield {"ms": dict(timings), "queries": dict(queries)}


if __name__ == "__main__":
    sys.exit(main())
