"""The review screen and the grade POST issue the same number of queries at 10 and at 1,000 cards."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cards.models import Card, Progress, Review
from cards.queue_sql import recount_days
from tests.factories import ConsiderationFactory, DeckFactory

HTMX = {"HTTP_HX_REQUEST": "true"}
# (review page with the answer shown, grade POST): session + user, today's counts with the latest review and the
# extra new cards asked for (one query), the grades of the cards graded below 4 today and which of them may be
# drilled (two queries, only on a day with such a grade), the studied decks' ids with the content version, the due
# cards, the learner's started cards (the exam deck's curriculum order is cached; own and group decks: none here,
# so no query), and the next card with its progress (one query). The POST: session + user, the graded card in its
# scope, a savepoint, the learner's row lock (PostgreSQL only: SQLite's IMMEDIATE transaction already holds the
# write lock), the card's progress, the same plan of the queue as the page's (seven queries) to check the card is
# in it, the due counts around the new due day (load balancing), the progress and the review written, the day's
# counts (DayCounts) raised, the savepoint released; with HTMX the next card with its progress (one query), the
# plan updated by the grade rather than made again.
PINNED = {False: (9, 16), True: (9, 17)}


def pinned(htmx: bool) -> tuple[int, int]:
    page, grade = PINNED[htmx]
    return page, grade + (connection.vendor != "sqlite")


def build(learner, n: int) -> list[Card]:
    """n cards, a third of them due today, some graded today, half of those below 4 (so the re-drill has entries)."""
    deck = DeckFactory(owner=None)
    consideration = ConsiderationFactory()
    cards = Card.objects.bulk_create(
        Card(deck=deck, consideration=consideration, front=f"Q{i}?", back=f"A{i}.", position=i) for i in range(n)
    )
    Progress.objects.bulk_create(
        Progress(user=learner, card=c, repetitions=2, interval=6, due=date(2026, 6, 10), review_count=2, version=2)
        for c in cards[: n // 3]
    )
    reviewed_today = cards[-max(n // 10, 2) :]
    Progress.objects.bulk_create(
        Progress(user=learner, card=c, repetitions=2, interval=6, due=date(2026, 6, 16), review_count=2, version=2)
        for c in reviewed_today
    )
    for n, c in enumerate(reviewed_today):
        Review.objects.create(
            user=learner, card=c, reviewed_at=datetime(2026, 6, 10, 9, tzinfo=UTC), study_day=date(2026, 6, 10),
            grade=2 if n % 2 else 4, kind="scheduled", before_repetitions=1, before_easiness=2.5, before_interval=1,
            before_lapses=0, before_review_count=1, after_repetitions=2, after_easiness=2.5, after_interval=6,
            after_due=date(2026, 6, 16),
        )  # fmt: skip
    recount_days(learner.id)  # written here in bulk, so counted as a whole, as the grades would have counted them
    return cards


def count(client, method: str, url: str, data=None, **extra) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = getattr(client, method)(url, data or {}, **extra)
    assert response.status_code in (200, 302)
    return len(ctx.captured_queries)


@pytest.mark.parametrize("htmx", [False, True])
def test_review_page_and_grade_post_queries_do_not_grow_with_the_deck(learner, client, htmx):
    extra = HTMX if htmx else {}
    counts = {}
    with time_machine.travel(datetime(2026, 6, 10, 12, tzinfo=UTC), tick=False):
        for n in (10, 1000):
            Review.objects.all().delete()
            Progress.objects.all().delete()
            Card.objects.all().delete()
            cards = build(learner, n)
            client.force_login(learner)
            card = cards[0]
            client.get(reverse("review"))  # the exam deck's order is cached once per content version: warm
            page = count(client, "get", reverse("review"), {"reveal": card.id}, **extra)
            grade = count(client, "post", reverse("grade"), {"card": card.id, "version": 2, "quality": 4}, **extra)
            assert Review.objects.filter(card=card).count() == 1  # the grade was recorded
            counts[n] = (page, grade)
    assert counts[10] == counts[1000] == pinned(htmx)
