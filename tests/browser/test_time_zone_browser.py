"""The time-zone select is filled in from the browser's zone on sign-up and on settings while it is the default,
and a zone the learner saved is left alone."""

from __future__ import annotations

import pytest

from accounts.models import User
from tests.browser.conftest import log_in

pytestmark = pytest.mark.django_db(transaction=True)
PASSWORD = "a long pass phrase"


@pytest.fixture
def in_paris(browser, live_server):
    context = browser.new_context(base_url=live_server.url, timezone_id="Europe/Paris")
    page = context.new_page()
    page.console_errors = []
    page.on("console", lambda msg: msg.type == "error" and page.console_errors.append(msg.text))
    page.on("pageerror", lambda exc: page.console_errors.append(str(exc)))
    page.set_default_timeout(10_000)
    yield page
    context.close()


def test_sign_up_detects_the_browsers_time_zone_and_saves_it(in_paris):
    in_paris.goto("/accounts/signup/")
    assert in_paris.input_value("select[name=time_zone]") == "Europe/Paris"
    assert "Europe/Paris" in in_paris.inner_text(".detected-zone")
    in_paris.fill("input[name=username]", "amelie")
    in_paris.fill("input[name=email]", "amelie@example.com")
    in_paris.fill("input[name=password1]", PASSWORD)
    in_paris.fill("input[name=password2]", PASSWORD)
    in_paris.click("button[type=submit]:has-text('Sign up')")
    in_paris.wait_for_url(lambda url: "/accounts/signup/" not in url)
    assert User.objects.get(username="amelie").time_zone == "Europe/Paris"
    assert not in_paris.console_errors


def test_settings_fill_in_a_default_zone_but_never_change_a_saved_one(in_paris):
    User.objects.create_user("never-set", password=PASSWORD)
    User.objects.create_user("tokyo", password=PASSWORD, time_zone="Asia/Tokyo")
    log_in(in_paris, "never-set", PASSWORD)
    in_paris.goto("/accounts/settings/")
    assert in_paris.input_value("select[name=time_zone]") == "Europe/Paris"
    assert User.objects.get(username="never-set").time_zone == "UTC"  # nothing saved until the form is sent
    in_paris.context.clear_cookies()
    log_in(in_paris, "tokyo", PASSWORD)
    in_paris.goto("/accounts/settings/")
    assert in_paris.input_value("select[name=time_zone]") == "Asia/Tokyo"
    assert in_paris.locator(".detected-zone").count() == 0
    assert not in_paris.console_errors
