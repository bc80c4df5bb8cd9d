"""A learner's own data: the archive holds all of it, and deleting the account takes exactly theirs: a shared deck
passes to the group's owner, a group is never left without an owner, and nobody else loses anything."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from datetime import UTC, datetime

import pytest
from django.urls import reverse

from accounts.models import Membership, StudyGroup, User
from cards.models import Card, Deck, Progress, Review
from tests.factories import (
    CardFactory,
    DeckFactory,
    DeckShareFactory,
    MembershipFactory,
    ProgressFactory,
    ReviewFactory,
    StudyGroupFactory,
)

NOON = datetime(2026, 6, 10, 12, tzinfo=UTC)


@pytest.fixture
def life(learner, member, outsider):
    """The learner owns a private deck and a deck shared with a group that the member owns; both study it."""
    group = StudyGroupFactory(name="Team", slug="team")
    MembershipFactory(group=group, user=member, role="owner")
    MembershipFactory(group=group, user=learner, role="editor")
    private = DeckFactory(owner=learner, title="Private notes", slug="private-notes")
    shared = DeckFactory(owner=learner, title="Team deck", slug="team-deck", is_public=True)
    DeckShareFactory(deck=shared, group=group)
    private_card = CardFactory(deck=private, front="Private?", consideration=None)
    shared_card = CardFactory(deck=shared, front="Shared?", consideration=None, tags="team")
    for user in (learner, member):
        ProgressFactory(user=user, card=shared_card, repetitions=1, interval=1, due=NOON.date(), version=1)
        ReviewFactory(user=user, card=shared_card, grade=4, reviewed_at=NOON, study_day=NOON.date(), kind="new")
    ReviewFactory(user=learner, card=private_card, grade=3, reviewed_at=NOON, study_day=NOON.date(), kind="new")
    return {"group": group, "private": private, "shared": shared, "shared_card": shared_card}


def test_the_archive_holds_settings_decks_reviews_and_progress(learner_client, learner, life):
    response = learner_client.get(reverse("data_download"))
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    zf = zipfile.ZipFile(io.BytesIO(response.content))
    names = set(zf.namelist())
    assert names == {
        "settings.json", "decks/private-notes.json", "decks/team-deck.json", "reviews.csv", "progress.csv",
        "exam_attempts.csv",
    }  # fmt: skip
    settings = json.loads(zf.read("settings.json"))
    assert settings["username"] == "learner" and settings["groups"][0]["role"] == "editor"
    deck = json.loads(zf.read("decks/team-deck.json"))
    assert deck["cards"][0]["front"] == "Shared?" and deck["cards"][0]["tags"] == ["team"]
    reviews = list(csv.DictReader(io.StringIO(zf.read("reviews.csv").decode())))
    assert sorted(r["deck"] for r in reviews) == ["private-notes", "team-deck"]  # only the learner's own reviews
    progress = list(csv.DictReader(io.StringIO(zf.read("progress.csv").decode())))
    assert [(p["deck"], p["interval"]) for p in progress] == [("team-deck", "1")]


def test_deleting_the_account_takes_only_the_learners_own(learner_client, learner, member, life):
    page = learner_client.get(reverse("my_data")).content.decode()
    assert "Your deck <strong>Private notes</strong> is deleted with its cards." in page
    assert "it passes to the group's owner, member" in page
    response = learner_client.post(reverse("delete_account"), {"username": "learner"})
    assert response.status_code == 302 and response["Location"] == reverse("login")
    assert not User.objects.filter(username="learner").exists()
    assert not Deck.objects.filter(slug="private-notes").exists()
    shared = Deck.objects.get(slug="team-deck")
    assert (shared.owner, shared.is_public) == (member, False)
    assert shared.shares.filter(group=life["group"]).exists() and shared.cards.count() == 1
    # The member's own progress and reviews on the deck are untouched; the learner's are gone.
    assert Progress.objects.filter(user=member, card=life["shared_card"]).exists()
    assert Review.objects.filter(user=member).count() == 1
    assert Review.objects.count() == 1 and Progress.objects.count() == 1
    assert learner_client.get(reverse("home")).status_code == 302  # logged out


@pytest.mark.parametrize("typed", ["Learner", "learner2", "", "member"])
def test_a_wrong_confirmation_deletes_nothing(learner_client, learner, life, typed):
    response = learner_client.post(reverse("delete_account"), {"username": typed})
    assert response.status_code == 400
    assert User.objects.filter(id=learner.id).exists() and Card.objects.count() == 2


def test_the_only_owner_of_a_group_must_hand_it_over_first(learner_client, learner, member, life):
    solo = StudyGroupFactory(name="My group", slug="my-group")
    MembershipFactory(group=solo, user=learner, role="owner")
    MembershipFactory(group=solo, user=member, role="member")
    page = learner_client.get(reverse("my_data")).content.decode()
    assert "You are the only owner of" in page and "My group" in page
    response = learner_client.post(reverse("delete_account"), {"username": "learner"})
    assert response.status_code == 400
    assert "hand it over or delete it first" in response.content.decode()
    assert User.objects.filter(id=learner.id).exists()
    assert Membership.objects.filter(group=solo, role="owner").get().user == learner
    # Once the group has another owner, the account goes and the group stays with them.
    Membership.objects.filter(group=solo, user=member).update(role="owner")
    assert learner_client.post(reverse("delete_account"), {"username": "learner"}).status_code == 302
    assert StudyGroup.objects.filter(slug="my-group").exists()


def test_the_data_pages_need_a_login(client):
    assert client.get(reverse("my_data")).status_code == 302
    assert client.get(reverse("data_download")).status_code == 302
    assert client.post(reverse("delete_account"), {"username": "x"}).status_code == 302


def test_the_data_page_costs_the_same_queries_with_more_shared_decks(learner, learner_client, member, life):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as one:
        learner_client.get(reverse("my_data"))
    for n in range(3):
        group = StudyGroupFactory(slug=f"more-{n}")
        MembershipFactory(group=group, user=member, role="owner")
        DeckShareFactory(deck=DeckFactory(owner=learner, slug=f"shared-{n}"), group=group)
    with CaptureQueriesContext(connection) as four:
        page = learner_client.get(reverse("my_data")).content.decode()
    assert page.count("passes to the group's owner, member") == 4
    assert len(four.captured_queries) == len(one.captured_queries)
