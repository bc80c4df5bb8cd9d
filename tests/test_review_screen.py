"""The review screen: where the card sits, the edit link (key E) for cards the learner may change, and the summary at
the end of a session."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from django.urls import reverse

from cards.models import Progress
from tests.factories import (
    CardFactory,
    ConsiderationFactory,
    DeckFactory,
    DeckShareFactory,
    MembershipFactory,
    ObjectiveFactory,
    SectionFactory,
    StudyGroupFactory,
)

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


def test_the_card_shows_where_it_sits_in_the_exam_guide_or_its_deck(learner_client, learner):
    section = SectionFactory(number=3, title="Scaling prototypes")
    consideration = ConsiderationFactory(
        objective=ObjectiveFactory(section=section, number="3.2", title="Training models"), title="Distributed training"
    )
    exam_card = CardFactory(deck=DeckFactory(owner=None), consideration=consideration)
    own_card = CardFactory(deck=DeckFactory(owner=learner, title="Kitchen notes"), consideration=None)
    crumbs = {
        exam_card: '<p class="crumbs"><span>3. Scaling prototypes</span><span>3.2 Training models</span>'
        "<span>Distributed training</span></p>",
        own_card: '<p class="crumbs"><span>Kitchen notes</span></p>',
    }
    for card, expected in crumbs.items():
        page = learner_client.get(reverse("review"), {"card": card.id}, **HTMX).content.decode()
        assert f'data-card="{card.id}"' in page and expected in page


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


def test_the_summary_counts_only_todays_grades(learner_client, learner):
    from tests.factories import ProgressFactory, ReviewFactory

    today, earlier = CardFactory.create_batch(2, deck=DeckFactory(owner=None))
    ProgressFactory(user=learner, card=earlier, repetitions=1, interval=30, due=date(2026, 7, 10))
    ReviewFactory(user=learner, card=earlier, kind="new", grade=2, reviewed_at=NOON - timedelta(days=1))
    grade(learner_client, today, 4)
    page = learner_client.get(reverse("review"), **HTMX).content.decode()
    assert "<strong>1</strong> grade of 1 card" in page
    assert "<strong>100%</strong> (1 of 1 graded 3 or more)" in page


def test_the_next_day_counts_this_decks_cards_and_leaves_suspended_ones_out(learner_client, learner):
    from tests.factories import ProgressFactory

    deck, other = DeckFactory(slug="mine", owner=learner), DeckFactory(slug="other", owner=learner)
    new, waiting, suspended = CardFactory.create_batch(3, deck=deck, consideration=None)
    tomorrow = date(2026, 6, 11)
    ProgressFactory(user=learner, card=waiting, repetitions=1, interval=3, due=tomorrow)
    ProgressFactory(user=learner, card=suspended, repetitions=1, interval=3, due=tomorrow, suspended=True)
    ProgressFactory(user=learner, card=CardFactory(deck=other), repetitions=1, interval=3, due=tomorrow)
    grade(learner_client, new, 4, url="/decks/mine/review/grade/")  # due tomorrow too (interval 1)
    page = learner_client.get("/decks/mine/review/", **HTMX).content.decode()
    assert "All done for now" in page
    assert "Next: <strong>2 cards</strong> due on" in page


def test_with_nothing_due_later_the_summary_names_no_next_day(learner_client, learner):
    from cards import stats
    from cards.reviews import Scope, build_queue
    from tests.factories import ProgressFactory, ReviewFactory

    card = CardFactory(deck=DeckFactory(owner=None))
    ProgressFactory(user=learner, card=card, repetitions=1, interval=1, due=date(2026, 6, 11), suspended=True)
    ReviewFactory(user=learner, card=card, kind="new", grade=4, reviewed_at=NOON - timedelta(minutes=5))
    page = learner_client.get(reverse("review"), **HTMX).content.decode()
    assert "Reviewed today" in page and "Next:" not in page
    queue = build_queue(learner, Scope(), NOON)
    assert queue.next_due is None
    assert stats.session_summary(learner, queue, Scope()).next_due_count == 0


def test_the_session_time_follows_the_clock_even_when_grades_were_written_out_of_order(learner):
    from cards import stats
    from cards.reviews import Scope, build_queue
    from tests.factories import ReviewFactory

    cards = CardFactory.create_batch(3, deck=DeckFactory(owner=None))
    start = NOON - timedelta(minutes=10)
    # Two tabs grading at once can commit the later grade first: the log's ids are not always in clock order.
    for card, seconds in zip(cards, (0, 50, 25), strict=True):
        ReviewFactory(user=learner, card=card, kind="new", reviewed_at=start + timedelta(seconds=seconds))
    summary = stats.session_summary(learner, build_queue(learner, Scope(), NOON), Scope())
    assert (summary.reviews, summary.cards, summary.seconds) == (3, 3, 50)


def test_the_next_day_counts_none_of_another_learners_cards_due_that_day(learner_client, learner, outsider):
    from tests.factories import ProgressFactory

    learner.new_cards_per_day = 1
    learner.save()
    mine, theirs = CardFactory.create_batch(2, deck=DeckFactory(owner=None))
    for card in (mine, theirs):  # the same exam deck, due on the learner's next day
        ProgressFactory(user=outsider, card=card, repetitions=1, interval=1, due=date(2026, 6, 11))
    grade(learner_client, mine, 4)  # due tomorrow (interval 1)
    page = learner_client.get(reverse("review"), **HTMX).content.decode()
    assert "Next: <strong>1 card</strong> due on" in page


def test_the_summary_counts_only_the_learners_own_grades_still_standing(learner, outsider):
    from cards import stats
    from cards.reviews import Scope, build_queue
    from tests.factories import ReviewFactory

    cards = CardFactory.create_batch(5, deck=DeckFactory(owner=None))
    start = NOON - timedelta(minutes=10)
    # Four of the learner's grades, 10 s apart: a 3 passes; the gaps add up to 30 s.
    for card, seconds, quality in zip(cards[:4], (0, 10, 20, 30), (3, 2, 4, 5), strict=True):
        ReviewFactory(
            user=learner, card=card, kind="new", grade=quality, reviewed_at=start + timedelta(seconds=seconds)
        )
    # An undone grade, and another learner's grade on the same card, are not part of this session.
    ReviewFactory(
        user=learner, card=cards[4], kind="new", grade=1, reviewed_at=start + timedelta(seconds=40), undone_at=NOON
    )
    ReviewFactory(user=outsider, card=cards[4], kind="new", grade=1, reviewed_at=start + timedelta(seconds=5))
    summary = stats.session_summary(learner, build_queue(learner, Scope(), NOON), Scope())
    assert (summary.reviews, summary.cards, summary.passed, summary.seconds) == (4, 4, 3, 30)


def test_the_next_day_counts_the_cards_due_that_day_not_those_due_later(learner):
    from cards import stats
    from cards.reviews import Scope, build_queue
    from tests.factories import ProgressFactory

    next_day, later = CardFactory.create_batch(2, deck=DeckFactory(owner=None))
    ProgressFactory(user=learner, card=next_day, repetitions=1, interval=1, due=date(2026, 6, 11))
    ProgressFactory(user=learner, card=later, repetitions=1, interval=9, due=date(2026, 6, 19))
    queue = build_queue(learner, Scope(), NOON)
    assert queue.next_due == date(2026, 6, 11)
    assert stats.session_summary(learner, queue, Scope()).next_due_count == 1
