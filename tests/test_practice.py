"""Practice sessions over a section's weakest considerations: logged, but the SM-2 schedule is left alone.

Uses the hand-built ``study_history`` (conftest.py): in section 1 the weakest considerations are 1.1.2 (b1, b2) and
1.1.1 (a1, a2 seen; a3 new, so not practised). a1 was already practised today with a 0.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

import pytest
import time_machine
from django.urls import reverse

from cards.models import Card, Progress, Review
from cards.reviews import Scope, build_queue
from tests.factories import UserFactory, edition_2020, seed_history

HTMX = {"HTTP_HX_REQUEST": "true"}
NOW = datetime(2026, 3, 12, 19, 0, tzinfo=UTC)  # Thursday 12 March 2026, 15:00 in New York
PRACTICE_QUERIES = 12  # with the latest review of the day, which the undo form names
SM2_FIELDS = ("repetitions", "easiness", "interval", "due", "lapses")


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def url(name: str = "section_practice", slug: str = "s1") -> str:
    return reverse(name, args=[slug])


def practise(client, card: Card, quality, *, version=None, htmx=False, slug="s1", **data):
    if version is None:
        version = Progress.objects.get(user__username="learner", card=card).version
    form = {"card": card.id, "version": version, "quality": quality} | data
    return client.post(url("section_practice_grade", slug), form, **(HTMX if htmx else {}))


def state(card: Card) -> tuple:
    progress = Progress.objects.get(user__username="learner", card=card)
    return tuple(getattr(progress, f) for f in SM2_FIELDS)


def test_practice_page_lists_the_weakest_considerations_and_shows_their_first_card(learner_client, study_history):
    response = learner_client.get(url())
    assert response.status_code == 200
    html = response.content.decode()
    assert html.index("Success metrics") < html.index("Business use cases")  # 1.1.2 is weaker
    assert "(weakness 58)" in html and "(weakness 29)" in html
    queue = response.context["queue"]
    cards = study_history["cards"]
    assert queue.card == cards["b1"]
    assert queue.todo_ids == [cards["b1"].id, cards["b2"].id, cards["a2"].id]  # a3 is new: not practised
    assert queue.again_ids == [cards["a1"].id]  # practised with a 0 earlier today
    assert 'id="card-panel"' in html and 'id="show-answer"' in html
    assert f'href="{url()}?reveal={cards["b1"].id}"' in html
    assert '<p class="kind kind-practice">Practice</p>' in html
    assert "<strong>3</strong> to practise" in html and "<strong>1</strong> coming back" in html
    assert "re-drill</li>" not in html


def test_revealed_practice_card_posts_to_the_practice_url_and_says_what_grades_do(learner_client, study_history):
    b1 = study_history["cards"]["b1"]
    html = learner_client.get(url(), {"reveal": b1.id}).content.decode()
    assert f'action="{url("section_practice_grade")}"' in html
    assert html.count("again in this session") == 4 and html.count("done for this session") == 2
    assert f'action="{url("section_practice_undo")}"' in html


@pytest.mark.parametrize("htmx", [False, True])
def test_a_practice_grade_is_logged_and_leaves_the_schedule_alone(learner, learner_client, study_history, htmx):
    b1 = study_history["cards"]["b1"]
    before = state(b1)
    progress = Progress.objects.get(user=learner, card=b1)
    response = practise(learner_client, b1, 0, htmx=htmx)
    if htmx:
        assert response.status_code == 200
        html = response.content.decode()
        assert html.lstrip().startswith('<section id="card-panel"') and "<html" not in html
        assert study_history["cards"]["b2"].front in html
    else:
        assert response.status_code == 302 and response.url == url()
    assert state(b1) == before
    after = Progress.objects.get(user=learner, card=b1)
    assert (after.version, after.review_count, after.last_reviewed_at) == (
        progress.version + 1,
        progress.review_count + 1,
        NOW,
    )
    review = Review.objects.filter(user=learner).latest("id")
    assert (review.card, review.kind, review.grade, review.study_day) == (b1, "practice", 0, date(2026, 3, 12))
    assert (review.before_interval, review.after_interval, review.before_due, review.after_due) == (
        3,
        3,
        date(2026, 3, 5),
        date(2026, 3, 5),
    )


def test_practice_grades_do_not_count_as_reviews_done_today(learner_client, study_history):
    def reviews_today() -> str:
        html = learner_client.get(reverse("home")).content.decode()
        return re.search(r'<p class="reviews-today">(.*?)</p>', html).group(1)

    before = reviews_today()
    assert before == "<strong>2</strong> reviews done today"
    cards = study_history["cards"]
    for card in (cards["b1"], cards["b2"]):
        assert practise(learner_client, card, 5).status_code == 302
    assert Review.objects.filter(user__username="learner", kind="practice").count() == 3
    assert reviews_today() == before


def test_practice_does_not_touch_todays_queue_limits_or_re_drill(learner, learner_client, study_history):
    learner.max_reviews_per_day = 2  # a1's scheduled review this morning used one
    learner.save()
    queue_before = build_queue(learner, Scope(), NOW)
    cards = study_history["cards"]
    for name in ("b1", "b2", "a2"):
        practise(learner_client, cards[name], 1)
    queue_after = build_queue(learner, Scope(), NOW)
    assert (queue_after.due_ids, queue_after.new_ids, queue_after.drill_ids) == (
        queue_before.due_ids,
        queue_before.new_ids,
        queue_before.drill_ids,
    )
    assert queue_after.due_ids == [cards["b1"].id]  # still due, and the one-review limit is not used up


def test_low_grades_come_back_after_the_others_until_graded_4_or_more(learner_client, study_history):
    cards = study_history["cards"]
    practise(learner_client, cards["b1"], 2)
    practise(learner_client, cards["b2"], 5)
    practise(learner_client, cards["a2"], 4)
    queue = learner_client.get(url()).context["queue"]
    assert queue.todo_ids == []
    assert queue.again_ids == [cards["a1"].id, cards["b1"].id]  # a1 failed first (this morning)
    assert queue.card == cards["a1"]
    practise(learner_client, cards["a1"], 4)
    practise(learner_client, cards["b1"], 3)
    assert learner_client.get(url()).context["queue"].again_ids == [cards["b1"].id]
    practise(learner_client, cards["b1"], 4)
    response = learner_client.get(url())
    assert response.context["queue"].card is None
    assert "All done for now" in response.content.decode()
    assert response.context["queue"].done_count == 4


def test_a_practice_session_starts_afresh_on_the_next_study_day(learner_client, study_history, frozen):
    cards = study_history["cards"]
    for name in ("b1", "b2", "a2"):
        practise(learner_client, cards[name], 5)
    frozen.move_to(datetime(2026, 3, 13, 6, 0, tzinfo=UTC))  # 02:00 in New York: still the 12th
    assert learner_client.get(url()).context["queue"].todo_ids == []
    frozen.move_to(datetime(2026, 3, 13, 8, 0, tzinfo=UTC))  # 04:00: a new study day
    assert learner_client.get(url()).context["queue"].todo_ids == [cards[n].id for n in ("b1", "b2", "a1", "a2")]


@pytest.mark.parametrize("htmx", [False, True])
def test_a_double_submission_records_one_practice_grade(learner, learner_client, study_history, htmx):
    b1 = study_history["cards"]["b1"]
    version = Progress.objects.get(user=learner, card=b1).version
    practise(learner_client, b1, 4, version=version, htmx=htmx)
    second = practise(learner_client, b1, 4, version=version, htmx=htmx)
    assert Review.objects.filter(user=learner, kind="practice", card=b1).count() == 1
    page = second if htmx else learner_client.get(second.url)
    assert "already graded" in page.content.decode()


@pytest.mark.parametrize("htmx", [False, True])
@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"quality": "6"}, "from 0 to 5"),
        ({"quality": "x"}, "whole number"),
        ({"quality": ""}, "Choose a grade"),
        ({"card": "x"}, "Enter a whole number"),
        ({"version": ""}, "version"),
    ],
)
def test_bad_practice_submissions_get_a_400_and_change_nothing(learner_client, study_history, data, message, htmx):
    count = Review.objects.count()
    b1 = study_history["cards"]["b1"]
    form = {"card": b1.id, "version": 1, "quality": 4} | data
    response = learner_client.post(url("section_practice_grade"), form, **(HTMX if htmx else {}))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert Review.objects.count() == count


@pytest.mark.parametrize("htmx", [False, True])
def test_a_card_of_another_section_or_unknown_gets_404(learner_client, study_history, htmx):
    count = Review.objects.count()
    d1 = study_history["cards"]["d1"]
    response = practise(learner_client, d1, 4, htmx=htmx)
    assert response.status_code == 404
    assert "not part of this section" in response.content.decode()
    response = learner_client.post(
        url("section_practice_grade"), {"card": 999999, "version": 0, "quality": 4}, **(HTMX if htmx else {})
    )
    assert response.status_code == 404
    assert Review.objects.count() == count


def test_a_card_outside_the_weakest_considerations_is_not_practised(learner_client, study_history):
    count = Review.objects.count()
    response = practise(learner_client, study_history["cards"]["a3"], 4, version=0)  # a3 is new
    assert "not in this practice session" in learner_client.get(response.url).content.decode()
    assert Review.objects.count() == count


def test_unknown_section_is_404_for_every_practice_url(learner_client, study_history):
    assert learner_client.get(url(slug="nope")).status_code == 404
    assert learner_client.post(url("section_practice_grade", "nope"), {}).status_code == 404
    assert learner_client.post(url("section_practice_undo", "nope")).status_code == 404
    assert learner_client.get(url("section_practice_grade")).status_code == 405


def test_anonymous_cannot_practise(client, study_history):
    response = client.post(url("section_practice_grade"), {"card": 1, "version": 1, "quality": 4})
    assert response.status_code == 302 and response.url.startswith(reverse("login"))


@pytest.mark.parametrize("htmx", [False, True])
def test_undo_takes_back_a_practice_grade_exactly(learner, learner_client, study_history, htmx):
    b1 = study_history["cards"]["b1"]
    before = Progress.objects.get(user=learner, card=b1)
    practise(learner_client, b1, 1)
    response = learner_client.post(url("section_practice_undo"), **(HTMX if htmx else {}))
    after = Progress.objects.get(user=learner, card=b1)
    fields = (*SM2_FIELDS, "review_count", "last_reviewed_at")
    assert [getattr(after, f) for f in fields] == [getattr(before, f) for f in fields]
    assert Review.objects.get(user=learner, card=b1, kind="practice").undone_at == NOW
    page = response if htmx else learner_client.get(response.url)
    assert "Undone" in page.content.decode()
    assert page.context["queue"].card == b1


def test_a_learner_with_nothing_started_is_told_to_review_first(client, study_history):
    client.force_login(UserFactory(username="fresh"))
    response = client.get(url())
    assert response.status_code == 200
    assert "Nothing to practise yet" in response.content.decode()
    assert response.context["queue"].card is None


@pytest.mark.parametrize("reviews", [0, 20_000])
def test_practice_query_count_does_not_grow_with_the_history(
    client, official_deck, django_assert_max_num_queries, reviews
):
    user = UserFactory(username="heavy", time_zone="America/New_York", exam_edition=edition_2020())
    if reviews:  # otherwise a new learner, with no progress at all
        cards = list(Card.objects.filter(deck__edition__slug="pmle-2020"))
        seed_history(user, cards, reviews=reviews, end=date(2026, 3, 12), days=730)
    client.force_login(user)
    with django_assert_max_num_queries(PRACTICE_QUERIES):
        response = client.get(url(slug="ml-model-development"))
    assert response.status_code == 200
    assert (response.context["queue"].card is not None) == bool(reviews)
