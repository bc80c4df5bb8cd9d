"""A short mock exam end to end in Chromium: keys to answer and flag, the palette, no reloads, the results page."""

from __future__ import annotations

import pytest

from accounts.models import User
from cards.loader import load_all_editions
from exams.loader import load_all_banks
from exams.models import Attempt, AttemptQuestion
from tests.browser.conftest import assert_not_reloaded, assert_swapped_once, log_in, mark_window

pytestmark = pytest.mark.django_db(transaction=True)
PASSWORD = "a long pass phrase"


@pytest.fixture
def candidate(settings):
    settings.EXAM_QUESTIONS = 4
    settings.EXAM_MINUTES = 10
    load_all_editions()
    load_all_banks()
    return User.objects.create_user("candidate", password=PASSWORD)


def test_a_short_mock_exam_by_keyboard_ends_on_the_results(new_page, candidate):
    page = new_page()
    log_in(page, "candidate", PASSWORD)
    page.goto("/exams/")
    page.click("button:has-text('Start a mock exam')")
    page.wait_for_selector("#exam-panel")
    assert "Question 1 of 4" in page.inner_text("#exam-panel")
    assert "0:10:00" in page.inner_text("#time-left") or "0:09:5" in page.inner_text("#time-left")
    assert page.locator(".why").count() == 0  # no explanation before the end
    mark_window(page)
    for position in range(1, 5):
        page.wait_for_selector(f"text=Question {position} of 4")
        choose = 2 if page.locator("input[type=checkbox][name=option]").count() else 1
        for key in ("1", "2")[:choose]:
            page.keyboard.press(key)
        if position == 2:
            page.keyboard.press("f")
            page.wait_for_selector("#flag[aria-pressed=true]")
        if position < 4:
            page.keyboard.press("n")
            page.wait_for_selector(f"text=Question {position + 1} of 4")
        else:
            # The last answer stays on its question: wait for its own save (a "Saved." shown after the third
            # answer may still be on the page).
            with page.expect_response(lambda response: response.request.method == "POST"):
                page.keyboard.press("n")
            page.wait_for_selector("text=Saved.")
        assert_swapped_once(page, "exam-panel")
    assert_not_reloaded(page)
    assert AttemptQuestion.objects.exclude(chosen=[]).count() == 4
    assert AttemptQuestion.objects.get(position=2).flagged
    page.click(".palette a[aria-label^='Question 2']")
    page.wait_for_selector("text=Question 2 of 4")
    assert_not_reloaded(page)
    page.click("button:has-text('Submit the exam')")
    page.wait_for_selector("h1:has-text('Mock exam (2024)')")
    attempt = Attempt.objects.get()
    assert not attempt.is_open and attempt.correct_count is not None
    assert page.locator("li.result-item").count() == 4
    assert "estimated pass mark of 70%" in page.inner_text("main")
    assert page.console_errors == []


def test_a_quiz_works_with_javascript_off(browser, live_server, candidate):
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    page = context.new_page()
    try:
        log_in(page, "candidate", PASSWORD)
        page.goto("/exams/")
        page.select_option("select[name=source]", index=2)  # the first section
        page.fill("input[name=count]", "3")
        page.click("button:has-text('Start the quiz')")
        page.wait_for_selector("text=Question 1 of 3")
        inputs = page.locator("input[name=option]")
        inputs.nth(0).check()
        if page.locator("input[type=checkbox][name=option]").count():
            inputs.nth(1).check()
        page.click("#save")
        page.wait_for_selector(".outcome")
        assert page.locator(".why").count() >= 4  # every option explained once answered
        page.click("button:has-text('Finish the quiz')")
        page.wait_for_selector("text=What to practise") if Attempt.objects.get().correct_count < 3 else None
        assert Attempt.objects.get().submitted_at is not None
    finally:
        context.close()
