from __future__ import annotations

import re

import pytest

from accounts.models import User
from cards.loader import load_all_editions
from cards.models import Progress, Review
from tests.browser.conftest import assert_not_reloaded, assert_swapped_once, log_in, mark_window

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def learner_with_deck():
    load_all_editions()
    user = User.objects.create_user("keys", password="a long pass phrase")
    user.new_cards_per_day = 5
    user.save()
    return user


def test_five_cards_by_keyboard_only_with_an_undo_reach_the_finished_screen(new_page, learner_with_deck):
    page = new_page()
    log_in(page, "keys", "a long pass phrase")
    page.goto("/review/")
    mark_window(page)
    fronts = []
    for _ in range(5):
        page.wait_for_selector("#show-answer")
        fronts.append(page.inner_text(".front"))
        page.keyboard.press("Space")
        page.wait_for_selector('button[name="quality"][value="5"]')
        assert "1 day" in page.inner_text(".grades")
        assert_swapped_once(page, "card-panel")
        page.keyboard.press("5")
        page.wait_for_function(
            "prev => !document.querySelector('.front') || document.querySelector('.front').innerText !== prev",
            arg=fronts[-1],
        )
        assert_swapped_once(page, "card-panel")
        assert_not_reloaded(page)
    page.wait_for_selector(".finished")
    assert "All done for now" in page.inner_text("#card-panel")
    assert "5 grades of 5 cards" in page.inner_text(".session-summary")
    assert len(set(fronts)) == 5
    assert Review.objects.filter(user=learner_with_deck, undone_at__isnull=True).count() == 5

    page.keyboard.press("u")
    page.wait_for_selector("#show-answer")
    assert page.inner_text(".front") == fronts[-1]
    assert "Undone" in page.inner_text("#card-panel")
    assert Review.objects.filter(user=learner_with_deck, undone_at__isnull=True).count() == 4
    page.keyboard.press("Enter")
    page.wait_for_selector('button[name="quality"][value="4"]')
    page.keyboard.press("4")
    page.wait_for_selector(".finished")
    assert Review.objects.filter(user=learner_with_deck, undone_at__isnull=True).count() == 5
    assert Progress.objects.filter(user=learner_with_deck, due__isnull=False).count() == 5
    # Every step swapped the panel in place: the page itself was never reloaded.
    assert_not_reloaded(page)
    assert_swapped_once(page, "card-panel")
    assert page.url.endswith("/review/")
    assert page.console_errors == []


def test_reviewing_works_with_javascript_off(browser, live_server, learner_with_deck):
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    page = context.new_page()
    try:
        log_in(page, "keys", "a long pass phrase")
        page.goto("/review/")
        front = page.inner_text(".front")
        page.click("#show-answer")
        assert re.search(r"reveal=\d+", page.url)
        page.click('button[name="quality"][value="3"]')
        page.wait_for_url(re.compile(r"/review/$"))
        assert page.inner_text(".front") != front
        assert Review.objects.get(user=learner_with_deck).grade == 3
        page.click("#undo")
        assert page.inner_text(".front") == front
        assert not Review.objects.filter(undone_at__isnull=True).exists()
    finally:
        context.close()


def test_key_e_opens_the_editor_of_ones_own_card_and_saving_comes_back_to_it(new_page, db):
    from cards.models import Card, Deck

    user = User.objects.create_user("writer", password="a long pass phrase")
    deck = Deck.objects.create(title="Mine", slug="mine", owner=user)
    card = Card.objects.create(deck=deck, front="Wrongly written?", back="Yes.", position=1)
    page = new_page()
    log_in(page, "writer", "a long pass phrase")
    page.goto("/review/")
    page.wait_for_selector("#show-answer")
    page.keyboard.press("e")
    page.wait_for_url(f"**/decks/mine/cards/{card.id}/edit/**")
    page.fill("textarea[name=front]", "Rightly written?")
    page.click("button[name=save]")
    page.wait_for_url("**/review/?card=*")
    assert page.inner_text(".front") == "Rightly written?"
    assert page.console_errors == []
