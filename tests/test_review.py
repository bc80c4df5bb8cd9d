from __future__ import annotations

import random
import re
from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from cards import scheduling
from cards.models import Card, Progress, Review
from cards.reviews import Queue, Scope, build_queue, record_review, today_for
from tests.factories import (
    CardFactory,
    ConsiderationFactory,
    DeckFactory,
    DeckShareFactory,
    MembershipFactory,
    ObjectiveFactory,
    SectionFactory,
    StudyGroupFactory,
    UserFactory,
)

HTMX = {"HTTP_HX_REQUEST": "true"}
NOON = datetime(2026, 6, 10, 12, 0, tzinfo=UTC)  # study day 2026-06-10 for a UTC learner, rollover 04:00


@pytest.fixture
def deck(db):
    """Two sections, three cards each, in curriculum order."""
    official = DeckFactory(slug="official", owner=None)
    cards = []
    for n in (1, 2):
        section = SectionFactory(number=n, slug=f"s{n}", title=f"Section {n}")
        consideration = ConsiderationFactory(objective=ObjectiveFactory(section=section))
        cards += [CardFactory(deck=official, consideration=consideration, position=p) for p in range(3)]
    return cards


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOON, tick=False) as traveller:
        yield traveller


def post_grade(client, card, quality, version=None, url="grade", htmx=False, **extra):
    if version is None:
        progress = Progress.objects.filter(card=card).first()
        version = progress.version if progress else 0
    data = {"card": card.id, "version": version, "quality": quality}
    return client.post(reverse(url, **extra), data, **(HTMX if htmx else {}))


def test_anonymous_is_sent_to_log_in(client, deck):
    for url in (reverse("home"), reverse("review"), reverse("section_review", args=["s1"])):
        response = client.get(url)
        assert response.status_code == 302
        assert response.url.startswith(reverse("login"))
    response = client.post(reverse("grade"), {"card": deck[0].id, "version": 0, "quality": 5})
    assert response.status_code == 302
    assert not Review.objects.exists()


def test_review_page_shows_the_first_new_card_with_its_place_in_the_exam(learner_client, deck):
    response = learner_client.get(reverse("review"))
    assert response.status_code == 200
    html = response.content.decode()
    assert deck[0].front in html
    assert deck[0].consideration.title in html
    assert deck[0].consideration.objective.section.title in html
    assert deck[0].back not in html
    assert response.context["queue"].new_count == 6
    assert 'id="show-answer"' in html


def test_show_answer_reveals_back_and_six_grades_with_their_intervals(learner_client, deck):
    response = learner_client.get(reverse("review"), {"reveal": deck[0].id})
    html = response.content.decode()
    assert deck[0].back in html
    for q in range(6):
        assert f'name="quality" value="{q}"' in html
    assert html.count("1 day") == 6  # every grade of a new card gives 1 day
    assert "<html" in html


def test_show_answer_with_htmx_returns_only_the_card_panel(learner_client, deck):
    response = learner_client.get(reverse("review"), {"reveal": deck[0].id}, **HTMX)
    html = response.content.decode()
    assert html.lstrip().startswith('<section id="card-panel"')
    assert "<html" not in html
    assert deck[0].back in html


@pytest.mark.parametrize("htmx", [False, True])
def test_the_grade_forms_numbers_stay_plain_with_thousand_separators_on(learner, learner_client, deck, settings, htmx):
    """The card panel does not localise numbers: a version of 1,234 in the hidden field would not post back."""
    settings.USE_THOUSAND_SEPARATOR = True
    Progress.objects.create(user=learner, card=deck[0], due=date(2020, 1, 1), interval=1, repetitions=1, version=1234)
    response = learner_client.get(reverse("review"), {"reveal": deck[0].id}, **(HTMX if htmx else {}))
    form = dict(re.findall(r'name="(card|version)" value="([^"]*)"', response.content.decode()))
    assert form == {"card": str(deck[0].id), "version": "1234"}
    learner_client.post(reverse("grade"), {**form, "quality": 4}, **(HTMX if htmx else {}))
    assert Review.objects.filter(user=learner, card=deck[0]).count() == 1  # what the form sent was accepted


