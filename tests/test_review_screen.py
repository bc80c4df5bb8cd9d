"""The review screen's edit link (key E) for cards the learner may change, and the summary at the end of a session."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.urls import reverse

from cards.models import Progress
from tests.factories import CardFactory, DeckFactory, DeckShareFactory, MembershipFactory, StudyGroupFactory

HTMX = {"HTTP_HX_REQUEST": "true"}
NOON = datetime(2026, 6, 10, 12, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOON, tick=False) as traveller:
        yield traveller


def grade(client, card, quality: int, url: str = "/review/grade/") -> None:
    progress = Progress.objects.filter(card=card).first()
    data = {"card": card.id, "version": progress.version if progress else 0, "quality": quality}
    assert client.post(url, data).status_code == 302


EDIT_LINK = 'id="edit-card-link"'


def test_the_learners_own_card_has_an_edit_link_that_comes_back_to_it(learner_client, learner):
    card = CardFactory(deck=DeckFactory(slug="mine", owner=learner))
    page = learner_client.get(reverse("review")).content.decode()
    assert EDIT_LINK in page
    assert f'href="/decks/mine/cards/{card.id}/edit/?next=/review/%3Fcard%3D{card.id}"' in page
    edit = learner_client.get(f"/decks/mine/cards/{card.id}/edit/", {"next": f"/review/?card={card.id}"})
    assert f'name="next" value="/review/?card={card.id}"' in edit.content.decode()
    response = learner_client.post(
        f"/decks/mine/cards/{card.id}/edit/",
        {"front": "New front?", "back": "New back.", "version": card.version, "save": "1",
         "next": f"/review/?card={card.id}"},
    )  # fmt: skip
    assert response.status_code == 302 and response.url == f"/review/?card={card.id}"
    card.refresh_from_db()
    assert card.front == "New front?"


def test_the_editor_comes_back_to_the_deck_when_next_leaves_the_site(learner_client, learner):
    card = CardFactory(deck=DeckFactory(slug="mine", owner=learner))
    response = learner_client.post(
        f"/decks/mine/cards/{card.id}/edit/",
        {"front": "F?", "back": "B.", "version": card.version, "save": "1", "next": "https://evil.example/"},
    )
    assert response.url == "/decks/mine/"


@pytest.mark.parametrize(("role", "shown"), [("member", False), ("editor", True)])
def test_a_group_decks_card_has_the_link_only_for_its_editors(learner_client, learner, outsider, role, shown):
    group = StudyGroupFactory()
    MembershipFactory(group=group, user=learner, role=role)
    deck = DeckFactory(owner=outsider)
    DeckShareFactory(deck=deck, group=group)
    CardFactory(deck=deck)
    assert (EDIT_LINK in learner_client.get(reverse("review")).content.decode()) is shown


def test_an_official_card_has_no_edit_link(learner_client, db):
    CardFactory(deck=DeckFactory(owner=None))
    page = learner_client.get(reverse("review"), HTTP_HX_REQUEST="true").content.decode()
    assert "front" in page and EDIT_LINK not in page


def test_the_finished_screen_sums_up_todays_session(learner_client, learner, frozen):
    cards = CardFactory.create_batch(3, deck=DeckFactory(owner=None))
    learner.new_cards_per_day = 3
    learner.save()
    grade(learner_client, cards[0], 5)
    frozen.shift(timedelta(seconds=20))
    grade(learner_client, cards[1], 2)  # comes back in the re-drill
    frozen.shift(timedelta(minutes=30))  # a pause counts as a minute at most
    grade(learner_client, cards[2], 4)
    frozen.shift(timedelta(seconds=40))
    grade(learner_client, cards[1], 4)
    page = learner_client.get(reverse("review"), **HTMX).content.decode()
    assert "All done for now" in page
    assert "<strong>4</strong> grades of 3 cards" in page
    assert "<strong>75%</strong> (3 of 4 graded 3 or more)" in page
    assert "about 2 min" in page  # 20 s + 60 s (capped) + 40 s
    assert "Next: <strong>3 cards</strong> due on" in page  # all three due tomorrow (interval 1)


def test_a_session_without_grades_today_shows_no_summary(learner_client, db):
    page = learner_client.get(reverse("review")).content.decode()
    assert "All done for now" in page and "Reviewed today" not in page
