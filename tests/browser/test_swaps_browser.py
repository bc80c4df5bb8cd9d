"""Every HTMX region swaps in place: the deck page's card list (move, suspend, unsuspend, retire) and the practice
drill's card panel. A marker on ``window`` proves no action reloaded the page; a single region id proves the swap
replaced the region instead of nesting a copy inside it."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from accounts.models import User
from cards.models import Card, Progress, Review
from tests.browser.conftest import assert_not_reloaded, assert_swapped_once, log_in, mark_window
from tests.factories import CardFactory, ConsiderationFactory, DeckFactory, SectionFactory

pytestmark = pytest.mark.django_db(transaction=True)
PASSWORD = "a long pass phrase"


@pytest.fixture
def owner_with_deck():
    user = User.objects.create_user("owner", password=PASSWORD)
    deck = DeckFactory(owner=user, slug="mine", title="Mine")
    cards = [CardFactory(deck=deck, consideration=None, front=f"Card {n}?", position=n) for n in range(3)]
    return user, deck, cards


def fronts(page) -> list[str]:
    return page.locator("#card-list .card-row .card-text").all_inner_texts()


def test_moving_a_card_swaps_the_list_in_place(new_page, owner_with_deck):
    _, deck, cards = owner_with_deck
    page = new_page()
    log_in(page, "owner", PASSWORD)
    page.goto(f"/decks/{deck.slug}/")
    mark_window(page)
    assert fronts(page) == ["Card 0?", "Card 1?", "Card 2?"]
    page.locator(f"#card-{cards[0].id} button[aria-label='Move down']").click()
    page.wait_for_function("() => document.querySelector('#card-list .card-row .card-text').innerText === 'Card 1?'")
    assert fronts(page) == ["Card 1?", "Card 0?", "Card 2?"]
    page.locator(f"#card-{cards[2].id} button[aria-label='Move up']").click()
    page.wait_for_function("() => document.querySelectorAll('#card-list .card-text')[1].innerText === 'Card 2?'")
    assert_swapped_once(page, "card-list")
    assert_not_reloaded(page)
    assert list(Card.objects.filter(deck=deck).order_by("position").values_list("front", flat=True)) == [
        "Card 1?",
        "Card 2?",
        "Card 0?",
    ]
    assert page.console_errors == []


def test_suspending_and_unsuspending_swap_the_list_in_place(new_page, owner_with_deck):
    user, deck, cards = owner_with_deck
    page = new_page()
    log_in(page, "owner", PASSWORD)
    page.goto(f"/decks/{deck.slug}/")
    mark_window(page)
    page.locator(f"#card-{cards[1].id} button:has-text('Suspend for me')").click()
    page.wait_for_selector(f"#card-{cards[1].id}.suspended")
    assert Progress.objects.get(user=user, card=cards[1]).suspended
    assert_swapped_once(page, "card-list")
    page.locator(f"#card-{cards[1].id} button:has-text('Unsuspend')").click()
    page.wait_for_selector(f"#card-{cards[1].id}:not(.suspended)")
    assert not Progress.objects.get(user=user, card=cards[1]).suspended
    assert_swapped_once(page, "card-list")
    assert_not_reloaded(page)
    assert page.console_errors == []


def test_retiring_a_card_asks_first_then_swaps_the_list_in_place(new_page, owner_with_deck):
    _, deck, cards = owner_with_deck
    page = new_page()
    log_in(page, "owner", PASSWORD)
    page.goto(f"/decks/{deck.slug}/")
    mark_window(page)
    dialogs = []
    page.once("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.locator(f"#card-{cards[0].id} button:has-text('Retire')").click()
    page.wait_for_timeout(200)  # a dismissed confirmation sends nothing; give a stray request the time to land
    assert dialogs and "Retire this card" in dialogs[0]
    assert not Card.objects.get(id=cards[0].id).retired
    page.once("dialog", lambda dialog: dialog.accept())
    page.locator(f"#card-{cards[0].id} button:has-text('Retire')").click()
    # The card leaves the studied cards for the retired ones (in the same swapped list), where it can be restored.
    page.wait_for_selector(f"#card-list .retired #card-{cards[0].id}")
    assert Card.objects.get(id=cards[0].id).retired
    assert fronts(page) == ["Card 1?", "Card 2?"]
    assert_swapped_once(page, "card-list")
    assert_not_reloaded(page)
    assert page.console_errors == []


@pytest.fixture
def learner_with_weak_cards():
    """Three cards of one section seen and failed before, so the weakest-considerations drill has them."""
    user = User.objects.create_user("drill", password=PASSWORD)
    section = SectionFactory(number=1, slug="framing", title="Framing")
    consideration = ConsiderationFactory(objective__section=section, title="Business problems")
    deck = DeckFactory(owner=None)
    day = date.today() - timedelta(days=3)
    for n in range(3):
        card = CardFactory(deck=deck, consideration=consideration, front=f"Weak {n}?", position=n)
        Progress.objects.create(user=user, card=card, repetitions=0, interval=1, due=day, lapses=2, version=1)
    return user


def test_the_practice_drill_grades_by_keyboard_without_reloading(new_page, learner_with_weak_cards):
    page = new_page()
    log_in(page, "drill", PASSWORD)
    page.goto("/sections/framing/practice/")
    mark_window(page)
    seen = []
    for _ in range(3):
        page.wait_for_selector("#show-answer")
        seen.append(page.inner_text(".front"))
        page.keyboard.press("Space")
        page.wait_for_selector('button[name="quality"][value="4"]')
        page.keyboard.press("4")
        page.wait_for_function(
            "prev => !document.querySelector('.front') || document.querySelector('.front').innerText !== prev",
            arg=seen[-1],
        )
        assert_swapped_once(page, "card-panel")
    assert sorted(seen) == ["Weak 0?", "Weak 1?", "Weak 2?"]
    assert Review.objects.filter(user=learner_with_weak_cards, kind="practice").count() == 3
    assert_not_reloaded(page)
    assert page.console_errors == []
