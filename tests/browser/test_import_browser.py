"""Content in and out, as a learner does it in a browser: import a CSV into a deck, find a card by search, tag it,
then practise the cards of that tag."""

from __future__ import annotations

import pytest

from accounts.models import User
from cards.models import Card, Deck, Progress, Review
from tests.browser.conftest import log_in

pytestmark = pytest.mark.django_db(transaction=True)

SHEET = (
    "front;back;tags\n"
    "When is Dataflow the right tool?;Streaming and batch pipelines on Apache Beam.;pipelines\n"
    "What is BigQuery ML?;Models trained with SQL inside BigQuery.;\n"
    "What does Pub/Sub do?;Asynchronous messaging between services.;\n"
)


def test_import_a_csv_find_a_card_tag_it_and_practise_the_tag(new_page, tmp_path):
    user = User.objects.create_user("importer", password="a long pass phrase")
    Deck.objects.create(title="Team notes", slug="team-notes", owner=user)
    sheet = tmp_path / "notes.csv"
    sheet.write_text(SHEET, encoding="utf-8")
    page = new_page()
    log_in(page, "importer", "a long pass phrase")

    page.goto("/decks/team-notes/")
    page.click("text=Import cards from a file")
    page.set_input_files("input[type=file]", str(sheet))
    page.click("button:has-text('Check the file')")
    assert "add 3 cards and update 0" in page.inner_text("main")
    page.click("button:has-text('Import')")
    assert "Imported: 3 added, 0 updated, 0 unchanged." in page.inner_text("main")
    assert Card.objects.filter(deck__slug="team-notes").count() == 3

    page.click("nav >> text=Browse")
    page.fill("#id_q", "bigquery")
    page.click("button:has-text('Search')")
    rows = page.locator("table.browse tbody tr")
    assert rows.count() == 1 and "What is BigQuery ML?" in rows.inner_text()
    rows.locator("text=Edit").click()
    page.fill("#id_tags", "BigQuery sql")
    page.click("button[name=save]")
    assert Card.objects.get(front="What is BigQuery ML?").tags == "bigquery sql"

    page.goto("/browse/?tag=sql")
    assert page.locator("table.browse tbody tr").count() == 1
    page.click("text=Practise these 1")
    page.click("#show-answer")
    with page.expect_response(lambda response: "/grade/" in response.url):
        page.click("button[name=quality][value='4']")
    page.wait_for_selector("text=All done")
    card = Card.objects.get(front="What is BigQuery ML?")
    assert Review.objects.get(user=user, card=card).kind == "practice"
    assert Progress.objects.get(user=user, card=card).due is None  # practised, still new in the daily review
