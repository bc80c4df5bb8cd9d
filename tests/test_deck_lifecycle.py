"""Retired cards can be restored; an own deck can be deleted, after a page that names what goes with it, unless a
group studies it. Anyone else's deck is a 404 on the delete page and its POST."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import time_machine
from django.urls import reverse

from cards.models import Card, Deck, DeckShare, Progress, Review
from exams.models import Attempt, AttemptQuestion, Question
from tests.factories import (
    CardFactory,
    ConsiderationFactory,
    DeckFactory,
    DeckShareFactory,
    MembershipFactory,
    ProgressFactory,
    ReviewFactory,
    StudyGroupFactory,
    UserFactory,
)

NOON = datetime(2026, 6, 10, 12, 0, tzinfo=UTC)
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOON, tick=False):
        yield


@pytest.fixture
def deck(learner):
    deck = DeckFactory(slug="mine", title="My notes", owner=learner)
    CardFactory(deck=deck, front="What is a feature store?")
    CardFactory(deck=deck, front="What is Vertex AI Pipelines?")
    return deck


@pytest.mark.parametrize("htmx", [False, True])
def test_a_retired_card_is_restored_with_the_progress_learners_had(learner_client, learner, deck, htmx):
    card = deck.cards.first()
    ProgressFactory(user=learner, card=card, due=NOON.date(), interval=4, repetitions=2)
    learner_client.post(reverse("card_retire", args=["mine", card.id]))
    page = learner_client.get(reverse("deck_detail", args=["mine"])).content.decode()
    assert reverse("card_restore", args=["mine", card.id]) in page
    response = learner_client.post(reverse("card_restore", args=["mine", card.id]), **(HTMX if htmx else {}))
    if htmx:
        assert response.status_code == 200 and 'id="card-list"' in response.content.decode()
    else:
        assert response.status_code == 302
    card.refresh_from_db()
    assert not card.retired
    assert Progress.objects.get(card=card).interval == 4
    assert card.id in learner_client.get(reverse("review")).context["queue"].due_ids


def test_restoring_a_card_that_is_not_retired_is_a_400_that_changes_nothing(learner_client, deck):
    card = deck.cards.first()
    response = learner_client.post(reverse("card_restore", args=["mine", card.id]))
    assert response.status_code == 400
    assert "not retired" in response.content.decode()


@pytest.mark.parametrize(("role", "status"), [(None, 404), ("member", 403), ("editor", 302)])
def test_restoring_needs_the_right_to_edit_the_deck(client, deck, role, status):
    card = deck.cards.first()
    Card.objects.filter(id=card.id).update(retired=True)
    visitor = UserFactory(username="visitor")
    if role:
        group = StudyGroupFactory()
        MembershipFactory(group=group, user=visitor, role=role)
        DeckShareFactory(deck=deck, group=group)
    client.force_login(visitor)
    assert client.post(reverse("card_restore", args=["mine", card.id])).status_code == status
    assert Card.objects.get(id=card.id).retired is (status != 302)


def test_the_delete_page_names_the_cards_and_the_learners_and_deleting_removes_them(learner_client, learner, deck):
    former = UserFactory(username="former-member")  # studied it through a group that no longer shares it
    for user in (learner, former):
        ReviewFactory(user=user, card=deck.cards.first())
        ProgressFactory(user=user, card=deck.cards.first(), due=NOON.date(), interval=1)
    other = CardFactory(deck=DeckFactory(owner=learner))
    page = learner_client.get(reverse("deck_delete", args=["mine"])).content.decode()
    assert "What is a feature store?" in page and "What is Vertex AI Pipelines?" in page
    assert "<strong>2 cards</strong>" in page
    assert "<strong>2 learners</strong> (you and 1 other" in page
    assert Deck.objects.filter(slug="mine").exists()  # the page itself deletes nothing
    response = learner_client.post(reverse("deck_delete", args=["mine"]))
    assert response.status_code == 302 and response.url == reverse("deck_list")
    assert not Deck.objects.filter(slug="mine").exists()
    assert not Card.objects.filter(deck_id=deck.id).exists()
    assert not Review.objects.filter(card__deck_id=deck.id).exists() and Review.objects.count() == 0
    assert Card.objects.filter(id=other.id).exists()


def test_a_deck_a_group_shares_is_not_deleted(learner_client, learner, deck):
    group = StudyGroupFactory(name="Crew")
    MembershipFactory(group=group, user=learner, role="owner")
    DeckShareFactory(deck=deck, group=group)
    page = learner_client.get(reverse("deck_delete", args=["mine"])).content.decode()
    assert "A group studies this deck" in page and "Crew" in page
    response = learner_client.post(reverse("deck_delete", args=["mine"]))
    assert response.status_code == 400
    assert Deck.objects.filter(slug="mine").exists() and DeckShare.objects.count() == 1 and Card.objects.count() == 2


def test_a_deck_whose_questions_are_in_quiz_results_is_not_deleted(learner_client, learner, deck):
    question = Question.objects.create(consideration=ConsiderationFactory(), deck=deck, stem="Which one?")
    attempt = Attempt.objects.create(
        user=learner, edition=question.consideration.objective.section.edition, kind="quiz", title="Quiz",
        started_at=NOON, current_since=NOON, question_count=1,
    )  # fmt: skip
    AttemptQuestion.objects.create(attempt=attempt, question=question, position=1, option_order=[])
    response = learner_client.post(reverse("deck_delete", args=["mine"]))
    assert response.status_code == 400
    assert "quiz results" in response.content.decode()
    assert Deck.objects.filter(slug="mine").exists() and Card.objects.count() == 2


@pytest.mark.parametrize("who", ["outsider", "member", "editor", "public"])
def test_anyone_elses_deck_is_a_404_on_the_delete_page_and_its_post(client, deck, who):
    visitor = UserFactory(username="visitor")
    if who in ("member", "editor"):
        group = StudyGroupFactory()
        MembershipFactory(group=group, user=visitor, role=who)
        DeckShareFactory(deck=deck, group=group)
    if who == "public":
        Deck.objects.filter(id=deck.id).update(is_public=True)
    client.force_login(visitor)
    assert client.get(reverse("deck_delete", args=["mine"])).status_code == 404
    assert client.post(reverse("deck_delete", args=["mine"])).status_code == 404
    assert Deck.objects.filter(slug="mine").exists()


def test_the_official_deck_cannot_be_deleted(learner_client, db):
    DeckFactory(slug="official", owner=None)
    assert learner_client.post(reverse("deck_delete", args=["official"])).status_code == 404
    assert Deck.objects.filter(slug="official").exists()


def test_the_delete_form_needs_csrf(learner, deck):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(learner)
    assert client.post(reverse("deck_delete", args=["mine"])).status_code == 403
    assert Deck.objects.filter(slug="mine").exists()
