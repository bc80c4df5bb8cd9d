"""Benchmark the review screen: page render and grade POST for a learner with a long history.

Prints figures; not a test. Uses a throwaway SQLite file (or DATABASE_URL if set, at your own risk: it writes).
    DJANGO_DEBUG=0 DJANGO_SECRET_KEY=x .venv/bin/python scripts/bench_review.py [--reviews 20000] [--runs 50]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pmle.settings")
if not os.environ.get("DATABASE_URL"):
    os.environ["SQLITE_PATH"] = str(Path(tempfile.mkdtemp()) / "bench.sqlite3")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--reviews", type=int, default=20_000)
    parser.add_argument("--runs", type=int, default=50)
    args = parser.parse_args()

    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.test import Client
    from django.test.utils import setup_test_environment
    from django.urls import reverse

    from accounts.models import User
    from cards.loader import load_all_editions
    from cards.models import Card, Progress, Review

    setup_test_environment()  # the client then exposes response.context
    settings.SECURE_SSL_REDIRECT = False
    settings.STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
    call_command("migrate", verbosity=0)
    load_all_editions()
    user, _ = User.objects.get_or_create(username="bench")
    user.max_reviews_per_day = 5000
    user.save()
    Review.objects.filter(user=user).delete()
    Progress.objects.filter(user=user).delete()

    cards = list(Card.objects.filter(retired=False).order_by("id"))
    today = datetime.now(UTC).date()
    start = today - timedelta(days=730)
    reviews = []
    for i in range(args.reviews):
        card = cards[i % len(cards)]
        day = start + timedelta(days=i * 730 // args.reviews)
        reviews.append(
            Review(
                user=user,
                card=card,
                reviewed_at=datetime.combine(day, datetime.min.time(), UTC) + timedelta(hours=12),
                study_day=day,
                grade=(i * 7) % 6,
                kind="scheduled",
                before_repetitions=1,
                before_easiness=2.5,
                before_interval=6,
                before_lapses=0,
                before_review_count=1,
                after_repetitions=2,
                after_easiness=2.5,
                after_interval=6,
                after_due=day + timedelta(days=6),
            )  # fmt: skip
        )
    Review.objects.bulk_create(reviews, batch_size=5000)
    Progress.objects.bulk_create(
        Progress(user=user, card=c, repetitions=2, interval=6, due=today - timedelta(days=i % 30), review_count=2)
        for i, c in enumerate(cards[: len(cards) // 2])
    )

    client = Client()
    client.force_login(user)
    client.get(reverse("review"))  # warm up
    page, grade = [], []
    for _ in range(args.runs):
        t = time.perf_counter()
        response = client.get(reverse("review"))
        page.append((time.perf_counter() - t) * 1000)
        queue = response.context["queue"]
        t = time.perf_counter()
        client.post(reverse("grade"), {"card": queue.card.id, "version": queue.version, "quality": 4})
        grade.append((time.perf_counter() - t) * 1000)

    engine = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
    print(f"database: {engine}; {len(cards)} cards, {args.reviews:,} reviews in the log, {args.runs} runs")
    for name, values in (("review page GET", page), ("grade POST", grade)):
        values.sort()
        print(
            f"{name:16} median {statistics.median(values):6.1f} ms   p90 {values[int(len(values) * 0.9)]:6.1f} ms"
            f"   max {values[-1]:6.1f} ms"
        )


if __name__ == "__main__":
    main()
