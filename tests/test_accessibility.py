"""Accessibility rules that the server's output can show: scrollable regions reachable by keyboard, link fields the
browser does not refuse silently, and a live preview that follows every change of the text."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.urls import reverse

from cards.models import Card
from tests.factories import CardFactory, DeckFactory

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"


def test_every_scrollable_table_can_be_reached_and_scrolled_by_keyboard():
    found = 0
    for path in TEMPLATES.rglob("*.html"):
        for tag in re.findall(r'<div class="table-scroll"[^>]*>', path.read_text()):
            found += 1
            assert 'tabindex="0"' in tag and 'role="region"' in tag, (path.name, tag)
            assert "aria-label" in tag, (path.name, tag)  # a region needs a name
    assert found >= 8


def test_a_link_without_https_is_completed_not_refused_by_the_browser(learner_client, learner):
    deck = DeckFactory(slug="mine", owner=learner)
    page = learner_client.get(reverse("card_create", args=["mine"])).content.decode()
    link_input = re.search(r'<input[^>]*name="link"[^>]*>', page).group(0)
    assert 'type="text"' in link_input and 'inputmode="url"' in link_input
    response = learner_client.post(
        reverse("card_create", args=["mine"]),
        {"front": "Q?", "back": "A.", "link": "cloud.google.com/vertex-ai/docs", "save": "1"},
    )
    assert response.status_code == 302
    assert Card.objects.get(deck=deck).link == "https://cloud.google.com/vertex-ai/docs"


def test_a_link_that_is_no_address_gets_a_clear_400_and_saves_nothing(learner_client, learner):
    DeckFactory(slug="mine", owner=learner)
    response = learner_client.post(
        reverse("card_create", args=["mine"]), {"front": "Q?", "back": "A.", "link": "see the docs", "save": "1"}
    )
    assert response.status_code == 400
    assert "Enter a web address, such as https://cloud.google.com/vertex-ai/docs" in response.content.decode()
    assert not Card.objects.exists()


@pytest.mark.parametrize("field", ["front", "back", "explanation"])
def test_the_live_preview_follows_input_events_not_only_key_ups(learner_client, learner, field):
    card = CardFactory(deck=DeckFactory(slug="mine", owner=learner))
    page = learner_client.get(reverse("card_edit", args=["mine", card.id])).content.decode()
    textarea = re.search(rf'<textarea[^>]*name="{field}"[^>]*>', page).group(0)
    assert 'hx-trigger="input changed delay:300ms"' in textarea
