"""Benchmark: the section dashboard for a learner with 100,000 reviews must render in under 150 ms.

    DJANGO_DEBUG=0 DJANGO_SECRET_KEY=x .venv/bin/python scripts/bench_dashboard.py [--reviews N] [--runs N]

Builds a throwaway database (a temporary SQLite file; with DATABASE_URL set, a test_ copy of that PostgreSQL
database, dropped at the end), loads the official deck, bulk-creates one learner's history (100,000 reviews over two
years across every card, seeded, so every run measures the same data), then requests each section's dashboard
through the Django test client and prints the median, fastest and slowest of a bounded number of runs, plus the
query count. Exits 1 when the slowest section's median is 150 ms or more.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from datetime import UTC, date, datetime

from throwaway_db import PLAIN_STORAGES, throwaway_database

BUDGET_MS = 150.0
NOW = datetime(2026, 3, 12, 19, 0, tzinfo=UTC)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reviews", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=15, help="timed requests per page (bounded to 1..100)")
    parser.add_argument(
        "--shuffled",
        action="store_true",
        help="store the reviews in random order rather than in time order (the log is appended to in time order, "
        "so this is a pessimistic physical layout: every row read is a random page)",
    )
    args = parser.parse_args()
    runs = max(1, min(args.runs, 100))

    with throwaway_database():
        return _measure(args, runs)


def _measure(args, runs: int) -> int:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, override_settings
    from django.urls import reverse

    from cards.loader import load_all_editions
    from cards.models import Card, Review, Section
    from tests.factories import UserFactory, seed_history

    started = time.perf_counter()
    load_all_editions()
    learner = UserFactory(username="bench", time_zone="America/New_York")
    cards = list(Card.objects.filter(retired=False))
    seed_history(learner, cards, reviews=args.reviews, end=date(2026, 3, 12), days=730)
    if args.shuffled:
        _shuffle_reviews(learner)
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")  # as a long-lived database would have been
    print(
        f"{connection.vendor}: {Review.objects.filter(user=learner).count():,} reviews "
        f"({'random' if args.shuffled else 'time'} order on disk), {len(cards)} cards, "
        f"built in {time.perf_counter() - started:.1f} s; {runs} timed runs per page after 2 warm-ups"
    )

    with override_settings(STORAGES=PLAIN_STORAGES, SECURE_SSL_REDIRECT=False):
        client = Client()
        client.force_login(learner)
        import time_machine

        with time_machine.travel(NOW, tick=True):
            pages = [("home", reverse("home"))] + [
                (f"section {s.number}", reverse("section_dashboard", args=[s.slug]))
                # the learner's edition only: another edition's section page sends them home
                for s in Section.objects.filter(edition__is_current=True)
            ]
            worst = 0.0
            for name, url in pages:
                timings, queries = _time(client, url, runs, CaptureQueriesContext, connection)
                median = statistics.median(timings)
                if name.startswith("section"):
                    worst = max(worst, median)
                print(
                    f"  {name:<10} {url:<60} median {median:6.1f} ms  min {min(timings):6.1f}  "
                    f"max {max(timings):6.1f}  queries {queries}"
                )
    verdict = "OK" if worst < BUDGET_MS else "TOO SLOW"
    print(f"section dashboard, slowest section's median: {worst:.1f} ms (budget {BUDGET_MS:.0f} ms): {verdict}")
    return 0 if worst < BUDGET_MS else 1


def _shuffle_reviews(learner) -> None:
    """Rewrite the learner's reviews in a random (seeded) physical order."""
    import random

    from cards.models import Review

    rows = list(Review.objects.filter(user=learner))
    random.Random(1).shuffle(rows)
    Review.objects.filter(user=learner).delete()
    for row in rows:
        row.pk = None
    Review.objects.bulk_create(rows, batch_size=5000)


def _time(client, url: str, runs: int, capture, connection) -> tuple[list[float], int]:
    for _ in range(2):
        assert client.get(url).status_code == 200
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        response = client.get(url)
        timings.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, response.status_code
    with capture(connection) as captured:
        client.get(url)
    return timings, len(captured.captured_queries)


if __name__ == "__main__":
    sys.exit(main())
