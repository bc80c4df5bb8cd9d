"""Two requests grading the same card at the same moment: exactly one review is recorded (PostgreSQL)."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections
from django.test import Client
from django.urls import reverse

from cards.models import Progress, Review
from tests.factories import CardFactory, DeckFactory, UserFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _postgres_only():
    if connection.vendor != "postgresql":
        pytest.fail("run this module against PostgreSQL (make test-postgres); `make test` deselects it")


def race(user, data: dict, threads: int = 2) -> list[int]:
    barrier = threading.Barrier(threads)
    statuses: list[int] = []

    def worker() -> None:
        client = Client()
        client.force_login(user)
        try:
            barrier.wait(timeout=10)
            statuses.append(client.post(reverse("grade"), data).status_code)
        finally:
            connections.close_all()

    workers = [threading.Thread(target=worker) for _ in range(threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join(timeout=30)
    return statuses


@pytest.mark.parametrize("attempt", range(5))
def test_two_requests_grading_a_new_card_at_once_record_one_review(attempt):
    user = UserFactory()
    card = CardFactory(deck=DeckFactory(owner=None))
    statuses = race(user, {"card": card.id, "version": 0, "quality": 4})
    assert statuses == [302, 302]
    assert Review.objects.filter(user=user, card=card).count() == 1
    progress = Progress.objects.get(user=user, card=card)
    assert (progress.review_count, progress.version, progress.repetitions) == (1, 1, 1)


@pytest.mark.parametrize("attempt", range(5))
def test_two_requests_grading_a_due_card_at_once_record_one_review(attempt):
    user = UserFactory()
    card = CardFactory(deck=DeckFactory(owner=None))
    client = Client()
    client.force_login(user)
    client.post(reverse("grade"), {"card": card.id, "version": 0, "quality": 5})
    Progress.objects.filter(user=user, card=card).update(due="2000-01-01")
    statuses = race(user, {"card": card.id, "version": 1, "quality": 5}, threads=3)
    assert statuses == [302, 302, 302]
    assert Review.objects.filter(user=user, card=card).count() == 2
    progress = Progress.objects.get(user=user, card=card)
    assert (progress.review_count, progress.version, progress.interval) == (2, 2, 6)
