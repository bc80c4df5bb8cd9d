"""A study day's counts (DayCounts): written with each grade and undo, in the same transaction, they always equal
what the day's reviews still standing add up to, and migration 0025 counted the days before it."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime

import pytest
import time_machine
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse

from cards.models import DayCounts, Progress, Review
from cards.queue_sql import recount_days
from cards.reviews import Scope, build_queue
from tests.factories import CardFactory, DeckFactory, ReviewFactory, UserFactory

NOON = datetime(2026, 6, 10, 12, 0, tzinfo=UTC)
TODAY = date(2026, 6, 10)


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOON, tick=False) as traveller:
        yield traveller


def counts(user) -> tuple[int, int, int] | None:
    return DayCounts.objects.filter(user=user, study_day=TODAY).values_list("scheduled", "new", "low").first()


def counts_from_reviews(user) -> tuple[int, int, int]:
    standing = Review.objects.filter(user=user, study_day=TODAY, undone_at__isnull=True)
    graded = standing.filter(kind__in=[Review.Kind.SCHEDULED, Review.Kind.NEW, Review.Kind.DRILL])
    return (
        standing.filter(kind=Review.Kind.SCHEDULED).count(),
        standing.filter(kind=Review.Kind.NEW).count(),
        graded.filter(grade__lt=4).count(),
    )


def grade(client, card, quality: int):
    progress = Progress.objects.filter(card=card).first()
    data = {"card": card.id, "version": progress.version if progress else 0, "quality": quality}
    return client.post(reverse("grade"), data)


def test_grades_and_undos_keep_the_days_counts_equal_to_its_reviews(learner_client, learner):
    """New cards, due ones and re-drills, grades above and below 4, undone in between: after every step the
    counts equal the reviews' sums."""
    deck = DeckFactory(owner=learner)
    cards = [CardFactory(deck=deck) for _ in range(6)]
    for card in cards[:3]:  # three due today, three new
        Progress.objects.create(user=learner, card=card, repetitions=2, interval=6, due=TODAY)
    rng = random.Random(13)
    for step in range(40):
        queue = build_queue(learner, Scope(), NOON)
        if queue.card is None:
            break
        if rng.random() < 0.25:
            learner_client.post(reverse("undo"))
        else:
            assert grade(learner_client, queue.card, rng.choice([1, 2, 3, 4, 5])).status_code == 302
        assert counts(learner) == counts_from_reviews(learner), f"after step {step}"
    kinds = set(Review.objects.filter(user=learner).values_list("kind", flat=True))
    assert kinds == {Review.Kind.SCHEDULED, Review.Kind.NEW, Review.Kind.DRILL}  # every kind was graded
    assert Review.objects.filter(user=learner, undone_at__isnull=False).exists()  # and undone


def test_a_stale_grade_counts_nothing_and_practice_counts_towards_no_limit(learner_client, learner):
    card = CardFactory(deck=DeckFactory(owner=learner))
    assert grade(learner_client, card, 2).status_code == 302
    assert counts(learner) == (0, 1, 1)
    stale = learner_client.post(reverse("grade"), {"card": card.id, "version": 0, "quality": 5})
    assert stale.status_code == 302 and counts(learner) == (0, 1, 1)  # the double submission recorded nothing
    ReviewFactory(user=learner, card=card, kind=Review.Kind.PRACTICE, grade=1)
    ReviewFactory(user=learner, card=card, kind=Review.Kind.MOVED, grade=None)
    assert counts(learner) == (0, 1, 1)


def test_the_counts_set_the_days_limits(learner_client, learner):
    """The queue reads its limits from the counts: a learner whose day's counts say 20 new cards gets none more."""
    learner.new_cards_per_day = 20
    learner.save()
    CardFactory(deck=DeckFactory(owner=learner))
    assert build_queue(learner, Scope(), NOON).new_count == 1
    DayCounts.objects.create(user=learner, study_day=TODAY, new=20)
    assert build_queue(learner, Scope(), NOON).new_count == 0


def test_recounting_a_bulk_written_history_gives_what_grading_it_gave(learner_client, learner):
    card = CardFactory(deck=DeckFactory(owner=learner))
    assert grade(learner_client, card, 1).status_code == 302
    assert grade(learner_client, card, 4).status_code == 302  # the re-drill
    graded = counts(learner)
    DayCounts.objects.all().delete()
    recount_days(learner.id)
    assert counts(learner) == graded == (0, 1, 1)


@pytest.mark.django_db(transaction=True)
def test_the_migration_counts_the_days_before_it():
    executor = MigrationExecutor(connection)
    executor.migrate([("cards", "0024_review_card_user_day_index")])
    learner, other = UserFactory(), UserFactory()
    card = CardFactory()
    row = {"card": card, "reviewed_at": NOON, "before_repetitions": 0, "before_easiness": 2.5,
           "before_interval": 0, "before_lapses": 0, "before_review_count": 0, "after_repetitions": 1,
           "after_easiness": 2.5, "after_interval": 1}  # fmt: skip
    Review.objects.bulk_create(
        [
            Review(user=learner, study_day=TODAY, kind=Review.Kind.NEW, grade=2, **row),
            Review(user=learner, study_day=TODAY, kind=Review.Kind.DRILL, grade=3, **row),
            Review(user=learner, study_day=TODAY, kind=Review.Kind.SCHEDULED, grade=5, **row),
            Review(user=learner, study_day=TODAY, kind=Review.Kind.SCHEDULED, grade=1, undone_at=NOON, **row),
            Review(user=learner, study_day=TODAY, kind=Review.Kind.PRACTICE, grade=0, **row),
            Review(user=learner, study_day=date(2026, 6, 9), kind=Review.Kind.SCHEDULED, grade=4, **row),
            Review(user=other, study_day=TODAY, kind=Review.Kind.MOVED, grade=None, **row),
        ]
    )
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
    assert counts(learner) == (1, 1, 2)
    assert DayCounts.objects.get(user=learner, study_day=date(2026, 6, 9)).scheduled == 1
    assert not DayCounts.objects.filter(user=other).exists()
