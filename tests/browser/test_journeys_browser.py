"""Whole journeys as a person takes them, each ending on a screenshot of its last step saved under a folder the test
prints (``TEST_ARTIFACTS``, by default ``test-artifacts/`` in the checkout, which git ignores).

- A new learner signs up (the time zone detected), chooses the exam and ten new cards a day, reviews the ten from the
  keyboard alone, sees the session summary, then opens home and a section dashboard.
- With JavaScript disabled: review, grade, undo, edit a card from the review screen, retire a card (a page asks
  first), and join a group.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from django.utils import timezone

from accounts.groups import create_group, rotate_invite
from accounts.models import Membership, User
from cards import decks
from cards.loader import load_all_editions
from cards.models import Card, Review
from tests.browser.conftest import log_in

pytestmark = pytest.mark.django_db(transaction=True)
PASSWORD = "a long pass phrase"
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def artifacts(request) -> Path:
    folder = Path(os.environ.get("TEST_ARTIFACTS", ROOT / "test-artifacts")) / request.node.name
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def last_step(page, artifacts: Path, name: str) -> None:
    path = artifacts / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    print(f"\nscreenshot of the last step: {path}")
    assert path.stat().st_size > 0


def test_a_new_learner_signs_up_reviews_ten_cards_by_keyboard_and_sees_the_summary(browser, live_server, artifacts):
    load_all_editions()
    context = browser.new_context(base_url=live_server.url, timezone_id="America/Chicago")
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda msg: msg.type == "error" and errors.append(msg.text))
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.set_default_timeout(10_000)

    page.goto("/")
    page.click(".topbar a:has-text('Sign up')")
    assert page.input_value("select[name=time_zone]") == "America/Chicago"  # detected
    page.fill("input[name=username]", "newcomer")
    page.fill("input[name=email]", "newcomer@example.com")
    page.fill("input[name=password1]", PASSWORD)
    page.fill("input[name=password2]", PASSWORD)
    page.click("button[type=submit]:has-text('Sign up')")
    page.wait_for_selector("text=Welcome!")

    page.goto("/accounts/settings/")
    page.select_option("select[name=edition]", "pmle-2024")
    page.click("button:has-text('Prepare for this exam')")
    page.wait_for_load_state("load")
    page.goto("/accounts/settings/")
    page.fill("input[name=new_cards_per_day]", "10")
    page.click("button[type=submit]:has-text('Save')")
    page.wait_for_selector("text=Study preferences saved.")
    user = User.objects.get(username="newcomer")
    assert (user.time_zone, user.new_cards_per_day, user.exam_edition.slug) == ("America/Chicago", 10, "pmle-2024")

    page.goto("/review/")
    page.evaluate("window.__pmleMark = 'still-the-same-page'")
    for n in range(10):
        page.wait_for_selector("#show-answer")
        front = page.inner_text(".front")
        page.keyboard.press("Space")
        page.wait_for_selector('button[name="quality"]')
        page.keyboard.press("5" if n % 3 else "4")
        if n < 9:
            page.wait_for_function(
                "prev => document.querySelector('.front') && document.querySelector('.front').innerText !== prev",
                arg=front,
            )
    page.wait_for_selector(".finished .session-summary")
    assert page.evaluate("window.__pmleMark") == "still-the-same-page"  # ten grades, no page load
    summary = page.inner_text(".session-summary")
    assert "10 grades of 10 cards" in summary and "100%" in summary
    assert Review.objects.filter(user=user, undone_at__isnull=True).count() == 10

    page.click("a:has-text('Back to the overview')")
    page.wait_for_selector("text=10 reviews done today")
    page.click(".section-tile h3 a >> nth=0")
    page.wait_for_selector("table.considerations")
    assert "Objectives and considerations" in page.inner_text("main")
    assert not errors, errors
    last_step(page, artifacts, "section-dashboard")
    context.close()


def test_without_javascript_review_grade_undo_edit_a_card_and_join_a_group(browser, live_server, artifacts):
    load_all_editions()
    learner = User.objects.create_user("plain", password=PASSWORD, new_cards_per_day=3)
    owner = User.objects.create_user("organiser", password=PASSWORD)
    group = create_group(owner=owner, name="No-script club")
    token = rotate_invite(group=group, now=timezone.now())
    deck = decks.create_deck(owner=learner, title="Plain notes")
    mine = decks.create_card(deck=deck, front="What does **Dataflow** run?", back="Apache Beam pipelines.")
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    page = context.new_page()
    page.set_default_timeout(10_000)
    log_in(page, "plain", PASSWORD)

    # Review and grade: every step a link or a form post, each a page load.
    page.goto(f"/decks/{deck.slug}/review/")
    assert "Dataflow" in page.inner_text(".front")
    page.click("#show-answer")
    page.wait_for_selector('button[name="quality"]')
    assert "Apache Beam" in page.inner_text(".back")
    page.click('button[name="quality"][value="5"]')
    page.wait_for_selector(".finished")
    assert Review.objects.filter(user=learner, card=mine, undone_at__isnull=True).count() == 1

    # Undo brings the card back.
    page.click("#undo")
    page.wait_for_selector("#show-answer")
    assert "Dataflow" in page.inner_text(".front")
    assert Review.objects.get(user=learner, card=mine).undone_at is not None

    # Edit it from the review screen: the editor saves and comes back to the same card.
    page.click("#edit-card-link")
    page.fill("textarea[name=front]", "What does **Cloud Dataflow** run?")
    page.click("button[name=save]")
    page.wait_for_selector("#show-answer")
    assert "Cloud Dataflow" in page.inner_text(".front")
    mine.refresh_from_db()
    assert mine.front == "What does **Cloud Dataflow** run?"

    # Retire a card: without JavaScript, a page asks first.
    spare = decks.create_card(deck=deck, front="A card to retire", back="Gone.")
    page.goto(f"/decks/{deck.slug}/")
    page.click(f"#card-{spare.id} button:has-text('Retire')")
    page.wait_for_selector("h1:has-text('Retire this card?')")
    assert not Card.objects.get(id=spare.id).retired
    page.click("button:has-text('Retire the card')")
    page.wait_for_selector(f"#card-list .retired #card-{spare.id}")
    assert Card.objects.get(id=spare.id).retired

    # Join a group by its invite link.
    page.goto(f"/groups/join/{token}/")
    page.click("button:has-text('Join the group')")
    page.wait_for_selector("h1:has-text('No-script club')")
    assert Membership.objects.filter(group=group, user=learner).exists()
    assert Card.objects.filter(id=mine.id, retired=False).exists()
    last_step(page, artifacts, "joined-group")
    context.close()
