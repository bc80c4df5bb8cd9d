"""What a section dashboard looks like on a 390 px phone: chart text readable, the sorted-by column on screen."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from accounts.models import User
from cards.editions import edition_of
from cards.loader import load_all_editions
from cards.models import Card, Section
from cards.reviews import today_for
from tests.browser.conftest import log_in
from tests.factories import seed_history

pytestmark = pytest.mark.django_db(transaction=True)

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
PASSWORD = "a long pass phrase"
# A chart label must render at least this large (CSS pixels) wherever the dashboard is read.
MIN_TEXT_PX = 11


@pytest.fixture
def dashboard_path() -> str:
    load_all_editions()
    user = User.objects.create_user("phone", password=PASSWORD)
    now = datetime.now(UTC)
    edition = edition_of(user)
    section = Section.objects.filter(edition=edition).order_by("number").first()
    cards = list(Card.objects.filter(deck__owner=None, consideration__objective__section=section))
    seed_history(user, cards, reviews=500, end=today_for(user, now), days=300)
    return f"/sections/{section.slug}/"


def open_as(browser, live_server, viewport: dict):
    context = browser.new_context(base_url=live_server.url, viewport=viewport)
    page = context.new_page()
    page.console_errors = []
    page.on("console", lambda msg: msg.type == "error" and page.console_errors.append(msg.text))
    page.set_default_timeout(10_000)
    log_in(page, "phone", PASSWORD)
    return context, page


# The rendered size of every chart label: its computed font size times the SVG's scale on screen, and the height of
# its box as getBoundingClientRect measures it.
CHART_TEXT_SIZES = """
() => [...document.querySelectorAll('svg.chart text')].map(t => {
  const box = t.getBoundingClientRect();
  const scale = t.ownerSVGElement.getScreenCTM().a;
  return {chart: t.ownerSVGElement.id || t.ownerSVGElement.getAttribute('class'), text: t.textContent,
          px: parseFloat(getComputedStyle(t).fontSize) * scale, height: box.height};
})
"""


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_chart_text_renders_at_a_readable_size(browser, live_server, dashboard_path, viewport):
    context, page = open_as(browser, live_server, viewport)
    page.goto(dashboard_path)
    sizes = page.evaluate(CHART_TEXT_SIZES)
    assert len(sizes) > 20  # axis labels of five charts
    small = [s for s in sizes if s["px"] < MIN_TEXT_PX or s["height"] < MIN_TEXT_PX]
    assert not small, small[:5]
    # The page itself never scrolls sideways: a wide chart scrolls inside its own focusable region.
    assert page.evaluate("document.scrollingElement.scrollWidth") <= viewport["width"]
    regions = page.eval_on_selector_all(
        ".chart-scroll", "els => els.map(e => [e.tabIndex, e.getAttribute('role'), e.getAttribute('aria-label')])"
    )
    assert regions and all(tab == 0 and role == "region" and label for tab, role, label in regions), regions
    assert not page.console_errors
    context.close()


@pytest.mark.parametrize(
    ("sort", "header"),
    [("weakest", "Weakness"), ("due", "Due now"), ("lapses", "Lapses"), ("easiness", "Avg easiness"),
     ("unseen", "Seen")],
)  # fmt: skip
def test_on_a_phone_the_sorted_by_column_is_on_screen(browser, live_server, dashboard_path, sort, header):
    context, page = open_as(browser, live_server, PHONE)
    page.goto(f"{dashboard_path}?sort={sort}")
    sorted_header = page.locator("table.considerations thead th[aria-sort]")
    assert sorted_header.inner_text() == header
    cells = page.eval_on_selector_all(
        "table.considerations tbody tr[id] > :nth-child(2)",
        "els => els.slice(0, 5).map(e => { const r = e.getBoundingClientRect(); return [r.left, r.right]; })",
    )
    box = sorted_header.bounding_box()
    assert cells and box
    for left, right in [(box["x"], box["x"] + box["width"]), *cells]:
        assert left >= 0 and right <= PHONE["width"], (left, right)  # on screen without scrolling the table
    assert page.evaluate("document.scrollingElement.scrollWidth") <= PHONE["width"]
    context.close()
