"""axe-core over every main page, in light and dark mode: no serious or critical violation, no console error, no
failed request and no request to another host.

axe-core comes from the PyPI package axe-playwright-python (requirements-dev.txt), which ships axe.min.js (MPL-2.0)
inside its wheel: nothing is fetched when the test runs. Each page's violations, by impact, are printed (`-s`).
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

import pytest
from axe_playwright_python.base import AXE_SCRIPT

from accounts.groups import create_group, rotate_invite
from accounts.models import Membership, User
from cards import decks
from cards.editions import edition_of
from cards.marks import suspend_card
from cards.models import Card, Section
from cards.reviews import today_for
from exams import attempts
from exams.loader import load_all_banks
from tests.browser.conftest import log_in
from tests.factories import seed_history

pytestmark = pytest.mark.django_db(transaction=True)
PASSWORD = "a long pass phrase"
BLOCKING = {"serious", "critical"}


@pytest.fixture
def site(settings):
    """A learner with a history, an own deck (a suspended and a retired card), a group with a second member who
    shares figures, a finished mock exam and an open one."""
    from cards.loader import load_all_editions

    settings.EXAM_QUESTIONS = 4
    load_all_editions()
    load_all_banks()
    now = datetime.now(UTC)
    user = User.objects.create_user("reader", password=PASSWORD, email="reader@example.com")
    other = User.objects.create_user("friend", password=PASSWORD)
    edition = edition_of(user)
    official = list(
        Card.objects.filter(deck__owner=None, deck__edition=edition, retired=False).order_by("position")[:120]
    )
    seed_history(user, official, reviews=600, end=today_for(user, now), days=200)
    seed_history(other, official, reviews=200, end=today_for(other, now), days=60, seed=1)
    deck = decks.create_deck(owner=user, title="My notes")
    cards = [
        decks.create_card(deck=deck, front=f"Question {n} about **Vertex AI**?", back=f"Answer {n}.", tags="vertex")
        for n in range(4)
    ]
    suspend_card(user=user, card_id=cards[1].id)
    decks.retire_card(card=cards[2])
    group = create_group(owner=user, name="Exam crew")
    Membership.objects.create(group=group, user=other, role=Membership.Role.MEMBER, share_stats=True)
    decks.share_deck(deck=deck, group=group, user=user)
    rotate_invite(group=group, now=now)
    done = attempts.start_mock(user=user, edition=edition, now=now - timedelta(minutes=5), seed=7)
    for question in done.items.select_related("question").order_by("position")[:2]:
        first = question.option_order[:2] if question.question.choose == 2 else question.option_order[:1]
        attempts.answer(attempt_id=done.id, user=user, position=question.position, option_ids=first, now=now)
    attempts.submit(attempt_id=done.id, user=user, now=now)
    open_attempt = attempts.start_mock(user=user, edition=edition, now=now, seed=8)
    section = Section.objects.filter(edition=edition).order_by("number").first()
    return {
        "deck": deck,
        "card": cards[0],
        "group": group,
        "section": section,
        "results": f"/exams/{done.id}/results/",
        "question": f"/exams/{open_attempt.id}/q/1/",
    }


def watch(page, host: str) -> list[str]:
    """Collect failed requests, error responses and requests to any other host."""
    problems: list[str] = []

    def failed(req) -> None:
        # ERR_ABORTED is the browser cancelling a request itself, as Chromium does with a page's icon when
        # the next goto() leaves before it arrives; a missing or broken file still shows as a status >= 400
        # below, and a server that drops the connection as any other net:: error.
        if req.failure != "net::ERR_ABORTED":
            problems.append(f"failed: {req.url} ({req.failure})")

    page.on("requestfailed", failed)
    page.on("response", lambda res: res.status >= 400 and problems.append(f"{res.status}: {res.url}"))

    def other_host(req) -> None:
        parts = urlsplit(req.url)
        if parts.scheme in ("http", "https") and parts.netloc != host:
            problems.append(f"other host: {req.url}")

    page.on("request", other_host)
    return problems


def run_axe(page) -> list[dict]:
    page.evaluate(AXE_SCRIPT)
    result = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    return result["violations"]


def describe(violations: list[dict]) -> str:
    if not violations:
        return "no violations"
    by_impact = Counter(v["impact"] for v in violations)
    rules = ", ".join(f"{v['id']} ({v['impact']}, {len(v['nodes'])})" for v in violations)
    return " ".join(f"{impact}: {n}" for impact, n in sorted(by_impact.items())) + f" [{rules}]"


def blocking_detail(violations: list[dict]) -> list[str]:
    return [
        f"{v['id']}: {node['target']} {node.get('failureSummary', '')}"
        for v in violations
        if v["impact"] in BLOCKING
        for node in v["nodes"]
    ]


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_every_main_page_passes_axe_with_no_console_error_or_foreign_request(new_page, live_server, site, scheme):
    host = urlsplit(live_server.url).netloc
    deck, group, section = site["deck"], site["group"], site["section"]
    logged_out = ["/accounts/login/", "/accounts/signup/"]
    logged_in = [
        "/",
        "/review/",
        "review-back",
        f"/sections/{section.slug}/",
        f"/sections/{section.slug}/practice/",
        "/decks/",
        f"/decks/{deck.slug}/",
        f"/decks/{deck.slug}/cards/{site['card'].id}/edit/",
        f"/decks/{deck.slug}/import/",
        "/groups/",
        f"/groups/{group.slug}/",
        "/accounts/settings/",
        "/browse/",
        "/exams/",
        site["question"],
        site["results"],
    ]
    page = new_page()
    page.emulate_media(color_scheme=scheme)
    problems = watch(page, host)
    report: list[str] = []
    failures: list[str] = []

    def check(label: str) -> None:
        page.wait_for_load_state("load")
        violations = run_axe(page)
        report.append(f"  {label}: {describe(violations)}")
        failures.extend(f"{label}: {line}" for line in blocking_detail(violations))

    for path in logged_out:
        page.goto(path)
        check(path)
    log_in(page, "reader", PASSWORD)
    for path in logged_in:
        if path == "review-back":
            page.goto("/review/")
            page.click("#show-answer")
            page.wait_for_selector('button[name="quality"]')
            check("/review/ (answer shown)")
            continue
        page.goto(path)
        check(path)
    print(f"\naxe-core in {scheme} mode:\n" + "\n".join(report))
    assert page.evaluate("matchMedia('(prefers-color-scheme: dark)').matches") == (scheme == "dark")
    assert not failures, "\n".join(failures)
    assert not page.console_errors, page.console_errors
    assert not problems, problems
