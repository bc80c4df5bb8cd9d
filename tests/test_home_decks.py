"""Home lists every deck the learner studies (the exam deck, their own, their groups') with its due and new cards, in
a fixed number of queries; joining a group says what its decks will really do to the daily review."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.groups import rotate_invite
from tests.factories import (
    CardFactory,
    DeckFactory,
    DeckShareFactory,
    MembershipFactory,
    ProgressFactory,
    StudyGroupFactory,
    UserFactory,
)

NOON = datetime(2026, 6, 10, 12, 0, tzinfo=UTC)
TODAY = date(2026, 6, 10)


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOON, tick=False):
        yield


def deck_row(page: str, slug: str) -> dict[str, str] | None:
    match = re.search(rf'<tr data-deck="{slug}">(.*?)</tr>', page, flags=re.S)
    if not match:
        return None
    cells = dict(re.findall(r'<td class="([a-z-]+)">(\d+)</td>', match.group(1)))
    cells["text"] = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", match.group(1))).strip()
    return cells


@pytest.fixture
def decks(learner, outsider):
    """The exam deck (3 cards, one due), an own deck (2 cards), a group deck (4 cards, one due, one suspended),
    and two decks the learner does not study: another group's, and an outsider's own."""
    official = DeckFactory(slug="exam", title="Exam deck")
    exam_cards = CardFactory.create_batch(3, deck=official)
    ProgressFactory(user=learner, card=exam_cards[0], due=TODAY, interval=3, repetitions=1)
    own = DeckFactory(slug="mine", title="My notes", owner=learner)
    CardFactory.create_batch(2, deck=own)
    group = StudyGroupFactory(name="Crew", slug="crew")
    MembershipFactory(group=group, user=learner)
    shared = DeckFactory(slug="crew-deck", title="Crew deck", owner=UserFactory(username="organiser"))
    DeckShareFactory(deck=shared, group=group)
    crew_cards = CardFactory.create_batch(4, deck=shared)
    ProgressFactory(user=learner, card=crew_cards[0], due=date(2026, 6, 1), interval=5, repetitions=2)
    ProgressFactory(user=learner, card=crew_cards[1], suspended=True)
    other_group = StudyGroupFactory(name="Elsewhere", slug="elsewhere")
    DeckShareFactory(deck=DeckFactory(slug="elsewhere-deck", owner=outsider), group=other_group)
    DeckFactory(slug="outsiders", owner=outsider)
    return group


def test_home_shows_each_studied_deck_with_its_due_and_new_cards(learner_client, learner, decks):
    learner.new_cards_per_day = 4
    learner.own_new_share = 50
    learner.save()
    page = learner_client.get(reverse("home")).content.decode()
    exam, mine, crew = (deck_row(page, slug) for slug in ("exam", "mine", "crew-deck"))
    assert (exam["due"], exam["new-waiting"]) == ("1", "2")
    assert (mine["due"], mine["new-waiting"]) == ("0", "2")
    assert (crew["due"], crew["new-waiting"]) == ("1", "2")  # the suspended card waits for nothing
    # Today's 4 new cards: half from the exam deck, half from own and group decks (own first by position).
    assert int(exam["new-today"]) == 2
    assert int(mine["new-today"]) + int(crew["new-today"]) == 2
    assert "the exam deck" in exam["text"] and "yours" in mine["text"] and "from Crew" in crew["text"]
    assert "· 3 cards" in exam["text"] and "· 2 cards" in mine["text"] and "· 4 cards" in crew["text"]
    assert deck_row(page, "elsewhere-deck") is None and deck_row(page, "outsiders") is None
    assert 'href="/decks/crew-deck/review/"' in page


def test_a_deck_with_nothing_left_offers_no_review(learner_client, learner, db):
    DeckFactory(slug="empty", owner=learner)
    page = learner_client.get(reverse("home")).content.decode()
    empty = deck_row(page, "empty")
    assert (empty["due"], empty["new-today"], empty["new-waiting"]) == ("0", "0", "0")
    assert "· 0 cards" in empty["text"]
    assert 'href="/decks/empty/review/"' not in page


def test_own_decks_are_listed_by_title_not_in_the_order_they_were_made(learner_client, learner, db):
    DeckFactory(slug="zeta", title="Zeta notes", owner=learner)
    DeckFactory(slug="alpha", title="Alpha notes", owner=learner)
    page = learner_client.get(reverse("home")).content.decode()
    assert re.findall(r'data-deck="([a-z-]+)"', page) == ["alpha", "zeta"]


def test_a_retired_card_counts_nowhere_in_its_decks_row(learner_client, learner, db):
    deck = DeckFactory(slug="mine", owner=learner)
    CardFactory(deck=deck)
    CardFactory(deck=deck, retired=True)  # retired by its editor: no longer studied
    row = deck_row(learner_client.get(reverse("home")).content.decode(), "mine")
    assert "· 1 card" in row["text"] and "· 2 cards" not in row["text"]
    assert row["new-waiting"] == "1"


def _home_queries(client) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(reverse("home")).status_code == 200
    return len(ctx.captured_queries)


def test_home_takes_the_same_number_of_queries_with_one_deck_or_twelve(client, learner, decks):
    client.force_login(learner)
    client.get(reverse("home"))  # the exam deck's order is cached once per content version: warm
    few = _home_queries(client)
    for _ in range(5):
        CardFactory.create_batch(2, deck=DeckFactory(owner=learner))
        shared = DeckFactory(owner=UserFactory())
        DeckShareFactory(deck=shared, group=decks)
        CardFactory.create_batch(2, deck=shared)
        ProgressFactory(user=learner, card=CardFactory(deck=shared), due=TODAY, interval=2, repetitions=1)
    assert len(re.findall("data-deck=", client.get(reverse("home")).content.decode())) == 13
    assert _home_queries(client) == few


@pytest.mark.parametrize(
    ("shared", "share", "expected"),
    [
        (2, 30, "Its 2 shared decks join your daily review: with your own decks, they get 30% of your 20 new cards"),
        (1, 0, "Its 1 shared deck joins your daily review: their new cards come once the exam deck's are all started"),
        (0, 30, "It shares no decks yet"),
    ],
)
def test_the_join_message_says_what_the_shared_decks_will_do(client, db, shared, share, expected):
    group = StudyGroupFactory(name="Crew", slug="crew")
    owner = UserFactory(username="organiser")
    MembershipFactory(group=group, user=owner, role="owner")
    for _ in range(shared):
        DeckShareFactory(deck=DeckFactory(owner=owner), group=group)
    newcomer = UserFactory(username="newcomer", own_new_share=share, new_cards_per_day=20)
    client.force_login(newcomer)
    response = client.post(reverse("group_join", args=[rotate_invite(group=group, now=NOON)]), follow=True)
    page = response.content.decode()
    assert expected in page.replace("&#x27;", "'")
    assert "now in your queue" not in page


def test_a_decks_due_count_is_the_learners_own_studied_cards_due_by_today(learner_client, learner, outsider, db):
    deck = DeckFactory(slug="exam", title="Exam deck")
    due_today, due_tomorrow, suspended, retired, others = CardFactory.create_batch(5, deck=deck)
    retired.retired = True
    retired.save()
    ProgressFactory(user=learner, card=due_today, due=TODAY, interval=2, repetitions=1)
    ProgressFactory(user=learner, card=due_tomorrow, due=date(2026, 6, 11), interval=2, repetitions=1)
    ProgressFactory(user=learner, card=suspended, due=date(2026, 6, 1), interval=2, repetitions=1, suspended=True)
    ProgressFactory(user=learner, card=retired, due=date(2026, 6, 1), interval=2, repetitions=1)
    # Another learner's card due on the same deck is theirs to review, not this learner's.
    ProgressFactory(user=outsider, card=others, due=date(2026, 6, 1), interval=2, repetitions=1)
    ProgressFactory(user=outsider, card=due_today, due=date(2026, 6, 1), interval=2, repetitions=1)
    assert deck_row(learner_client.get(reverse("home")).content.decode(), "exam")["due"] == "1"


def test_a_group_deck_names_only_the_learners_groups_that_share_it(learner_client, learner, outsider, db):
    crew = StudyGroupFactory(name="Crew", slug="crew")
    MembershipFactory(group=crew, user=learner)
    elsewhere = StudyGroupFactory(name="Elsewhere", slug="elsewhere")
    MembershipFactory(group=elsewhere, user=outsider)
    shared = DeckFactory(slug="crew-deck", title="Crew deck", owner=UserFactory(username="organiser"))
    DeckShareFactory(deck=shared, group=crew)
    DeckShareFactory(deck=shared, group=elsewhere)
    row = deck_row(learner_client.get(reverse("home")).content.decode(), "crew-deck")
    assert "from Crew ·" in row["text"] and "Elsewhere" not in row["text"]


def test_the_exam_deck_comes_first_whatever_its_title(learner_client, learner, db):
    DeckFactory(slug="alpha", title="Alpha notes", owner=learner)
    DeckFactory(slug="exam", title="Zulu exam deck")
    page = learner_client.get(reverse("home")).content.decode()
    assert re.findall(r'data-deck="([a-z-]+)"', page) == ["exam", "alpha"]


def test_own_decks_with_the_same_title_keep_the_order_they_were_made(learner_client, learner, db):
    first, second, third = (DeckFactory(slug=slug, title="Notes", owner=learner) for slug in ("one", "two", "three"))
    for deck in (first, second):  # an edited deck moves on disk (PostgreSQL writes a new row version)
        deck.description = "edited"
        deck.save()
    page = learner_client.get(reverse("home")).content.decode()
    assert re.findall(r'data-deck="([a-z-]+)"', page) == ["one", "two", "three"]
