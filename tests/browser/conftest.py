"""Playwright against the system's Chromium, driving a live server on 127.0.0.1.

Run with `make test-browser` (or `pytest -m browser`); needs /usr/bin/chromium.
"""

from __future__ import annotations

import os
import shutil

import pytest

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

# Playwright's sync API runs an event loop in this thread; Django's async-safety check would refuse the ORM calls
# that fixtures make beside it.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def pytest_collection_modifyitems(items) -> None:
    for item in items:
        if "tests/browser/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session", autouse=True)
def _plain_http_live_server():
    """The live server speaks plain HTTP on 127.0.0.1; its middleware is built once, before per-test settings."""
    from django.conf import settings

    settings.SECURE_SSL_REDIRECT = False
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture(scope="session")
def browser():
    if not shutil.which(CHROMIUM) and not os.path.exists(CHROMIUM):
        pytest.fail(f"Chromium not found at {CHROMIUM}: apt-get install -y chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def new_page(browser, live_server):
    """Open a fresh context (own cookies) and page; console errors and page errors are collected."""
    contexts = []

    def make():
        context = browser.new_context(base_url=live_server.url)
        contexts.append(context)
        page = context.new_page()
        page.console_errors = []
        page.on("console", lambda msg: msg.type == "error" and page.console_errors.append(msg.text))
        page.on("pageerror", lambda exc: page.console_errors.append(str(exc)))
        page.set_default_timeout(10_000)
        return page

    yield make
    for context in contexts:
        context.close()


def log_in(page, username: str, password: str) -> None:
    page.goto("/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    page.wait_for_url(lambda url: "/accounts/login/" not in url)


def mark_window(page) -> None:
    """Put a marker on ``window``: a full page load (a form that lost hx-post, a link htmx did not wire) drops it."""
    page.evaluate("window.__pmleMark = 'still-the-same-page'")


def assert_not_reloaded(page) -> None:
    assert page.evaluate("window.__pmleMark") == "still-the-same-page", "the page was reloaded"


def assert_swapped_once(page, region_id: str) -> None:
    """The region was replaced (outerHTML), not filled with a copy of itself (innerHTML nests the id)."""
    assert page.evaluate(f"document.querySelectorAll('#{region_id}').length") == 1
    assert page.evaluate(f"document.querySelectorAll('#{region_id} #{region_id}').length") == 0
