"""The home dashboard and the section dashboards, through the client.

Exact figures come from the hand-built ``study_history`` (conftest.py; worked out in test_stats.py). Query counts
are pinned for a new learner and for one with 20,000 reviews: the same maximum, so an N+1 fails.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

import pytest
import time_machine
from django.urls import reverse

from cards.models import Card, Review
from tests.factories import (
    CardFactory,
    ConsiderationFactory,
    DeckFactory,
    ObjectiveFactory,
    ProgressFactory,
    ReviewFactory,
    SectionFactory,
    UserFactory,
    edition_2020,
    seed_history,
)

NOW = datetime(2026, 3, 12, 19, 0, tzinfo=UTC)  # Thursday 12 March 2026, 15:00 in New York
# session, user, the queue (6-7; no query for own and group decks when there are none), counts, retention, own cards
# (2), sections, activity, mock exams, the current edition for the invitation shown to a learner of an older one
# (these learners prepare for 2020), and the studied decks (4: decks, the groups sharing them, their cards, their
# due cards)
HOME_QUERIES = 21
SECTION_QUERIES = 14  # with own cards and mock exams; a new learner needs 12: empty id lists skip two queries
# Exactly, so that one more query per objective row (or a second look-up of the reviewed cards) shows: session, user,
# the section, counts, retention, reviewed cards, considerations with their objectives, their card counts, their
# recent failures, the history, own cards, forecast, intervals, mock exams.
SECTION_CURRICULUM_QUERIES = 14


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def text(response) -> str:
    """The page's text with tags removed and whitespace collapsed, to assert on what a reader sees."""
    html = re.sub(r"<svg.*?</svg>", " ", response.content.decode(), flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip()


def row_text(response, key: str) -> str:
    html = response.content.decode()
    match = re.search(rf'<tr id="c-{re.escape(key)}">(.*?)</tr>', html, flags=re.S)
    assert match, key
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", match.group(1))).strip()


def test_anonymous_is_sent_to_log_in(client, study_history):
    for url in (reverse("section_dashboard", args=["s1"]), reverse("section_practice", args=["s1"])):
        response = client.get(url)
        assert response.status_code == 302 and response.url.startswith(reverse("login"))


def test_unknown_section_is_404(learner_client, study_history):
    assert learner_client.get(reverse("section_dashboard", args=["nope"])).status_code == 404


def test_home_shows_todays_work_the_streak_and_a_tile_per_section(learner_client, study_history):
    response = learner_client.get(reverse("home"))
    assert response.status_code == 200
    page = text(response)
    assert "1 due 2 new 0 re-drill" in page
    assert "Start review" in page
    assert "2 reviews done today" in page  # the scheduled review and the re-drill; practice is not a review
    assert "5 of the last 7 days" in page and "7 of the last 30 days" in page
    assert "2 days in a row" in page
    assert "2 of 7 mastered · 2 learning · 1 due · 2 new" in page
    assert "1 of 1 mastered · 0 learning · 0 due · 0 new" in page
    assert "Readiness 34%" in page and "Readiness 100%" in page
    assert "Overall 42%" in page
    assert "coverage 63% (5 of 8 cards seen) × recent retention 67% (4 of 6 scheduled reviews" in page
    html = response.content.decode()
    assert f'href="{reverse("section_dashboard", args=["s1"])}"' in html
    assert f'href="{reverse("section_review", args=["s1"])}"' in html
    assert html.count('<svg class="chart chart-meter"') == 2


def test_home_before_any_study_says_a_missed_day_is_fine(learner_client, study_history, frozen):
    frozen.move_to(datetime(2026, 3, 20, 12, 0, tzinfo=UTC))  # a week later, nothing studied since
    page = text(learner_client.get(reverse("home")))
    assert "0 reviews done today" in page
    assert "0 of the last 7 days" in page and "7 of the last 30 days" in page
    assert "A missed day is fine" in page


def test_section_dashboard_shows_the_considerations_table(learner_client, study_history):
    response = learner_client.get(reverse("section_dashboard", args=["s1"]))
    assert response.status_code == 200
    # Cards, seen, mature, average easiness, lapses, due now, weakness.
    assert row_text(response, "1.1.1") == "1.1.1 Business use cases 3 2 1 2.35 1 0 29"
    assert row_text(response, "1.1.2") == "1.1.2 Success metrics 2 2 1 2.20 2 1 58"
    assert row_text(response, "1.2.1") == "1.2.1 Risks 2 0 0 – 0 0 not started"
    page = text(response)
    assert "1.1 Objective 1.1" in page and "1.2 Objective 1.2" in page  # grouped by objective
    assert "7 cards 4 seen 2 mature 1 due now" in page


def test_section_dashboard_shows_readiness_with_its_inputs(learner_client, study_history):
    page = text(learner_client.get(reverse("section_dashboard", args=["s1"])))
    assert (
        "This section 34% coverage 57% (4 of 7 cards seen) × recent retention 60% "
        "(3 of 5 scheduled reviews graded 3+ in the last 30 study days)"
    ) in page
    assert "All sections 42% coverage 63% (5 of 8 cards seen)" in page


def test_section_dashboard_links_review_and_the_weakest_drill(learner_client, study_history):
    response = learner_client.get(reverse("section_dashboard", args=["s1"]))
    html = response.content.decode()
    assert f'href="{reverse("section_review", args=["s1"])}"' in html
    assert f'href="{reverse("section_practice", args=["s1"])}"' in html
    assert "Drill covers 1.1.2, 1.1.1, as practice" in text(response)


def test_weakest_first_on_request_with_not_started_last(learner_client, study_history):
    response = learner_client.get(reverse("section_dashboard", args=["s1"]), {"sort": "weakest"})
    html = response.content.decode()
    positions = [html.index(f'id="c-{key}"') for key in ("1.1.2", "1.1.1", "1.2.1")]
    assert positions == sorted(positions)
    assert 'class="objective-row"' not in html  # a flat list once sorted by score
    assert '<strong aria-current="true">Weakest first</strong>' in html


def test_the_sorted_by_column_comes_right_after_the_name_and_says_so(learner_client, study_history):
    response = learner_client.get(reverse("section_dashboard", args=["s1"]), {"sort": "due"})
    headers = re.findall(r'<th scope="col"([^>]*)>([^<]*)</th>', response.content.decode())
    assert [name for _, name in headers][:3] == ["Consideration", "Due now", "Cards"]
    assert 'aria-sort="descending"' in headers[1][0]
    assert [attrs for attrs, _ in headers].count("") == len(headers) - 1  # one column carries the sort
    # The cells follow their headers: due now (1) first, then cards, seen, mature, easiness, lapses, weakness.
    assert row_text(response, "1.1.2") == "1.1.2 Success metrics 1 2 2 1 2.20 2 58"
    curriculum = learner_client.get(reverse("section_dashboard", args=["s1"]))
    assert "aria-sort" not in curriculum.content.decode()  # curriculum order sorts by no column


def test_an_unknown_sort_gets_a_400_with_a_message_and_the_usual_page(learner_client, study_history):
    response = learner_client.get(reverse("section_dashboard", args=["s1"]), {"sort": "'; drop table"})
    assert response.status_code == 400
    page = text(response)
    assert "Unknown sort" in page and "choose one of curriculum, weakest" in page
    assert "1.1.1 Business use cases" in page


def test_charts_are_inline_svg_with_title_description_and_numbers(learner_client, study_history):
    html = learner_client.get(reverse("section_dashboard", args=["s1"])).content.decode()
    for chart_id in ("forecast", "retention", "calendar", "grades", "intervals"):
        assert f'aria-labelledby="{chart_id}-title {chart_id}-desc"' in html
        assert f'<title id="{chart_id}-title">' in html and f'<desc id="{chart_id}-desc">' in html
        assert f'id="{chart_id}-figure"' in html
    assert html.count('role="img"') == 6  # the five charts and the mastery bar
    assert "style=" not in html
    assert "<script>" not in html
    # Text alternatives hold the numbers.
    assert '<th scope="row">Today</th><td>1</td>' in html  # forecast: b1, overdue
    assert '<th scope="row">3</th><td>2</td>' in html  # grades: two 3s
    assert '<th scope="row">Week of 2026-03-02</th><td>100% (1/1)</td><td>50% (1/2)</td>' in html
    assert '<th scope="row">Mar 2026</th><td>6</td><td>8</td>' in html  # calendar: days studied, reviews
    assert "9 reviews on 7 of the last 365 study days; the busiest day had 3." in html


def test_another_learner_sees_only_their_own_figures(client, study_history, outsider):
    client.force_login(outsider)
    response = client.get(reverse("section_dashboard", args=["s1"]))
    # Their a1: 9 lapses (capped at 1 per seen card), easiness 2.5, their one grade a 0: (1 + 0 + 1) / 3.
    assert row_text(response, "1.1.1") == "1.1.1 Business use cases 3 1 1 2.50 9 1 67"
    assert "This section 0% coverage 14% (1 of 7 cards seen) × recent retention 0% (0 of 1 scheduled" in text(response)


def _learner_with_reviews(count: int):
    """A learner of the 2020 exam (whose section is named below) with ``count`` reviews of its official deck."""
    user = UserFactory(username=f"heavy{count}", time_zone="America/New_York", exam_edition=edition_2020())
    if count:
        cards = list(Card.objects.filter(deck__edition__slug="pmle-2020"))
        seed_history(user, cards, reviews=count, end=date(2026, 3, 12), days=730)
    return user


# Exactly: the 20,000-review learner has grades below 4 today, so the queue adds its two re-drill queries.
@pytest.mark.parametrize(("reviews", "queries"), [(0, HOME_QUERIES - 2), (20_000, HOME_QUERIES)])
def test_home_query_count_does_not_grow_with_the_history(
    client, official_deck, django_assert_num_queries, reviews, queries
):
    client.force_login(_learner_with_reviews(reviews))
    assert Review.objects.count() == reviews
    client.get(reverse("home"))  # the exam deck's order is cached once per content version: warm
    with django_assert_num_queries(queries):
        response = client.get(reverse("home"))
    assert response.status_code == 200


@pytest.mark.parametrize("reviews", [0, 20_000])
def test_section_query_count_does_not_grow_with_the_history(
    client, official_deck, django_assert_max_num_queries, reviews
):
    client.force_login(_learner_with_reviews(reviews))
    slug = "ml-model-development"
    with django_assert_max_num_queries(SECTION_QUERIES):
        response = client.get(reverse("section_dashboard", args=[slug]), {"sort": "weakest"})
    assert response.status_code == 200
    assert len(response.context["rows"]) > 10


def test_a_consideration_without_cards_gets_a_row_of_zeros(learner_client, study_history):
    risks = study_history["considerations"][2]
    ConsiderationFactory(objective=risks.objective, position=3, title="Data privacy")
    response = learner_client.get(reverse("section_dashboard", args=["s1"]))
    assert response.status_code == 200
    assert row_text(response, "1.2.3") == "1.2.3 Data privacy 0 0 0 – 0 0 not started"


@pytest.mark.parametrize("objectives", [1, 3])
def test_the_section_page_in_curriculum_order_takes_the_same_queries_for_one_objective_or_three(
    learner_client, learner, objectives, django_assert_num_queries
):
    section, deck = SectionFactory(number=1, slug="s1"), DeckFactory(owner=None)
    for position in range(1, objectives + 1):
        objective = ObjectiveFactory(section=section, position=position)
        card = CardFactory(deck=deck, consideration=ConsiderationFactory(objective=objective))
        ProgressFactory(user=learner, card=card, repetitions=1, interval=3, due=date(2026, 3, 14))
        ReviewFactory(user=learner, card=card, kind="new", reviewed_at=NOW)
    with django_assert_num_queries(SECTION_CURRICULUM_QUERIES):
        response = learner_client.get(reverse("section_dashboard", args=["s1"]))
    assert response.content.decode().count('class="objective-row"') == objectives