def test_grading_records_the_review_and_redirects_to_the_next_card(learner, learner_client, deck):
    response = post_grade(learner_client, deck[0], 4)
    assert response.status_code == 302
    assert response.url == reverse("review")
    progress = Progress.objects.get(user=learner, card=deck[0])
    assert (progress.repetitions, progress.interval, progress.due) == (1, 1, date(2026, 6, 11))
    assert progress.easiness == 2.5
    review = Review.objects.get()
    assert (review.grade, review.kind, review.study_day) == (4, "new", date(2026, 6, 10))
    assert (review.before_repetitions, review.after_repetitions, review.after_due) == (0, 1, date(2026, 6, 11))
    assert deck[1].front in learner_client.get(response.url).content.decode()


def test_grading_with_htmx_returns_the_next_card_panel(learner, learner_client, deck):
    response = post_grade(learner_client, deck[0], 5, htmx=True)
    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith('<section id="card-panel"')
    assert deck[1].front in html
    assert Review.objects.filter(user=learner).count() == 1


@pytest.mark.parametrize("htmx", [False, True])
@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"quality": "6"}, "from 0 to 5"),
        ({"quality": "-1"}, "from 0 to 5"),
        ({"quality": "abc"}, "whole number"),
        ({"quality": "2.5"}, "whole number"),
        ({"quality": ""}, "Choose a grade"),
        ({"quality": None}, "Choose a grade"),
        ({"card": "x"}, "Enter a whole number"),
        ({"card": str(2**64)}, "less than or equal"),
        ({"version": str(2**40)}, "less than or equal"),
        ({"version": "-1"}, "greater than or equal"),
        ({"card": None}, "no card"),
        ({"version": None}, "version"),
    ],
)
def test_bad_grade_submissions_get_a_400_and_change_nothing(learner_client, deck, data, message, htmx):
    form = {"card": deck[0].id, "version": 0, "quality": 4} | data
    form = {k: v for k, v in form.items() if v is not None}
    response = learner_client.post(reverse("grade"), form, **(HTMX if htmx else {}))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Review.objects.exists()
    assert not Progress.objects.exists()


@pytest.mark.parametrize("htmx", [False, True])
def test_unknown_card_gets_404_and_changes_nothing(learner_client, deck, htmx):
    response = learner_client.post(
        reverse("grade"), {"card": 999999, "version": 0, "quality": 4}, **(HTMX if htmx else {})
    )
    assert response.status_code == 404
    assert "does not exist" in response.content.decode()
    assert not Review.objects.exists()


@pytest.mark.parametrize("htmx", [False, True])
def test_another_learners_card_gets_404(learner_client, outsider, deck, htmx):
    private = CardFactory(deck=DeckFactory(owner=outsider), consideration=deck[0].consideration)
    response = post_grade(learner_client, private, 4, htmx=htmx)
    assert response.status_code == 404
    assert not Review.objects.exists()
    assert private.front not in learner_client.get(reverse("review")).content.decode()


def test_a_card_outside_the_section_scope_gets_404(learner_client, deck):
    response = post_grade(learner_client, deck[3], 4, url="section_grade", args=["s1"])
    assert response.status_code == 404
    assert not Review.objects.exists()


def test_unknown_section_gets_404(learner_client, deck):
    assert learner_client.get(reverse("section_review", args=["nope"])).status_code == 404


def test_section_review_only_serves_that_sections_cards(learner_client, deck):
    response = learner_client.get(reverse("section_review", args=["s2"]))
    assert response.context["queue"].card == deck[3]
    assert response.context["queue"].new_count == 3
    response = post_grade(learner_client, deck[3], 5, url="section_grade", args=["s2"])
    assert response.url == reverse("section_review", args=["s2"])


