"""The card browser: search, filters, the learner's own state, paging in a constant number of queries, scoping to
the cards the learner studies, and practising a filter without touching the schedule."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
import time_machine
from django.urls import reverse

from cards.models import Card, Progress, Review
from cards.reviews import Scope, build_queue
from tests.factories import (
    CardFactory,
    ConsiderationFactory,
    DeckFactory,
    ObjectiveFactory,
    ProgressFactory,
    SectionFactory,
)

NOON = datetime(2026, 6, 10, 12, tzinfo=UTC)
TODAY = date(2026, 6, 10)


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOON, tick=False):
        yield


@pytest.fixture
def shelf(learner, outsider):
    """An official deck with a Dataflow card (seen, 4 lapses), a BigQuery card (mature) and a new Pub/Sub card;
    the learner's own deck with a tagged card; someone else's private deck that must never show."""
    official = DeckFactory(owner=None, title="Official")
    section = SectionFactory(number=2, slug="data", title="Data")
    consideration = ConsiderationFactory(objective=ObjectiveFactory(section=section), key="2.1.1")
    dataflow = CardFactory(
        deck=official,
        consideration=consideration,
        position=0,
        front="When is Dataflow the answer?",
        back="Streaming and batch pipelines on Apache Beam.",
        tags="dataflow pipelines",
    )
    bigquery = CardFactory(
        deck=official,
        consideration=consideration,
        position=1,
        front="What is BigQuery ML?",
        back="SQL models inside BigQuery.",
        tags="bigquery",
    )
    pubsub = CardFactory(
        deck=official,
        consideration=consideration,
        position=2,
        front="What does Pub/Sub do?",
        back="Messaging between services.",
    )
    mine = DeckFactory(owner=learner, title="Mine", slug="mine")
    own = CardFactory(
        deck=mine, consideration=None, front="My note on Dataflow templates", back="Flex templates.", tags="dataflow"
    )
    secret = DeckFactory(owner=outsider, slug="secret")
    CardFactory(deck=secret, consideration=None, front="Dataflow secret", back="Never shown to the learner.")
    ProgressFactory(
        user=learner, card=dataflow, repetitions=1, interval=3, easiness=1.7, lapses=4, due=TODAY, version=1
    )
    ProgressFactory(
        user=learner, card=bigquery, repetitions=5, interval=40, easiness=2.6, due=date(2026, 7, 1), version=1
    )
    return {"dataflow": dataflow, "bigquery": bigquery, "pubsub": pubsub, "own": own}  # fmt: skip


def found(client, **params) -> list[str]:
    response = client.get(reverse("card_browser"), params)
    assert response.status_code == 200
    return [card.front for card in response.context["page"].object_list]


def test_a_word_finds_every_card_that_mentions_it_in_the_decks_the_learner_studies(learner_client, shelf):
    assert found(learner_client, q="dataflow") == ["When is Dataflow the answer?", "My note on Dataflow templates"]
    assert found(learner_client, q="beam") == ["When is Dataflow the answer?"]  # in the answer
    assert found(learner_client, q="nothing-like-this") == []


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"tag": "dataflow"}, ["When is Dataflow the answer?", "My note on Dataflow templates"]),
        ({"tag": "pipeline"}, []),  # a tag matches whole, not a prefix of "pipelines"
        ({"deck": "mine"}, ["My note on Dataflow templates"]),
        ({"consideration": "2.1.1", "q": "dataflow"}, ["When is Dataflow the answer?"]),
        ({"consideration": "2024:2.1.1", "q": "bigquery"}, ["What is BigQuery ML?"]),
        ({"consideration": "2020:2.1.1"}, []),
        ({"edition": "pmle-2024", "q": "dataflow"}, ["When is Dataflow the answer?"]),
        ({"section": "data"}, ["When is Dataflow the answer?", "What is BigQuery ML?", "What does Pub/Sub do?"]),
        ({"state": "new"}, ["What does Pub/Sub do?", "My note on Dataflow templates"]),
        ({"state": "learning"}, ["When is Dataflow the answer?"]),
        ({"state": "mature"}, ["What is BigQuery ML?"]),
        ({"q": "lapses>3"}, ["When is Dataflow the answer?"]),
        ({"q": "lapses>=5"}, []),
        ({"q": "ease<2"}, ["When is Dataflow the answer?"]),
        ({"q": "ease>=2.5 bigquery"}, ["What is BigQuery ML?"]),
        ({"sort": "due"}, ["When is Dataflow the answer?", "What is BigQuery ML?", "What does Pub/Sub do?",
                           "My note on Dataflow templates"]),
        ({"sort": "lapses", "section": "data"}, ["When is Dataflow the answer?", "What is BigQuery ML?",
                                                 "What does Pub/Sub do?"]),
    ],
)  # fmt: skip
def test_filters_and_sorts(learner_client, shelf, params, expected):
    assert found(learner_client, **params) == expected


def test_a_leech_and_a_suspended_card_are_found_by_state(learner, learner_client, shelf):
    learner.leech_threshold = 4
    learner.save()
    assert found(learner_client, state="leech") == ["When is Dataflow the answer?"]
    Progress.objects.filter(card=shelf["bigquery"]).update(suspended=True)
    assert found(learner_client, state="suspended") == ["What is BigQuery ML?"]
    assert "What is BigQuery ML?" not in found(learner_client, state="mature")


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"deck": "secret"}, "Select a valid choice"),
        ({"section": "nope"}, "Select a valid choice"),
        ({"state": "lost"}, "Select a valid choice"),
        ({"sort": "x"}, "Select a valid choice"),
        ({"edition": "pmle-1999"}, "Select a valid choice"),
        ({"consideration": "3.4"}, "Name a consideration by its key"),
    ],
)
def test_a_bad_filter_is_a_400_that_names_it(learner_client, shelf, params, message):
    response = learner_client.get(reverse("card_browser"), params)
    assert response.status_code == 400 and message in response.content.decode()


def test_the_page_costs_the_same_queries_for_3_and_120_cards(learner_client, learner, shelf, django_assert_num_queries):
    url = reverse("card_browser")
    learner_client.get(url)
    with django_assert_num_queries(10) as small:
        learner_client.get(url, {"q": "dataflow"})
    mine = DeckFactory(owner=learner, slug="many")
    for n in range(120):
        CardFactory(deck=mine, consideration=None, front=f"Dataflow card {n}", back="B", position=n, tags="bulk")
    with django_assert_num_queries(len(small.captured_queries)):
        response = learner_client.get(url, {"q": "dataflow", "page": "2"})
    assert response.context["page"].number == 2 and len(response.context["page"].object_list) == 50


def test_practising_a_filter_leaves_the_schedule_alone_and_new_cards_new(learner, learner_client, shelf):
    html = learner_client.get(reverse("card_browser"), {"q": "dataflow"}).content.decode()
    ids = [shelf["dataflow"].id, shelf["own"].id]
    assert f'href="{reverse("cards_practice", args=[ids])}"' in html and "Practise these 2" in html
    url = reverse("cards_practice", args=[[shelf["dataflow"].id]])
    page = learner_client.get(url)
    assert page.status_code == 200 and page.context["queue"].card == shelf["dataflow"]
    before = Progress.objects.get(user=learner, card=shelf["dataflow"])
    grade = reverse("cards_practice_grade", args=[[shelf["dataflow"].id]])
    response = learner_client.post(grade, {"card": shelf["dataflow"].id, "version": before.version, "quality": 5})
    assert response.status_code == 302 and response["Location"] == url
    after = Progress.objects.get(user=learner, card=shelf["dataflow"])
    assert (after.due, after.interval, after.easiness) == (before.due, before.interval, before.easiness)
    assert Review.objects.get(user=learner).kind == "practice"
    # A new card practised stays new: it still comes as a new card in the daily review.
    own = shelf["own"]
    grade = reverse("cards_practice_grade", args=[[own.id]])
    assert learner_client.post(grade, {"card": own.id, "version": 0, "quality": 4}).status_code == 302
    assert Progress.objects.get(user=learner, card=own).due is None
    assert own.id in build_queue(learner, Scope(), NOON).new_ids


def test_practising_cards_of_someone_elses_deck_finds_nothing(learner_client, outsider):
    secret = CardFactory(deck=DeckFactory(owner=outsider), consideration=None)
    page = learner_client.get(reverse("cards_practice", args=[[secret.id]]))
    assert page.status_code == 200 and page.context["queue"].card is None
    response = learner_client.post(
        reverse("cards_practice_grade", args=[[secret.id]]), {"card": secret.id, "version": 0, "quality": 4}
    )
    assert response.status_code == 404 and not Review.objects.exists()


def test_a_flag_is_the_learners_own_and_filters_the_browser(learner, learner_client, member, shelf):
    url = reverse("flag_card", args=[shelf["pubsub"].id])
    back = reverse("card_browser") + "?q=pub"
    response = learner_client.post(url, {"flag": "1", "next": back})
    assert response.status_code == 302 and response["Location"] == back
    progress = Progress.objects.get(user=learner, card=shelf["pubsub"])
    assert (progress.flag, progress.due) == (1, None)  # flagged, still new
    assert found(learner_client, flag="1") == ["What does Pub/Sub do?"]
    assert found(learner_client, flag="2") == []
    assert not Progress.objects.filter(user=member).exists()  # nobody else's view changes
    learner_client.post(url, {"flag": "0"})
    assert found(learner_client, flag="1") == []


@pytest.mark.parametrize("flag", ["5", "-1", "red", ""])
def test_a_bad_flag_changes_nothing(learner, learner_client, shelf, flag):
    response = learner_client.post(reverse("flag_card", args=[shelf["pubsub"].id]), {"flag": flag})
    assert response.status_code == 400 and "Choose a flag" in response.content.decode()
    assert not Progress.objects.filter(user=learner, card=shelf["pubsub"]).exists()


def test_flagging_a_card_outside_ones_decks_is_a_404(learner_client, outsider):
    secret = CardFactory(deck=DeckFactory(owner=outsider), consideration=None)
    response = learner_client.post(reverse("flag_card", args=[secret.id]), {"flag": "1"})
    assert response.status_code == 404 and not Progress.objects.filter(card=secret).exists()


def test_next_outside_the_site_is_ignored(learner_client, shelf):
    response = learner_client.post(
        reverse("flag_card", args=[shelf["pubsub"].id]), {"flag": "2", "next": "https://evil.example/"}
    )
    assert response["Location"] == reverse("card_browser")


# --- changes to many cards at once ---------------------------------------------------------------------------------


@pytest.fixture
def own_cards(learner, shelf):
    """Three cards of the learner's own deck "mine" (the shelf's own card and two more), and a second own deck."""
    mine = shelf["own"].deck
    more = [CardFactory(deck=mine, consideration=None, front=f"Vertex note {n}", back="Use Vertex AI.", position=n + 1)
            for n in range(2)]  # fmt: skip
    return [shelf["own"], *more], DeckFactory(owner=learner, title="Other", slug="other")


def bulk(client, ids, **data):
    return client.post(reverse("card_bulk"), {"card": ids, "next": "/browse/?deck=mine", **data})


def test_a_tag_is_added_to_and_removed_from_the_chosen_cards(learner_client, own_cards):
    cards, _ = own_cards
    ids = [c.id for c in cards[1:]]
    response = bulk(learner_client, ids, action="tag", tag="Vertex-AI")
    assert response.status_code == 302 and response["Location"] == "/browse/?deck=mine"
    assert [c.tags for c in Card.objects.filter(id__in=ids)] == ["vertex-ai", "vertex-ai"]
    assert Card.objects.get(id=cards[0].id).tags == "dataflow"  # not chosen
    bulk(learner_client, ids, action="untag", tag="vertex-ai")
    assert set(Card.objects.filter(id__in=ids).values_list("tags", flat=True)) == {""}


def test_cards_move_to_the_end_of_another_deck_and_retire(learner_client, own_cards):
    cards, other = own_cards
    CardFactory(deck=other, consideration=None, position=7)
    bulk(learner_client, [cards[1].id, cards[2].id], action="move", deck="other")
    assert list(other.cards.order_by("position").values_list("position", flat=True)) == [7, 8, 9]
    bulk(learner_client, [cards[1].id], action="retire")
    assert Card.objects.get(id=cards[1].id).retired


def test_find_and_replace_shows_its_changes_first_then_replaces(learner_client, own_cards):
    cards, _ = own_cards
    ids = [c.id for c in cards]
    preview = bulk(learner_client, ids, action="replace", find="Vertex AI", replace="Vertex AI Platform")
    html = preview.content.decode()
    assert preview.status_code == 200 and "changes\n  2 fields" in html
    assert Card.objects.filter(back="Use Vertex AI.").count() == 2  # nothing yet
    done = bulk(learner_client, ids, action="replace", find="Vertex AI", replace="Vertex AI Platform", confirm="1")
    assert done.status_code == 302
    changed = Card.objects.get(id=cards[1].id)
    assert (changed.back, changed.version) == ("Use Vertex AI Platform.", 1)
    assert changed.back_html == "<p>Use Vertex AI Platform.</p>" and changed.content_changed_at is not None


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"action": "tag", "tag": "Not a tag!"}, "tag"),
        ({"action": "move", "deck": "secret"}, "Choose a deck you may edit"),
        ({"action": "replace", "find": "", "replace": "x"}, "Give the text to find."),
        ({"action": "replace", "find": "Use Vertex AI.", "replace": "", "confirm": "1"}, "would be empty"),
        ({"action": "explode"}, "Select a valid choice"),
    ],
)
def test_a_bad_bulk_change_is_a_400_and_changes_nothing(learner_client, own_cards, data, message):
    cards, _ = own_cards
    before = list(Card.objects.order_by("id").values_list("deck_id", "tags", "back", "retired", "version"))
    response = bulk(learner_client, [c.id for c in cards[1:]], **data)
    assert response.status_code == 400 and message in response.content.decode()
    assert list(Card.objects.order_by("id").values_list("deck_id", "tags", "back", "retired", "version")) == before


def test_a_selection_with_a_card_one_may_not_edit_changes_nothing(learner_client, own_cards, shelf, outsider):
    cards, _ = own_cards
    secret = CardFactory(deck=DeckFactory(owner=outsider), consideration=None)
    for foreign in (shelf["dataflow"], secret):  # the official deck's, someone else's
        response = bulk(learner_client, [cards[1].id, foreign.id], action="retire")
        assert (
            response.status_code == 400
            and "1 of the chosen cards cannot be changed by you" in response.content.decode()
        )
    assert not Card.objects.filter(retired=True).exists()


def test_a_card_is_suspended_and_back_from_the_browser(learner, learner_client, shelf):
    url = reverse("browse_suspend", args=[shelf["bigquery"].id])
    response = learner_client.post(url, {"suspended": "1", "next": "/browse/?q=bigquery"})
    assert response.status_code == 302 and response["Location"] == "/browse/?q=bigquery"
    progress = Progress.objects.get(user=learner, card=shelf["bigquery"])
    assert progress.suspended and progress.due == date(2026, 7, 1)  # the schedule is kept
    learner_client.post(url, {"suspended": "0"})
    assert not Progress.objects.get(user=learner, card=shelf["bigquery"]).suspended
    assert learner_client.post(url, {"suspended": "maybe"}).status_code == 400


def test_suspending_a_card_one_does_not_study_is_a_404(learner_client, outsider):
    secret = CardFactory(deck=DeckFactory(owner=outsider), consideration=None)
    response = learner_client.post(reverse("browse_suspend", args=[secret.id]), {"suspended": "1"})
    assert response.status_code == 404 and not Progress.objects.filter(card=secret).exists()
