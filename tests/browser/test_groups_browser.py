from __future__ import annotations

import pytest

from accounts.models import Membership, User
from cards.models import Card, Review
from tests.browser.conftest import log_in

pytestmark = pytest.mark.django_db(transaction=True)


def test_owner_invites_a_newcomer_who_signs_up_studies_the_shared_deck_and_shows_on_the_dashboard(new_page):
    User.objects.create_user("owner", password="a long pass phrase")

    # The owner: a group, a deck with one card written with the live preview, shared with the group, an invite.
    owner = new_page()
    log_in(owner, "owner", "a long pass phrase")
    owner.goto("/groups/new/")
    owner.fill("input[name=name]", "Exam crew")
    owner.click("button[type=submit]:has-text('Create group')")
    owner.wait_for_selector("h1:has-text('Exam crew')")

    owner.goto("/decks/new/")
    owner.fill("input[name=title]", "Crew deck")
    owner.click("button[type=submit]:has-text('Create deck')")
    owner.wait_for_selector("textarea[name=front]")
    owner.locator("textarea[name=front]").press_sequentially("What does **BigQuery ML** do?")
    owner.wait_for_selector("#card-preview .front strong:has-text('BigQuery ML')")  # the HTMX live preview
    owner.fill("textarea[name=back]", "Trains and serves models with SQL.")
    owner.click("button[name=save]")
    owner.wait_for_selector("#card-list")
    assert "What does BigQuery ML do?" in owner.inner_text("#card-list")
    owner.select_option("select[name=group]", label="Exam crew")
    owner.click("button[type=submit]:has-text('Share')")
    owner.wait_for_selector("text=Shared with Exam crew")

    owner.click("a:has-text('Exam crew')")
    owner.wait_for_selector("#create-invite")
    owner.click("#create-invite")
    link = owner.input_value("#invite-link")
    assert "/groups/join/" in link

    # The newcomer, in another browser context: the link leads to a login page that names the group; the header's
    # Sign up (the most visible control) keeps the invite, and after signing up they land on the join page.
    guest = new_page()
    guest.goto(link)
    guest.wait_for_url("**/accounts/login/**")
    assert "Exam crew" in guest.inner_text("main")
    guest.click(".topbar a:has-text('Sign up')")
    guest.wait_for_url("**/accounts/signup/**")
    assert "Exam crew" in guest.inner_text("main")
    guest.fill("input[name=username]", "newcomer")
    guest.fill("input[name=email]", "newcomer@example.com")
    guest.fill("input[name=password1]", "another long phrase")
    guest.fill("input[name=password2]", "another long phrase")
    guest.click("button[type=submit]:has-text('Sign up')")
    guest.wait_for_selector("h1:has-text('Join Exam crew')")
    assert not guest.is_checked("input[name=share_stats]")  # sharing one's figures is opt-in
    guest.check("input[name=share_stats]")
    guest.click("button:has-text('Join the group')")
    guest.wait_for_selector("h1:has-text('Exam crew')")
    assert Membership.objects.get(user__username="newcomer").role == "member"

    # They study the shared deck with their own schedule, by keyboard.
    guest.click(".shared-decks a:has-text('Review')")
    guest.wait_for_selector("#show-answer")
    assert "BigQuery ML" in guest.inner_text(".front")
    guest.keyboard.press("Space")
    guest.wait_for_selector('button[name="quality"][value="4"]')
    guest.keyboard.press("4")
    guest.wait_for_selector(".finished")
    card = Card.objects.get(deck__title="Crew deck")
    assert Review.objects.filter(user__username="newcomer", card=card).count() == 1

    # The owner sees the newcomer on the group dashboard, with that review.
    owner.reload()
    row = owner.locator("tr[data-member=newcomer]")
    assert row.locator("td.week").inner_text() == "1"
    assert row.locator("td.due").inner_text() == "0"

    assert owner.console_errors == []
    assert guest.console_errors == []