@pytest.mark.parametrize("htmx", [False, True])
def test_a_double_submission_records_exactly_one_review(learner, learner_client, deck, htmx):
    first = post_grade(learner_client, deck[0], 4, version=0, htmx=htmx)
    second = post_grade(learner_client, deck[0], 4, version=0, htmx=htmx)
    assert first.status_code in (200, 302) and second.status_code in (200, 302)
    assert Review.objects.filter(user=learner).count() == 1
    assert Progress.objects.get(user=learner, card=deck[0]).review_count == 1
    page = second if htmx else learner_client.get(second.url)
    html = page.content.decode()
    assert "already graded" in html
    assert deck[1].front in html  # the current next card


def test_a_second_tab_with_an_old_form_changes_nothing(learner, learner_client, deck):
    post_grade(learner_client, deck[0], 2)  # now version 1, in re-drill
    post_grade(learner_client, deck[0], 5, version=0)
    progress = Progress.objects.get(user=learner, card=deck[0])
    assert (progress.repetitions, progress.version) == (0, 1)
    assert Review.objects.count() == 1


def test_cards_graded_below_4_come_back_after_the_others_without_changing_their_schedule(learner, learner_client, deck):
    post_grade(learner_client, deck[0], 2, url="section_grade", args=["s1"])
    post_grade(learner_client, deck[1], 3, url="section_grade", args=["s1"])
    after_first = Progress.objects.get(user=learner, card=deck[0])
    response = learner_client.get(reverse("section_review", args=["s1"]))
    queue = response.context["queue"]
    assert queue.card == deck[2]
    assert queue.drill_ids == [deck[0].id, deck[1].id]
    post_grade(learner_client, deck[2], 5, url="section_grade", args=["s1"])
    queue = learner_client.get(reverse("section_review", args=["s1"])).context["queue"]
    assert (queue.card, queue.kind) == (deck[0], "drill")
    post_grade(learner_client, deck[0], 3, url="section_grade", args=["s1"])  # still below 4: comes back again
    post_grade(learner_client, deck[1], 4, url="section_grade", args=["s1"])  # done for today
    queue = learner_client.get(reverse("section_review", args=["s1"])).context["queue"]
    assert queue.drill_ids == [deck[0].id]
    drilled = Progress.objects.get(user=learner, card=deck[0])
    assert (drilled.repetitions, drilled.easiness, drilled.interval, drilled.due) == (
        after_first.repetitions,
        after_first.easiness,
        after_first.interval,
        after_first.due,
    )
    assert list(Review.objects.filter(card=deck[0]).values_list("kind", flat=True)) == ["new", "drill"]
    post_grade(learner_client, deck[0], 5, url="section_grade", args=["s1"])
    response = learner_client.get(reverse("section_review", args=["s1"]))
    assert response.context["queue"].card is None
    assert "All done for now" in response.content.decode()
    assert "Thursday 11 June 2026" in response.content.decode()


def test_drill_buttons_say_what_they_do(learner_client, deck):
    post_grade(learner_client, deck[0], 1, url="section_grade", args=["s1"])
    for card in deck[1:3]:
        post_grade(learner_client, card, 5, url="section_grade", args=["s1"])
    html = learner_client.get(reverse("section_review", args=["s1"]), {"reveal": deck[0].id}).content.decode()
    assert "again today" in html and "done for today" in html


def test_new_cards_stop_at_the_daily_limit(learner, learner_client, deck):
    learner.new_cards_per_day = 2
    learner.save()
    assert learner_client.get(reverse("review")).context["queue"].new_ids == [deck[0].id, deck[1].id]
    post_grade(learner_client, deck[0], 5)
    assert learner_client.get(reverse("review")).context["queue"].new_ids == [deck[1].id]
    post_grade(learner_client, deck[1], 5)
    assert learner_client.get(reverse("review")).context["queue"].card is None
    response = post_grade(learner_client, deck[2], 5)  # a hand-made POST for a card over the limit
    assert Review.objects.count() == 2
    assert "not in today" in learner_client.get(response.url).content.decode()


