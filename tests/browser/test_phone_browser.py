"""The review loop on a phone: the grade buttons are on screen after Show answer, nothing scrolls sideways, and the
keyboard hints are hidden on a touch screen."""

from __future__ import annotations

import pytest

from accounts.models import User
from cards.loader import load_all_editions
from tests.browser.conftest import log_in

pytestmark = pytest.mark.django_db(transaction=True)

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def phone(browser, live_server):
    context = browser.new_context(
        base_url=live_server.url, viewport=PHONE, is_mobile=True, has_touch=True, device_scale_factor=3
    )
    page = context.new_page()
    page.console_errors = []
    page.on("console", lambda msg: msg.type == "error" and page.console_errors.append(msg.text))
    page.on("pageerror", lambda exc: page.console_errors.append(str(exc)))
    page.set_default_timeout(10_000)
    yield page
    context.close()


def no_sideways_scroll(page) -> None:
    width = page.evaluate("document.scrollingElement.scrollWidth")
    assert width <= page.evaluate("window.innerWidth"), f"the page scrolls sideways ({width}px wide)"


def within_viewport(page, selector: str) -> None:
    boxes = page.eval_on_selector_all(
        selector,
        "els => els.map(e => { const r = e.getBoundingClientRect();"
        " return {top: r.top, bottom: r.bottom, left: r.left, right: r.right}; })",
    )
    assert boxes, f"nothing matches {selector}"
    for box in boxes:
        assert box["top"] >= 0 and box["left"] >= 0, box
        assert box["bottom"] <= PHONE["height"] and box["right"] <= PHONE["width"], box


@pytest.mark.parametrize("compact", [False, True], ids=["six-buttons", "four-buttons"])
def test_on_a_phone_the_grade_buttons_are_on_screen_after_show_answer_by_taps(phone, compact):
    load_all_editions()
    user = User.objects.create_user("thumb", password="a long pass phrase")
    user.new_cards_per_day = 4
    user.compact_grades = compact
    user.save()
    log_in(phone, "thumb", "a long pass phrase")
    assert phone.evaluate("matchMedia('(hover: none)').matches")  # a touch screen, as the hints' rule sees it
    phone.goto("/review/")
    for _ in range(4):
        phone.wait_for_selector("#show-answer")
        no_sideways_scroll(phone)
        front = phone.inner_text(".front")
        phone.tap("#show-answer")
        phone.wait_for_selector('button[name="quality"]')
        assert phone.evaluate("window.scrollY") == 0  # nothing scrolled to bring them into view
        within_viewport(phone, 'button[name="quality"]')
        no_sideways_scroll(phone)
        assert not phone.is_visible(".hint")
        assert not phone.is_visible(".grade .key")
        phone.tap('button[name="quality"] >> nth=-1')
        phone.wait_for_function(
            "prev => !document.querySelector('.front') || document.querySelector('.front').innerText !== prev",
            arg=front,
        )
    phone.wait_for_selector(".finished")
    no_sideways_scroll(phone)
    for path in ["/", "/decks/", "/groups/", "/accounts/settings/", "/exams/", "/leeches/"]:
        phone.goto(path)
        no_sideways_scroll(phone)
    phone.goto("/")
    phone.goto(phone.get_attribute(".section-tile h3 a", "href"))  # a section dashboard, with its tables and charts
    no_sideways_scroll(phone)
    assert phone.console_errors == []


def test_on_a_desktop_the_keyboard_hints_show(new_page):
    load_all_editions()
    User.objects.create_user("desk", password="a long pass phrase")
    page = new_page()
    log_in(page, "desk", "a long pass phrase")
    page.goto("/review/")
    assert page.is_visible(".hint")
    page.keyboard.press("Space")
    page.wait_for_selector('button[name="quality"]')
    assert page.is_visible(".grade .key")
