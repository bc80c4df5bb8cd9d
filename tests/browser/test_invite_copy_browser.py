"""The group page's new invite link: a Copy button with JavaScript, plain selectable text without it."""

from __future__ import annotations

import pytest

from accounts.models import User
from tests.browser.conftest import log_in

pytestmark = pytest.mark.django_db(transaction=True)
PASSWORD = "a long pass phrase"


def create_invite(page) -> str:
    page.goto("/groups/new/")
    page.fill("input[name=name]", "Copy crew")
    page.click("button[type=submit]:has-text('Create group')")
    page.wait_for_selector("#create-invite")
    page.click("#create-invite")
    page.wait_for_selector("#invite-link")
    return page.input_value("#invite-link")


def test_the_copy_button_puts_the_invite_link_on_the_clipboard(browser, live_server):
    User.objects.create_user("organiser", password=PASSWORD)
    context = browser.new_context(base_url=live_server.url)
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    log_in(page, "organiser", PASSWORD)
    link = create_invite(page)
    assert "/groups/join/" in link
    page.click("#copy-invite")
    page.wait_for_selector("text=Copied.")
    assert page.evaluate("navigator.clipboard.readText()") == link
    assert not errors
    context.close()


def test_without_javascript_the_invite_link_is_text_and_there_is_no_dead_button(browser, live_server):
    User.objects.create_user("organiser", password=PASSWORD)
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    page = context.new_page()
    log_in(page, "organiser", PASSWORD)
    link = create_invite(page)
    assert link.startswith(live_server.url) and "/groups/join/" in link
    assert page.is_visible("#invite-link")
    assert page.locator("#copy-invite").count() == 0
    context.close()
