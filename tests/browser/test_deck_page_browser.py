"""The deck page and card editor in a browser: focus kept on the card a keyboard user acted on, a live preview that
follows a paste."""

from __future__ import annotations

import pytest

from accounts.models import User
from cards.models import Card, Deck
from tests.browser.conftest import assert_not_reloaded, log_in, mark_window

pytestmark = pytest.mark.django_db(transaction=True)

FOCUSED_ROW = "document.activeElement.closest('.card-row') && document.activeElement.closest('.card-row').id"
FOCUSED_TEXT = "document.activeElement.innerText"


def press_on(page, selector: str) -> None:
    """Focus a control as the Tab key would and press Enter on it, then wait for htmx to settle."""
    page.focus(selector)
    page.evaluate(
        "window.__settled = false;"
        "document.addEventListener('htmx:afterSettle', () => window.__settled = true, {once: true})"
    )
    page.keyboard.press("Enter")
    page.wait_for_function("() => window.__settled === true")


def test_focus_stays_on_the_row_after_move_suspend_retire_and_restore(new_page):
    user = User.objects.create_user("writer", password="a long pass phrase")
    deck = Deck.objects.create(title="Mine", slug="mine", owner=user)
    a, b, c = (Card.objects.create(deck=deck, front=f"Card {n}?", back="Yes.", position=n) for n in range(3))
    page = new_page()
    page.on("dialog", lambda dialog: dialog.accept())  # the retire confirmation
    log_in(page, "writer", "a long pass phrase")
    page.goto("/decks/mine/")
    mark_window(page)

    press_on(page, f"#card-{a.id} button[aria-label='Move down']")
    assert page.evaluate(FOCUSED_ROW) == f"card-{a.id}"
    assert page.evaluate(FOCUSED_TEXT) == "Down"
    assert page.evaluate("[...document.querySelectorAll('#card-list > ol > .card-row')].map(r => r.id)") == [
        f"card-{b.id}",
        f"card-{a.id}",
        f"card-{c.id}",
    ]

    press_on(page, f"#card-{c.id} button:has-text('Suspend for me')")
    assert page.evaluate(FOCUSED_ROW) == f"card-{c.id}"
    assert page.evaluate(FOCUSED_TEXT) == "Unsuspend"

    press_on(page, f"#card-{b.id} button:has-text('Retire')")
    assert page.evaluate(FOCUSED_ROW) == f"card-{b.id}"
    assert page.evaluate(FOCUSED_TEXT) == "Restore"

    page.keyboard.press("Enter")  # Restore, where the focus now is
    page.wait_for_selector(f"#card-list > ol > #card-{b.id}")
    page.wait_for_function(f"() => document.activeElement.closest('.card-row')?.id === 'card-{b.id}'")
    assert page.evaluate(FOCUSED_TEXT) == "Retire"
    assert not Card.objects.get(id=b.id).retired
    assert_not_reloaded(page)
    assert page.console_errors == []


def test_the_live_preview_follows_a_paste_with_no_key_pressed(new_page):
    user = User.objects.create_user("paster", password="a long pass phrase")
    Deck.objects.create(title="Mine", slug="mine", owner=user)
    page = new_page()
    log_in(page, "paster", "a long pass phrase")
    page.goto("/decks/mine/cards/new/")
    page.fill("textarea[name=front]", "Pasted **bold** text?")  # an input event, no keyup: as a paste or autofill
    page.wait_for_selector("#card-preview .front strong:has-text('bold')")
    assert page.console_errors == []