def test_due_cards_come_first_oldest_due_first_and_stop_at_the_daily_maximum(learner, learner_client, deck, frozen):
    for card in deck[:3]:
        post_grade(learner_client, card, 5)
    frozen.move_to(datetime(2026, 6, 12, 12, 0, tzinfo=UTC))
    Progress.objects.filter(card=deck[2]).update(due=date(2026, 6, 9))
    learner.max_reviews_per_day = 2
    learner.save()
    queue = learner_client.get(reverse("review")).context["queue"]
    assert queue.due_ids == [deck[2].id, deck[0].id]
    assert queue.card == deck[2] and queue.kind == "scheduled"
    post_grade(learner_client, deck[2], 4)
    post_grade(learner_client, deck[0], 4)
    queue = learner_client.get(reverse("review")).context["queue"]
    assert queue.due_ids == []
    assert queue.card == deck[3]  # new cards still come
    assert Progress.objects.get(card=deck[0]).interval == 6


def test_a_review_at_1_30_belongs_to_the_evening_before(learner, learner_client, deck, frozen):
    learner.time_zone = "America/New_York"
    learner.save()
    frozen.move_to(datetime(2026, 6, 11, 5, 30, tzinfo=UTC))  # 01:30 in New York on the 11th
    post_grade(learner_client, deck[0], 5)
    review = Review.objects.get()
    assert review.study_day == date(2026, 6, 10)
    assert Progress.objects.get(card=deck[0]).due == date(2026, 6, 11)
    frozen.move_to(datetime(2026, 6, 11, 8, 0, tzinfo=UTC))  # 04:00 in New York: the next study day
    assert learner_client.get(reverse("review")).context["queue"].due_ids == [deck[0].id]


def test_suspended_cards_never_appear(learner, learner_client, deck):
    Progress.objects.create(user=learner, card=deck[0], suspended=True)
    queue = learner_client.get(reverse("review")).context["queue"]
    assert deck[0].id not in queue.new_ids
    assert queue.card == deck[1]


@pytest.mark.parametrize("htmx", [False, True])
def test_undo_restores_the_state_before_exactly(learner, learner_client, deck, frozen, htmx):
    post_grade(learner_client, deck[0], 5)
    frozen.move_to(datetime(2026, 6, 11, 12, 0, tzinfo=UTC))
    before = Progress.objects.get(card=deck[0])
    post_grade(learner_client, deck[0], 1)
    response = learner_client.post(reverse("undo"), **(HTMX if htmx else {}))
    after = Progress.objects.get(card=deck[0])
    fields = ("repetitions", "easiness", "interval", "due", "lapses", "review_count", "last_reviewed_at")
    assert [getattr(after, f) for f in fields] == [getattr(before, f) for f in fields]
    assert after.version > before.version
    assert Review.objects.filter(undone_at__isnull=True).count() == 1
    html = (response if htmx else learner_client.get(response.url)).content.decode()
    assert "Undone" in html
    assert deck[0].front in html  # the undone card is shown again


def test_undo_of_a_first_review_makes_the_card_new_again_and_walks_back_through_today(learner, learner_client, deck):
    post_grade(learner_client, deck[0], 5)
    post_grade(learner_client, deck[1], 2)
    learner_client.post(reverse("undo"))
    learner_client.post(reverse("undo"))
    queue = learner_client.get(reverse("review")).context["queue"]
    assert queue.new_ids[:2] == [deck[0].id, deck[1].id]
    assert queue.drill_ids == []
    assert not Progress.objects.filter(due__isnull=False).exists()
    response = learner_client.post(reverse("undo"))
    assert "Nothing to undo" in learner_client.get(response.url).content.decode()


def test_undo_does_not_reach_into_yesterday(learner, learner_client, deck, frozen):
    post_grade(learner_client, deck[0], 5)
    frozen.move_to(datetime(2026, 6, 11, 12, 0, tzinfo=UTC))
    learner_client.post(reverse("undo"))
    assert Progress.objects.get(card=deck[0]).repetitions == 1


def test_undo_and_grade_refuse_get(learner_client, deck):
    assert learner_client.get(reverse("undo")).status_code == 405
    assert learner_client.get(reverse("grade")).status_code == 405


