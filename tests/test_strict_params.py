"""Integer query parameters are parsed strictly: digits that ``str.isdigit`` accepts and ``int`` refuses ('²', '①'),
signs, spaces and numbers too long for a database id are ignored, never a 500."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import time_machine
from django.urls import reverse

from tests.factories import CardFactory, DeckFactory

NOW = datetime(2026, 3, 12, 19, 0, tzinfo=UTC)
BAD_VALUES = ["²", "①", "٣", "-1", " 1", "1.0", "9" * 19, "9" * 400, ""]


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def review_pages(learner) -> list[str]:
    own = DeckFactory(owner=learner, slug="mine")
    CardFactory(deck=own)
    return [
        reverse("review"),
        reverse("section_review", args=["s1"]),
        reverse("deck_review", args=["mine"]),
        reverse("section_practice", args=["s1"]),
    ]


@pytest.mark.parametrize("param", ["card", "reveal"])
@pytest.mark.parametrize("value", BAD_VALUES)
def test_non_ascii_or_unbounded_numbers_in_the_query_are_ignored(learner, learner_client, study_history, param, value):
    for url in review_pages(learner) + [
        reverse("considerations_practice", args=[[study_history["considerations"][0].id]])
    ]:
        response = learner_client.get(url, {param: value})
        assert response.status_code == 200, url
        assert response.context["reveal"] is False, url  # nothing is revealed for a card id that is not one


def test_a_plain_card_id_is_still_honoured(learner_client, study_history):
    card = study_history["cards"]["a3"]
    response = learner_client.get(reverse("section_review", args=["s1"]), {"reveal": str(card.id)})
    assert response.status_code == 200
    assert response.context["reveal"] is True
