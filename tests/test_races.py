"""Grades, undos, edits and hand-overs racing each other, on whichever database the suite runs on.

SQLite runs them on a file (settings: the test database is not the shared in-memory one); PostgreSQL runs them
with real row locks (``make test-postgres``). Each race ends with ``check_progress`` replaying every learner's log:
zero mismatches. The deterministic tests beside them pin the decisions the locks protect.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest
from django.core.management import call_command
from django.db import connections
from django.test import Client
from django.urls import reverse

from accounts import groups
from accounts.models import Membership
from cards.models import Card, Deck, Progress, Review
from tests.factories import CardFactory, DeckFactory, MembershipFactory, StudyGroupFactory, UserFactory

ROUNDS = 6


def run_at_once(*calls: Callable[[], int]) -> list[int]:
    """Start every call at the same moment, each on its own thread and database connection; their results."""
    barrier = threading.Barrier(len(calls))
    results: list[int] = [0] * len(calls)
    errors: list[BaseException] = []

    def worker(i: int, call: Callable[[], int]) -> None:
        try:
            barrier.wait(timeout=10)
            results[i] = call()
        except BaseException as error:  # noqa: BLE001 - reported to the test below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(i, c)) for i, c in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not errors, errors
    return results


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def post(client: Client, url: str, data: dict | None = None) -> Callable[[], int]:
    return lambda: client.post(url, data or {}).status_code


def progress_replays_cleanly() -> None:
    call_command("check_progress", stdout=open("/dev/null", "w"))  # noqa: SIM115 - raises CommandError on a mismatch


def learner_with_new_cards(n: int = 3, **prefs) -> tuple:
    user = UserFactory(**prefs)
    deck = DeckFactory(owner=user)
    return user, [CardFactory(deck=deck, position=p) for p in range(n)]


# --- Undo -------------------------------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("attempt", range(ROUNDS))
def test_undo_racing_a_grade_leaves_progress_equal_to_the_replayed_log(attempt):
    user, cards = learner_with_new_cards()
    setup = logged_in(user)
    # A grade below 4 puts the card in today's re-drill: the race is a second grade of that same card and an undo.
    assert setup.post(reverse("grade"), {"card": cards[0].id, "version": 0, "quality": 2}).status_code == 302
    run_at_once(
        post(logged_in(user), reverse("grade"), {"card": cards[0].id, "version": 1, "quality": 4}),
        post(logged_in(user), reverse("undo")),
    )
    progress_replays_cleanly()
    for p in Progress.objects.filter(user=user):
        active = Review.objects.filter(user=user, card_id=p.card_id, undone_at__isnull=True).exists()
        assert (p.due is not None) == active, "a card is new exactly when none of its grades stands"


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("attempt", range(ROUNDS))
def test_a_double_submitted_undo_takes_back_one_grade(attempt):
    user, cards = learner_with_new_cards()
    client = logged_in(user)
    for card in cards[:2]:
        client.post(reverse("grade"), {"card": card.id, "version": 0, "quality": 4})
    last = client.get(reverse("review")).context["queue"].last_review_id
    run_at_once(*[post(logged_in(user), reverse("undo"), {"last": last}) for _ in range(2)])
    assert Review.objects.filter(user=user, undone_at__isnull=False).count() == 1
    progress_replays_cleanly()


def test_the_undo_form_names_the_latest_grade_and_a_second_post_of_it_undoes_nothing(learner, learner_client):
    deck = DeckFactory(owner=learner)
    cards = [CardFactory(deck=deck, position=p) for p in range(3)]
    for card in cards[:2]:
        learner_client.post(reverse("grade"), {"card": card.id, "version": 0, "quality": 4})
    page = learner_client.get(reverse("review"))
    latest = Review.objects.filter(user=learner).latest("id")
    assert f'name="last" value="{latest.id}"' in page.content.decode()
    learner_client.post(reverse("undo"), {"last": latest.id})
    response = learner_client.post(reverse("undo"), {"last": latest.id}, follow=True)
    assert "already undone" in response.content.decode()
    assert list(Review.objects.filter(undone_at__isnull=False).values_list("id", flat=True)) == [latest.id]


@pytest.mark.parametrize("value", ["²", "x", "-1", "9" * 30])
def test_a_damaged_undo_form_is_refused_and_undoes_nothing(learner, learner_client, value):
    card = CardFactory(deck=DeckFactory(owner=learner))
    learner_client.post(reverse("grade"), {"card": card.id, "version": 0, "quality": 4})
    assert learner_client.post(reverse("undo"), {"last": value}).status_code == 400
    assert not Review.objects.filter(undone_at__isnull=False).exists()


# --- The daily new-card limit across scopes ---------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("attempt", range(ROUNDS))
def test_grades_in_two_scopes_at_once_stay_within_the_new_card_limit(attempt):
    user = UserFactory(new_cards_per_day=1)
    first, second = DeckFactory(owner=user), DeckFactory(owner=user)
    a, b = CardFactory(deck=first), CardFactory(deck=second)
    run_at_once(
        post(logged_in(user), reverse("grade"), {"card": a.id, "version": 0, "quality": 4}),
        post(logged_in(user), reverse("deck_grade", args=[second.slug]), {"card": b.id, "version": 0, "quality": 4}),
    )
    assert Review.objects.filter(user=user, kind=Review.Kind.NEW).count() == 1
    progress_replays_cleanly()


# --- Editing a card or a deck from an older form ----------------------------------------------------------------


def card_form(card: Card, front: str, version: int) -> dict:
    return {"front": front, "back": card.back, "explanation": "", "link": "", "version": version}


def test_saving_a_card_from_an_older_form_is_refused_and_shows_the_other_version(learner, learner_client):
    card = CardFactory(deck=DeckFactory(owner=learner), front="Original?")
    url = reverse("card_edit", args=[card.deck.slug, card.id])
    assert learner_client.post(url, card_form(card, "Theirs?", 0)).status_code == 302
    response = learner_client.post(url, card_form(card, "Mine?", 0))
    assert response.status_code == 409
    html = response.content.decode()
    assert "Changed by someone else" in html
    assert "Theirs?" in html  # their version, shown beside the form
    assert 'name="version" value="1"' in html  # saving again now means: mine wins, knowingly
    card.refresh_from_db()
    assert (card.front, card.version) == ("Theirs?", 1)
    assert learner_client.post(url, card_form(card, "Mine?", 1)).status_code == 302
    card.refresh_from_db()
    assert (card.front, card.version) == ("Mine?", 2)


def test_saving_a_deck_from_an_older_form_is_refused_and_shows_the_other_version(learner, learner_client):
    deck = DeckFactory(owner=learner, title="Original")
    url = reverse("deck_edit", args=[deck.slug])
    assert learner_client.post(url, {"title": "Theirs", "version": 0}).status_code == 302
    response = learner_client.post(url, {"title": "Mine", "version": 0})
    assert response.status_code == 409
    assert "Theirs" in response.content.decode()
    deck.refresh_from_db()
    assert (deck.title, deck.version) == ("Theirs", 1)


@pytest.mark.parametrize("value", ["²", "", "-1", "1.5", "9" * 30])
def test_a_damaged_version_is_refused_with_400_and_saves_nothing(learner, learner_client, value):
    card = CardFactory(deck=DeckFactory(owner=learner), front="Original?")
    url = reverse("card_edit", args=[card.deck.slug, card.id])
    assert learner_client.post(url, card_form(card, "Mine?", value)).status_code == 400
    deck_url = reverse("deck_edit", args=[card.deck.slug])
    assert learner_client.post(deck_url, {"title": "Mine", "version": value}).status_code == 400
    card.refresh_from_db()
    assert card.front == "Original?" and card.deck.title != "Mine"


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("attempt", range(ROUNDS))
def test_two_editors_saving_one_card_at_once_one_wins_the_other_is_told(attempt):
    owner = UserFactory()
    card = CardFactory(deck=DeckFactory(owner=owner), front="Original?")
    url = reverse("card_edit", args=[card.deck.slug, card.id])
    statuses = run_at_once(
        post(logged_in(owner), url, card_form(card, "First?", 0)),
        post(logged_in(owner), url, card_form(card, "Second?", 0)),
    )
    assert sorted(statuses) == [302, 409]
    card.refresh_from_db()
    assert card.version == 1 and card.front in {"First?", "Second?"}
    assert Deck.objects.get(id=card.deck_id).version == 0


# --- Hand-over racing the new owner leaving ---------------------------------------------------------------------


def test_handing_over_to_someone_who_just_left_changes_nothing(db):
    owner, member = UserFactory(), UserFactory()
    group = StudyGroupFactory()
    mine = MembershipFactory(group=group, user=owner, role=Membership.Role.OWNER)
    theirs = MembershipFactory(group=group, user=member, role=Membership.Role.MEMBER)
    groups.leave_group(group=group, user=member)  # the view loaded ``theirs`` just before this
    with pytest.raises(groups.GroupError, match="just left"):
        groups.transfer_ownership(group=group, from_user=owner, to_membership=theirs)
    mine.refresh_from_db()
    assert mine.role == Membership.Role.OWNER


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("attempt", range(ROUNDS))
def test_a_hand_over_racing_the_new_owner_leaving_keeps_one_owner(attempt):
    owner, member = UserFactory(), UserFactory()
    group = StudyGroupFactory()
    MembershipFactory(group=group, user=owner, role=Membership.Role.OWNER)
    MembershipFactory(group=group, user=member, role=Membership.Role.MEMBER)
    run_at_once(
        post(logged_in(owner), reverse("group_transfer", args=[group.slug]), {"user": member.id}),
        post(logged_in(member), reverse("group_leave", args=[group.slug])),
    )
    assert Membership.objects.filter(group=group, role=Membership.Role.OWNER).count() == 1
    progress_replays_cleanly()