def test_retired_cards_are_not_studied(learner_client, deck):
    deck[0].retired = True
    deck[0].save()
    assert learner_client.get(reverse("review")).context["queue"].card == deck[1]
    assert post_grade(learner_client, deck[0], 5).status_code == 404


def test_home_lists_sections_with_due_and_new(learner_client, deck):
    response = learner_client.get(reverse("home"))
    assert response.status_code == 200
    rows = response.context["overview"].sections
    assert [(r.section.number, r.new, r.due) for r in rows] == [(1, 3, 0), (2, 3, 0)]
    assert reverse("section_review", args=["s1"]) in response.content.decode()


# The buttons' promises, as a table: the dry run of SM-2 on the card shown (no database needed). A grade below 4
# also brings the card back in today's re-drill, and says so.
SEEN = Progress(repetitions=2, easiness=2.5, interval=600, due=date(2026, 6, 10))
ONCE = Progress(repetitions=1, easiness=2.5, interval=1, due=date(2026, 6, 10))
AGAIN = ", again today"


@pytest.mark.parametrize(
    ("progress", "kind", "effects"),
    [
        (None, Review.Kind.NEW, ["1 day" + AGAIN] * 4 + ["1 day"] * 2),
        (Progress(), Review.Kind.NEW, ["1 day" + AGAIN] * 4 + ["1 day"] * 2),  # first review undone: new again
        (ONCE, Review.Kind.SCHEDULED, ["1 day" + AGAIN] * 3 + ["6 days" + AGAIN] + ["6 days"] * 2),
        (SEEN, Review.Kind.SCHEDULED, ["1 day" + AGAIN] * 3 + ["1,500 days" + AGAIN] + ["1,500 days"] * 2),
        (SEEN, Review.Kind.DRILL, ["again today"] * 4 + ["done for today"] * 2),
    ],
)
def test_each_grade_button_says_exactly_what_it_will_do(progress, kind, effects):
    queue = Queue(today=date(2026, 6, 10), card=Card(), progress=progress, kind=kind)
    buttons = scheduling.review_buttons(User(), queue)
    assert [(b.grade, b.key, b.effect) for b in buttons] == [(q, str(q), e) for q, e in enumerate(effects)]


def test_the_compact_layout_sends_1_3_4_5_on_keys_1_to_4_with_sm2_intervals():
    queue = Queue(today=date(2026, 6, 10), card=Card(), progress=ONCE, kind=Review.Kind.SCHEDULED)
    buttons = scheduling.review_buttons(User(compact_grades=True), queue)
    assert [(b.grade, b.key, b.label, b.effect) for b in buttons] == [
        (1, "1", "Again", "1 day" + AGAIN),
        (3, "2", "Hard", "6 days" + AGAIN),
        (4, "3", "Good", "6 days"),
        (5, "4", "Easy", "6 days"),
    ]


@pytest.mark.parametrize("htmx", [False, True])
def test_undo_in_a_section_of_a_grade_from_elsewhere_shows_the_card_it_brought_back(learner_client, deck, htmx):
    first = deck[0]  # section 1, graded in the whole review
    post_grade(learner_client, first, 4)
    response = learner_client.post(reverse("section_undo", args=["s2"]), **(HTMX if htmx else {}))
    target = reverse("review") + f"?card={first.id}"
    if htmx:
        assert response.status_code == 200 and response["HX-Redirect"] == target
    else:
        assert response.status_code == 302 and response["Location"] == target
    assert Progress.objects.get(card=first).due is None  # undone
    page = learner_client.get(target)
    assert page.context["queue"].card == first
    assert "here it is in your whole review" in page.content.decode()


def test_undo_in_the_section_of_its_own_grade_stays_in_the_section(learner_client, deck):
    card = deck[3]  # section 2
    post_grade(learner_client, card, 4, url="section_grade", args=["s2"])
    response = learner_client.post(reverse("section_undo", args=["s2"]))
    assert response["Location"] == reverse("section_review", args=["s2"]) + f"?card={card.id}"


# --- The queue a grade leaves: updated from the plan made before the grade, never planned twice ------------------


def queue_figures(queue) -> dict:
    return {
        "due": queue.due_ids,
        "backlog": queue.backlog,
        "new": queue.new_ids,
        "drill": queue.drill_ids,
        "last review": queue.last_review_id,
        "card": queue.card.id if queue.card else None,
        "kind": queue.kind,
        "version": queue.version,
        "next due": queue.next_due,
        "more new": queue.more_new,
    }


@pytest.mark.parametrize("seed", range(6))
def test_the_queue_a_grade_returns_is_the_queue_built_afresh(db, seed):
    """Random grades through a day with every kind of card (due beyond the review limit, new cards of the exam deck
    and of a group's deck beyond the new limit, the re-drill, a leech suspended on its lapse, a buried card): after
    each grade the queue record_review returns equals the one build_queue makes from the database."""
    rng = random.Random(seed)
    learner = UserFactory(new_cards_per_day=4, max_reviews_per_day=5, own_new_share=50, leech_threshold=2)
    learner.suspend_leeches = True
    learner.save()
    official = DeckFactory(owner=None)
    objective = ObjectiveFactory()
    exam_cards = [
        CardFactory(deck=official, consideration=ConsiderationFactory(objective=objective, position=n), position=1)
        for n in range(1, 13)
    ]
    shared = DeckFactory(owner=UserFactory(), edition=None)
    group = StudyGroupFactory()
    MembershipFactory(group=group, user=learner)
    DeckShareFactory(deck=shared, group=group)
    group_cards = [CardFactory(deck=shared, consideration=None, position=n) for n in range(4)]
    now = timezone.now()
    today = today_for(learner, now)
    for n, card in enumerate(exam_cards[:7] + group_cards[:1]):
        Progress.objects.create(
            user=learner,
            card=card,
            repetitions=2,
            interval=3 + n,
            due=today - timedelta(days=n),
            lapses=n % 2,
            version=1,
        )
    Progress.objects.filter(card=exam_cards[6]).update(buried_until=today + timedelta(days=1))
    scope = Scope()
    queue = build_queue(learner, scope, now)
    grades, kinds = 0, set()
    while queue.card is not None and grades < 40:
        kinds.add(queue.kind)
        outcome = record_review(
            user=learner,
            scope=scope,
            card_id=queue.card.id,
            quality=rng.choice([0, 2, 3, 4, 5, 5]),
            version=queue.version,
            now=now,
            next_card=True,
        )
        assert outcome.recorded, outcome.notice
        grades += 1
        fresh = build_queue(learner, scope, now)
        assert queue_figures(outcome.queue) == queue_figures(fresh), f"after grade {grades}"
        queue = outcome.queue
    assert queue.card is None and kinds == {"scheduled", "new", "drill"}  # the day was worked through to its end


def test_a_grade_that_leaves_its_card_due_today_plans_the_queue_afresh(db):
    """A card to re-drill whose due day was set to today (an edit of its progress in admin, say): its drill grade
    leaves it due, which only a new plan places, so the queue the grade returns is planned again."""
    learner = UserFactory()
    deck = DeckFactory(owner=None)
    cards = [CardFactory(deck=deck, consideration=ConsiderationFactory(position=n), position=1) for n in (1, 2)]
    now = timezone.now()
    today = today_for(learner, now)
    for card in cards:
        Progress.objects.create(user=learner, card=card, repetitions=2, interval=3, due=today, version=1)
    scope = Scope()
    first = build_queue(learner, scope, now)
    outcome = record_review(user=learner, scope=scope, card_id=first.card.id, quality=2, version=1, now=now)
    assert outcome.queue.drill_ids == [first.card.id]
    assert outcome.queue.card is None  # without next_card (a plain POST, which redirects) no card is read
    Progress.objects.filter(user=learner, card=first.card).update(due=today)
    drilled = record_review(
        user=learner, scope=scope, card_id=first.card.id, quality=5, version=2, now=now, next_card=True
    )
    assert drilled.review.kind == "drill"
    assert queue_figures(drilled.queue) == queue_figures(build_queue(learner, scope, now))
    assert first.card.id in drilled.queue.due_ids
