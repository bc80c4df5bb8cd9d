"""The study plan: due cards most at risk first, own decks' share of new cards, "study N more today", the plan to
the exam date, and leeches."""

from __future__ import annotations

import re
from collections import Counter
from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from django.urls import reverse

from cards import card_stats
from cards.models import ExtraNewCards, Progress
from cards.reviews import Scope, at_risk_first, build_queue, interleave_new
from tests.factories import CardFactory, ConsiderationFactory, DeckFactory, ObjectiveFactory, SectionFactory

NOON = datetime(2026, 6, 10, 12, 0, tzinfo=UTC)
TODAY = date(2026, 6, 10)
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOON, tick=False) as traveller:
        yield traveller


# --- the order of due cards -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("rows", "order"),
    [
        # (card, due, interval): 2 days late on a 1-day interval is riskier than 10 days late on 100 days.
        ([(1, TODAY - timedelta(10), 100), (2, TODAY - timedelta(2), 1)], [2, 1]),
        # Nothing overdue: oldest due first (all are due today: ties go to the card id).
        ([(3, TODAY, 5), (1, TODAY, 30), (2, TODAY, 1)], [1, 2, 3]),
        # The same ratio: the older due day first, then the card id.
        ([(5, TODAY - timedelta(4), 4), (4, TODAY - timedelta(2), 2), (6, TODAY - timedelta(2), 2)], [5, 4, 6]),
    ],
)
def test_due_cards_are_served_most_at_risk_first(rows, order):
    assert [row[0] for row in sorted(rows, key=lambda r: at_risk_first(r, TODAY))] == order


def test_the_queue_serves_the_most_overdue_relative_to_its_interval_first(learner):
    deck = DeckFactory(owner=None)
    consideration = ConsiderationFactory(objective=ObjectiveFactory(section=SectionFactory(number=1)))
    long, short, fresh = (CardFactory(deck=deck, consideration=consideration, position=p) for p in range(3))
    Progress.objects.create(user=learner, card=long, repetitions=4, interval=100, due=TODAY - timedelta(10))
    Progress.objects.create(user=learner, card=short, repetitions=1, interval=1, due=TODAY - timedelta(2))
    Progress.objects.create(user=learner, card=fresh, repetitions=2, interval=6, due=TODAY)
    learner.max_reviews_per_day = 2
    assert build_queue(learner, Scope(), NOON).due_ids == [short.id, long.id]


# --- own decks' share of the new cards --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("official", "others", "room", "share", "expected"),
    [
        ([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], [91, 92, 93], 10, 30, [1, 91, 2, 3, 92, 4, 5, 6, 93, 7]),
        ([1, 2, 3], [91, 92, 93, 94, 95], 6, 30, [91, 1, 92, 2, 93, 3]),  # the exam deck runs out: half and half
        ([1, 2, 3], [], 3, 30, [1, 2, 3]),
        ([], [91, 92], 5, 30, [91, 92]),
        ([1, 2], [91, 92], 2, 50, [91, 1]),
        ([1, 2], [91, 92], 0, 30, []),
        ([1, 2, 3, 4], [91], 4, 0, [1, 2, 3, 4]),
    ],
)
def test_new_cards_are_shared_between_the_exam_deck_and_own_decks(official, others, room, share, expected):
    assert interleave_new(official, others, room, share) == expected


# --- study N more today -----------------------------------------------------------------------------------------


@pytest.fixture
def deck_with_new_cards(learner):
    mine = DeckFactory(owner=learner, slug="mine")
    cards = [CardFactory(deck=mine, consideration=None, position=p) for p in range(6)]
    learner.new_cards_per_day = 2
    learner.save()
    for card in cards[:2]:  # today's two new cards are already started
        Progress.objects.create(user=learner, card=card, repetitions=1, interval=1, due=TODAY + timedelta(1))
        from tests.factories import ReviewFactory

        ReviewFactory(user=learner, card=card, kind="new", grade=4, reviewed_at=NOON - timedelta(hours=1))
    return mine, cards


@pytest.mark.parametrize("htmx", [False, True])
def test_study_more_raises_todays_limit_of_that_scope_only(learner_client, learner, deck_with_new_cards, htmx):
    mine, cards = deck_with_new_cards
    page = learner_client.get(reverse("deck_review", args=["mine"]))
    assert page.context["queue"].card is None and "Study more new cards today from this deck" in page.content.decode()
    response = learner_client.post(reverse("deck_study_more", args=["mine"]), {"count": "3"}, **(HTMX if htmx else {}))
    assert response.status_code == (200 if htmx else 302)
    assert build_queue(learner, Scope(deck=mine), NOON).new_ids == [c.id for c in cards[2:5]]
    assert build_queue(learner, Scope(), NOON).new_ids == []  # everything else keeps its limit
    assert ExtraNewCards.objects.get(user=learner).count == 3
    # Tomorrow the extra is gone.
    assert len(build_queue(learner, Scope(deck=mine), NOON + timedelta(days=1)).new_ids) == 2


@pytest.mark.parametrize("count", ["0", "201", "²", "", "ten"])
def test_a_bad_study_more_count_is_a_400_and_changes_nothing(learner_client, learner, deck_with_new_cards, count):
    response = learner_client.post(reverse("study_more"), {"count": count})
    assert response.status_code == 400
    assert not ExtraNewCards.objects.exists()


def test_study_more_on_someone_elses_deck_is_a_404(learner_client, deck_with_new_cards, outsider):
    DeckFactory(owner=outsider, slug="theirs")
    assert learner_client.post(reverse("deck_study_more", args=["theirs"]), {"count": "3"}).status_code == 404
    assert not ExtraNewCards.objects.exists()


# --- the plan to the exam date ----------------------------------------------------------------------------------


def plan_for(learner, *, exam_date, new_left, limit=20, share=30, own=False, days_before=14):
    from cards.stats import study_plan

    learner.exam_date, learner.new_cards_per_day, learner.own_new_share = exam_date, limit, share
    learner.plan_days_before = days_before
    return study_plan(learner, TODAY, new_left, own_share_applies=own)


def test_a_learner_60_days_before_the_exam_is_told_the_pace_and_the_finish_day(learner):
    # 60 days to 9 August; every card seen by 26 July: 47 study days from 10 June, both included.
    plan = plan_for(learner, exam_date=date(2026, 8, 9), new_left=349, limit=5)
    assert (plan.status, plan.days_left, plan.needed_per_day, plan.suggested_limit) == ("behind", 47, 8, 8)
    assert plan.target_day == date(2026, 7, 26)
    assert plan.finish_on == date(2026, 8, 18)  # 70 days at 5 a day: too late
    plan = plan_for(learner, exam_date=date(2026, 8, 9), new_left=349, limit=8)
    assert (plan.status, plan.finish_on) == ("on-track", date(2026, 7, 23))


def test_own_decks_taking_their_share_raise_the_suggested_limit(learner):
    plan = plan_for(learner, exam_date=date(2026, 8, 9), new_left=349, limit=8, own=True)
    # 8 a day, 30% (2) to own decks: 6 for the exam, 8 needed; 11 a day gives the exam 8 (11 - round(3.3)).
    assert (plan.status, plan.exam_per_day, plan.suggested_limit) == ("behind", 6, 11)


@pytest.mark.parametrize(
    ("limit", "share", "own", "exam_per_day"),
    [
        (100, 30, False, 100),  # own decks with nothing new take no share, not even 1%
        (200, 30, True, 140),  # 30% of 200 is 60, not round(59.4)
    ],
)
def test_the_exam_deck_gets_the_limit_less_the_own_decks_exact_share(learner, limit, share, own, exam_per_day):
    plan = plan_for(learner, exam_date=date(2026, 12, 1), new_left=1000, limit=limit, share=share, own=own)
    assert plan.exam_per_day == exam_per_day


def test_when_own_decks_take_the_whole_limit_the_plan_names_no_finish_day(learner):
    plan = plan_for(learner, exam_date=date(2026, 12, 1), new_left=100, limit=20, share=100, own=True)
    assert (plan.status, plan.exam_per_day, plan.finish_on) == ("behind", 0, None)


def test_home_gives_own_decks_their_share_while_they_have_new_cards(learner):
    from cards.stats import home_overview

    CardFactory(deck=DeckFactory(owner=learner), consideration=None)
    learner.exam_date, learner.new_cards_per_day, learner.own_new_share = date(2026, 12, 1), 20, 30
    learner.save()
    assert home_overview(learner, NOON).plan.exam_per_day == 14


@pytest.mark.parametrize(
    ("exam_date", "new_left", "status"),
    [(None, 100, "no-date"), (date(2026, 6, 9), 100, "past"), (date(2026, 9, 1), 0, "all-seen")],
)
def test_the_plan_without_a_date_past_it_or_with_everything_seen(learner, exam_date, new_left, status):
    assert plan_for(learner, exam_date=exam_date, new_left=new_left).status == status


def test_inside_the_margin_the_plan_asks_for_everything_today(learner):
    plan = plan_for(learner, exam_date=date(2026, 6, 20), new_left=30)  # the target day, 6 June, has passed
    assert (plan.days_left, plan.needed_per_day, plan.suggested_limit) == (1, 30, 30)
    plan = plan_for(learner, exam_date=date(2026, 6, 20), new_left=30, own=True)
    assert plan.suggested_limit == 43  # 43 - round(12.9) = 30 for the exam deck


def test_on_the_exam_day_itself_the_plan_still_counts_the_cards_left(learner_client, learner, exam_deck):
    plan = plan_for(learner, exam_date=TODAY, new_left=30)
    assert (plan.status, plan.days_left, plan.needed_per_day, plan.suggested_limit) == ("behind", 1, 30, 30)
    assert plan_for(learner, exam_date=TODAY, new_left=0).status == "all-seen"
    learner.refresh_from_db()
    learner.exam_date = TODAY
    learner.save()
    html = learner_client.get(reverse("home")).content.decode()
    assert "has passed" not in html
    assert "<strong>40</strong> exam cards still new; 1 study day to go: <strong>40</strong> a day needed" in html


def test_own_cards_started_or_suspended_leave_no_new_cards_to_share_the_daily_limit(learner):
    from cards.stats import own_new_cards_left

    started, suspended = CardFactory.create_batch(2, deck=DeckFactory(owner=learner), consideration=None)
    Progress.objects.create(user=learner, card=started, repetitions=1, interval=1, due=TODAY, version=1)
    Progress.objects.create(user=learner, card=suspended, suspended=True)
    assert not own_new_cards_left(learner)
    CardFactory(deck=started.deck, consideration=None)
    assert own_new_cards_left(learner)


@pytest.fixture
def exam_deck(learner):
    deck = DeckFactory(owner=None)
    consideration = ConsiderationFactory(objective=ObjectiveFactory(section=SectionFactory(number=1)))
    return [CardFactory(deck=deck, consideration=consideration, position=p) for p in range(40)]


def test_home_shows_the_plan_and_one_click_applies_the_suggested_limit(learner_client, learner, exam_deck):
    assert "Booked the exam?" in learner_client.get(reverse("home")).content.decode()
    assert learner_client.post(reverse("set_exam_date"), {"exam_date": "2026-06-30"}).status_code == 302
    html = learner_client.get(reverse("home")).content.decode()
    # 40 new cards, target day 16 June: 7 study days, 6 a day; the limit of 20 is enough.
    assert "<strong>40</strong> exam cards still new; 7 study days to go: <strong>6</strong> a day needed" in html
    assert "On track" in html
    learner.refresh_from_db()
    learner.new_cards_per_day = 3
    learner.save()
    html = learner_client.get(reverse("home")).content.decode()
    assert "Behind: raise to 6 a day, or finish on 23 June." in html
    learner_client.post(reverse("apply_plan"))
    learner.refresh_from_db()
    assert learner.new_cards_per_day == 6
    learner_client.post(reverse("apply_plan"))  # on track now: nothing changes
    learner.refresh_from_db()
    assert learner.new_cards_per_day == 6


def test_a_past_exam_date_is_offered_to_be_cleared(learner_client, learner, exam_deck):
    learner.exam_date = date(2026, 6, 1)
    learner.save()
    html = learner_client.get(reverse("home")).content.decode()
    assert "has passed" in html and "Clear the date" in html
    learner_client.post(reverse("set_exam_date"), {"exam_date": ""})
    learner.refresh_from_db()
    assert learner.exam_date is None


@pytest.mark.parametrize("value", ["2026-06-09", "tomorrow", "2026-13-01"])
def test_a_bad_or_past_exam_date_is_refused(learner_client, learner, value):
    learner_client.post(reverse("set_exam_date"), {"exam_date": value})
    learner.refresh_from_db()
    assert learner.exam_date is None


# --- load balancing ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("interval", "spread"), [(1, 0), (2, 0), (3, 1), (6, 1), (7, 2), (19, 2), (20, 3), (100, 5), (400, 14), (36500, 14)]
)
def test_the_fuzz_range_grows_with_the_interval(interval, spread):
    from cards.balance import fuzz_range

    assert fuzz_range(interval) == spread


def test_the_balanced_day_is_the_least_loaded_and_ties_follow_a_seeded_order():
    from cards.balance import balanced_shift

    assert balanced_shift(15, {-2: 9, -1: 4, 0: 7, 1: 0, 2: 3}, "1:2:3") == 1
    shifts = {balanced_shift(15, {}, f"{learner}:7:2") for learner in range(20)}
    assert shifts == {-2, -1, 0, 1, 2}  # no load: learners who started together spread over the whole range
    assert balanced_shift(15, {}, "5:7:2") == balanced_shift(15, {}, "5:7:2")
    assert balanced_shift(2, {0: 50}, "5:7:2") == 0  # under 3 days nothing moves


@pytest.fixture
def official_cards(learner):
    deck = DeckFactory(owner=None)
    consideration = ConsiderationFactory(objective=ObjectiveFactory(section=SectionFactory(number=1)))
    return [CardFactory(deck=deck, consideration=consideration, position=p) for p in range(30)]


def test_a_grade_lands_on_the_least_loaded_day_moving_only_the_due_day(learner, official_cards):
    from cards.reviews import record_review, undo_last_review

    card, *others = official_cards
    Progress.objects.create(user=learner, card=card, repetitions=2, interval=6, easiness=2.5, due=TODAY, version=1)
    # Days 13 to 17 from today: every day busy but the 16th.
    for n, other in enumerate(others[:20]):
        day = TODAY + timedelta(days=[13, 14, 15, 17][n % 4])
        Progress.objects.create(user=learner, card=other, repetitions=2, interval=6, due=day, version=1)
    outcome = record_review(user=learner, scope=Scope(), card_id=card.id, quality=4, version=1, now=NOON)
    progress = Progress.objects.get(user=learner, card=card)
    assert (progress.interval, progress.due) == (15, TODAY + timedelta(days=16))  # SM-2 says 15; the day moved
    assert (outcome.review.after_interval, outcome.review.due_shift) == (15, 1)
    undo_last_review(user=learner, now=NOON)
    progress.refresh_from_db()
    assert (progress.interval, progress.due, progress.repetitions) == (6, TODAY, 2)


def test_a_replay_of_the_log_reproduces_balanced_due_days_and_refuses_one_out_of_range(learner, official_cards):
    from cards.models import Review
    from cards.replay import check_user
    from cards.reviews import record_review

    learner.new_cards_per_day = 10
    cards = official_cards[:10]
    day = NOON
    for _ in range(3):  # new -> 1 day -> 6 days -> 15 days, each grade on the card's due day
        for card in cards:
            progress = Progress.objects.filter(user=learner, card=card).first()
            at = day if progress is None else datetime.combine(progress.due, NOON.timetz())
            with time_machine.travel(at, tick=False):
                version = progress.version if progress else 0
                assert record_review(
                    user=learner, scope=Scope(), card_id=card.id, quality=4, version=version, now=at
                ).recorded
    shifts = list(Review.objects.filter(user=learner, after_interval__gte=3).values_list("due_shift", flat=True))
    assert len(shifts) == 20 and any(shifts)  # the 6- and 15-day intervals moved, some of them
    assert check_user(learner.id) == []
    review = Review.objects.filter(user=learner, after_interval=15).first()
    Review.objects.filter(id=review.id).update(due_shift=5, after_due=review.study_day + timedelta(days=20))
    Progress.objects.filter(user=learner, card=review.card).update(due=review.study_day + timedelta(days=20))
    assert any("outside the balancing range" in p for p in check_user(learner.id))


def test_twenty_learners_who_started_together_do_not_all_meet_on_one_day(official_cards):
    """Twenty learners grade the same ten cards 4 on the same days; without balancing each card would fall due
    on the same day for all of them. With it, the busiest day carries fewer reviews."""
    from cards.reviews import record_review
    from tests.factories import UserFactory

    learners = [UserFactory(username=f"team{n}", new_cards_per_day=10) for n in range(20)]
    cards = official_cards[:10]
    for user in learners:
        for card in cards:
            Progress.objects.create(user=user, card=card, repetitions=2, interval=6, easiness=2.5, due=TODAY, version=1)
            record_review(user=user, scope=Scope(), card_id=card.id, quality=4, version=1, now=NOON)
    per_day = Counter(Progress.objects.filter(card__in=cards).values_list("due", flat=True))
    assert sum(per_day.values()) == 200
    assert max(per_day.values()) < 200  # every one of the 200 reviews would otherwise be due on day 15
    assert len(per_day) == 5  # spread over the whole range, 13 to 17 days from today


# --- leeches -----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("suspend", [False, True])
def test_a_card_at_its_eighth_lapse_becomes_a_leech_and_undo_restores_it(learner, official_cards, suspend):
    from cards.reviews import record_review, undo_last_review

    learner.suspend_leeches = suspend
    card = official_cards[0]
    Progress.objects.create(user=learner, card=card, repetitions=3, interval=20, lapses=7, due=TODAY, version=1)
    outcome = record_review(user=learner, scope=Scope(), card_id=card.id, quality=1, version=1, now=NOON)
    assert "forgotten 8 times: it is a leech" in outcome.notice
    progress = Progress.objects.get(user=learner, card=card)
    assert (progress.lapses, progress.suspended, outcome.review.suspended_as_leech) == (8, suspend, suspend)
    undo_last_review(user=learner, now=NOON)
    progress.refresh_from_db()
    assert (progress.lapses, progress.suspended, progress.interval) == (7, False, 20)


def test_the_seventh_lapse_is_not_yet_a_leech(learner, official_cards):
    from cards.reviews import record_review

    card = official_cards[0]
    Progress.objects.create(user=learner, card=card, repetitions=3, interval=20, lapses=6, due=TODAY, version=1)
    outcome = record_review(user=learner, scope=Scope(), card_id=card.id, quality=1, version=1, now=NOON)
    assert outcome.notice == ""


# --- card info, suspend and bury from the review screen, the leeches page -----------------------------------------


@pytest.mark.parametrize("htmx", [False, True])
def test_bury_leaves_a_card_out_until_tomorrow_without_touching_its_schedule(
    learner_client, learner, official_cards, htmx
):
    card = official_cards[0]
    Progress.objects.create(user=learner, card=card, repetitions=2, interval=6, due=TODAY, version=1)
    data = {"card": card.id, "version": 1, "action": "bury"}
    response = learner_client.post(reverse("card_action"), data, **(HTMX if htmx else {}))
    assert response.status_code == (200 if htmx else 302)
    progress = Progress.objects.get(user=learner, card=card)
    assert (progress.due, progress.interval, progress.buried_until) == (TODAY, 6, TODAY + timedelta(1))
    assert card.id not in build_queue(learner, Scope(), NOON).due_ids
    assert card.id in build_queue(learner, Scope(), NOON + timedelta(days=1)).due_ids
    new = official_cards[1]
    learner_client.post(reverse("card_action"), {"card": new.id, "version": 0, "action": "bury"})
    assert new.id not in build_queue(learner, Scope(), NOON).new_ids
    assert new.id in build_queue(learner, Scope(), NOON + timedelta(days=1)).new_ids


def test_suspend_from_the_review_screen_and_a_stale_form_changes_nothing(learner_client, learner, official_cards):
    card = official_cards[0]
    Progress.objects.create(user=learner, card=card, repetitions=2, interval=6, due=TODAY, version=3)
    stale = learner_client.post(reverse("card_action"), {"card": card.id, "version": 2, "action": "suspend"})
    assert stale.status_code == 409
    assert not Progress.objects.get(user=learner, card=card).suspended
    learner_client.post(reverse("card_action"), {"card": card.id, "version": 3, "action": "suspend"})
    assert Progress.objects.get(user=learner, card=card).suspended


@pytest.mark.parametrize(
    "data", [{"card": "²", "version": 0, "action": "bury"}, {"card": 1, "version": 0, "action": "delete"}, {}]
)
def test_a_bad_card_action_is_a_400(learner_client, official_cards, data):
    assert learner_client.post(reverse("card_action"), data).status_code == 400
    assert not Progress.objects.exists()


def test_card_info_shows_the_history_and_is_only_for_ones_own_cards(learner_client, learner, official_cards, outsider):
    from cards.reviews import record_review

    card = official_cards[0]
    record_review(user=learner, scope=Scope(), card_id=card.id, quality=4, version=0, now=NOON)
    html = learner_client.get(reverse("card_info", args=[card.id]), **HTMX).content.decode()
    assert html.lstrip().startswith('<section id="card-info"')
    assert "1 day interval" in html.replace("<strong>", "").replace("</strong>", "") and "10 Jun 2026" in html
    assert "<svg" in html and "Interval after each grade" in html
    page = learner_client.get(reverse("review"), {"card": official_cards[1].id, "reveal": official_cards[1].id})
    assert f'href="{reverse("card_info", args=[official_cards[1].id])}"' in page.content.decode()
    theirs = CardFactory(deck=DeckFactory(owner=outsider))
    assert learner_client.get(reverse("card_info", args=[theirs.id])).status_code == 404


def test_card_info_shows_none_of_another_learners_grades_on_the_same_card(
    learner_client, learner, official_cards, outsider
):
    from cards.reviews import record_review
    from tests.factories import ReviewFactory

    card = official_cards[0]
    ReviewFactory(user=outsider, card=card, kind="new", grade=0, reviewed_at=NOON - timedelta(days=3))
    record_review(user=learner, scope=Scope(), card_id=card.id, quality=4, version=0, now=NOON)
    html = learner_client.get(reverse("card_info", args=[card.id])).content.decode()
    assert html.count('<tr><th scope="row">') == 1
    assert "10 Jun 2026" in html and "7 Jun 2026" not in html


def test_card_info_leaves_out_an_undone_grade(learner_client, learner, official_cards):
    from cards.reviews import record_review, undo_last_review

    card = official_cards[0]
    record_review(user=learner, scope=Scope(), card_id=card.id, quality=4, version=0, now=NOON - timedelta(days=2))
    version = Progress.objects.get(user=learner, card=card).version
    record_review(user=learner, scope=Scope(), card_id=card.id, quality=1, version=version, now=NOON)
    assert undo_last_review(user=learner, now=NOON).undone_at is not None
    html = learner_client.get(reverse("card_info", args=[card.id])).content.decode()
    assert html.count('<tr><th scope="row">') == 1
    assert "8 Jun 2026" in html and "10 Jun 2026" not in html


def test_card_info_lists_grades_in_clock_order_even_when_the_log_was_written_out_of_order(
    learner_client, learner, official_cards
):
    from tests.factories import ReviewFactory

    card = official_cards[0]
    # Two tabs grading at once can commit the later grade first (the view takes 'now' before the learner's lock),
    # so a row's id does not always follow its time.
    ReviewFactory(user=learner, card=card, grade=5, reviewed_at=NOON)
    ReviewFactory(user=learner, card=card, grade=2, reviewed_at=NOON - timedelta(days=3))
    html = learner_client.get(reverse("card_info", args=[card.id])).content.decode()
    days = re.findall(r'<tr><th scope="row">([^<]+)</th>', html)
    assert days == ["7 Jun 2026", "10 Jun 2026"]


def test_the_leeches_page_lists_leeches_with_their_history_and_reports_reach_the_editors(
    learner_client, learner, outsider
):
    from django.test import Client

    from tests.factories import MembershipFactory, ReviewFactory, StudyGroupFactory

    group = StudyGroupFactory(slug="crew")
    MembershipFactory(group=group, user=outsider, role="owner")
    MembershipFactory(group=group, user=learner)
    deck = DeckFactory(owner=outsider, slug="crew-deck")
    from tests.factories import DeckShareFactory

    DeckShareFactory(deck=deck, group=group)
    leech, fine = CardFactory(deck=deck, consideration=None), CardFactory(deck=deck, consideration=None)
    Progress.objects.create(user=learner, card=leech, repetitions=0, interval=1, due=TODAY, lapses=8, version=1)
    Progress.objects.create(user=learner, card=fine, repetitions=3, interval=9, due=TODAY, lapses=2, version=1)
    ReviewFactory(user=learner, card=leech, grade=1, reviewed_at=NOON - timedelta(days=1))
    html = learner_client.get(reverse("leeches")).content.decode()
    assert f'id="leech-{leech.id}"' in html and f'id="leech-{fine.id}"' not in html
    assert 'class="g g-1"' in html
    response = learner_client.post(reverse("leech_report", args=[leech.id]), {"note": "Two facts in one card."})
    assert response.status_code == 302
    editor = Client()
    editor.force_login(outsider)
    deck_page = editor.get(reverse("deck_detail", args=["crew-deck"])).content.decode()
    assert "Two facts in one card." in deck_page and "8 lapses" in deck_page
    assert learner_client.post(reverse("leech_report", args=[leech.id]), {"note": ""}).status_code == 400
    member_page = learner_client.get(reverse("deck_detail", args=["crew-deck"])).content.decode()
    assert "Two facts in one card." not in member_page  # only editors see the reports


def test_a_leech_report_on_someone_elses_private_card_is_a_404(learner_client, outsider):
    from cards.models import LeechReport

    theirs = CardFactory(deck=DeckFactory(owner=outsider))
    assert learner_client.post(reverse("leech_report", args=[theirs.id]), {"note": "x"}).status_code == 404
    assert not LeechReport.objects.exists()


def leech(user, card, lapses: int) -> Progress:
    return Progress.objects.create(user=user, card=card, repetitions=0, interval=1, due=TODAY, lapses=lapses, version=1)


def leech_items(html: str) -> dict[str, str]:
    """The leeches page's items, card id to the item's HTML, in page order."""
    return dict(re.findall(r'<li class="card-like" id="leech-(\d+)">(.*?)</li>', html, flags=re.S))


def test_leeches_are_the_learners_own_in_decks_they_study_most_lapses_first(
    learner_client, learner, outsider, official_cards
):
    from cards.models import LeechReport
    from tests.factories import DeckShareFactory, ReviewFactory, StudyGroupFactory

    fewer, most, theirs = official_cards[:3]
    leech(learner, fewer, 8)
    leech(learner, most, 11)  # no grades logged for it (an imported schedule): an empty history, not a crash
    leech(outsider, theirs, 9)  # another learner's leech on a card this learner studies but has not started
    left = CardFactory(deck=DeckFactory(owner=outsider), consideration=None)
    DeckShareFactory(deck=left.deck, group=StudyGroupFactory())  # the group the learner has left
    leech(learner, left, 12)
    graded = ReviewFactory(user=learner, card=fewer, grade=1, reviewed_at=NOON - timedelta(days=1))
    ReviewFactory(user=outsider, card=fewer, grade=5, reviewed_at=NOON - timedelta(days=2))
    LeechReport.objects.create(card=fewer, reporter=learner, note="Two facts in one card.", lapses=8)
    LeechReport.objects.create(card=most, reporter=outsider, note="Mine, not the learner's.", lapses=9)

    items = leech_items(learner_client.get(reverse("leeches")).content.decode())
    assert list(items) == [str(most.id), str(fewer.id)]
    assert "Reported to its editors." in items[str(fewer.id)]
    assert "Reported to its editors." not in items[str(most.id)]
    assert [(row.progress.card, row.history, row.reported) for row in card_stats.leeches(learner)] == [
        (most, [], False),
        (fewer, [graded], True),
    ]


def test_a_leechs_grades_show_in_clock_order_even_when_the_log_was_written_out_of_order(
    learner_client, learner, official_cards
):
    from tests.factories import ReviewFactory

    card = official_cards[0]
    leech(learner, card, 8)
    # The later grade committed first (two tabs): its id is the smaller one.
    later = ReviewFactory(user=learner, card=card, grade=1, reviewed_at=NOON - timedelta(days=1))
    earlier = ReviewFactory(user=learner, card=card, grade=2, reviewed_at=NOON - timedelta(days=4))
    assert [row.history for row in card_stats.leeches(learner)] == [[earlier, later]]
    items = leech_items(learner_client.get(reverse("leeches")).content.decode())
    assert re.findall(r'class="g g-(\d)"', items[str(card.id)]) == ["2", "1"]


def test_a_leechs_reported_flag_follows_the_reported_card_not_the_reports_own_id(
    learner_client, learner, official_cards
):
    from cards.models import LeechReport

    reported, other = official_cards[:2]
    leech(learner, reported, 9)
    leech(learner, other, 8)
    # The report's own id is the other leech's card id: only its card_id says which card it is about.
    LeechReport.objects.create(id=other.id, card=reported, reporter=learner, note="Two facts in one card.", lapses=9)
    assert [(row.progress.card, row.reported) for row in card_stats.leeches(learner)] == [
        (reported, True),
        (other, False),
    ]
    items = leech_items(learner_client.get(reverse("leeches")).content.decode())
    assert "Reported to its editors." in items[str(reported.id)]
    assert "Reported to its editors." not in items[str(other.id)]


def test_leeches_with_as_many_lapses_come_in_card_order_whatever_order_they_became_leeches(
    learner_client, learner, official_cards
):

    cards = official_cards[:4]
    for card in reversed(cards):  # the progress rows are written last card first
        leech(learner, card, 8)
    assert [row.progress.card for row in card_stats.leeches(learner)] == cards
    items = leech_items(learner_client.get(reverse("leeches")).content.decode())
    assert list(items) == [str(card.id) for card in cards]


def test_the_leeches_page_lists_at_most_200(learner_client, learner):
    deck = DeckFactory(owner=None)
    cards = CardFactory.create_batch(201, deck=deck, consideration=None)
    Progress.objects.bulk_create(
        Progress(user=learner, card=card, interval=1, due=TODAY, lapses=8 + n % 3, version=1)
        for n, card in enumerate(cards)
    )
    assert len(leech_items(learner_client.get(reverse("leeches")).content.decode())) == 200


@pytest.mark.parametrize("count", [1, 3])
def test_the_leeches_page_takes_the_same_queries_for_one_leech_or_three(
    learner_client, learner, official_cards, count, django_assert_num_queries
):
    for card in official_cards[:count]:
        leech(learner, card, 8)
    # session, user, the leeches with their cards' decks and considerations, their grades, the learner's reports
    with django_assert_num_queries(5):
        html = learner_client.get(reverse("leeches")).content.decode()
    assert len(leech_items(html)) == count


# --- a backlog spread over days ----------------------------------------------------------------------------------


@pytest.fixture
def backlog(learner):
    """A week away: 300 cards due, from 1 to 10 days late, on intervals from 1 to 30 days."""
    from cards.models import Review

    deck = DeckFactory(owner=None)
    consideration = ConsiderationFactory(objective=ObjectiveFactory(section=SectionFactory(number=1)))
    cards = [CardFactory(deck=deck, consideration=consideration, position=p) for p in range(300)]
    for n, card in enumerate(cards):
        interval, late = 1 + n % 30, 1 + n % 10
        due = TODAY - timedelta(days=late)
        day = due - timedelta(days=interval)
        Progress.objects.create(
            user=learner, card=card, repetitions=3, interval=interval, easiness=2.5, due=due, review_count=1, version=1
        )
        Review.objects.create(  # the grade that set this schedule, so that a replay of the log starts right
            user=learner, card=card, reviewed_at=datetime.combine(day, NOON.timetz()), study_day=day, grade=None,
            kind="carried", after_repetitions=3, after_easiness=2.5, after_interval=interval, after_due=due,
            before_repetitions=0, before_easiness=2.5, before_interval=0, before_lapses=0, before_review_count=0,
        )  # fmt: skip
    learner.max_reviews_per_day = 60
    learner.save()
    return cards


def test_a_backlog_of_300_spread_over_7_days_keeps_the_most_at_risk_today(learner_client, learner, backlog):
    from cards.models import Review
    from cards.replay import check_user

    home = learner_client.get(reverse("home")).content.decode()
    assert "300 cards are due, more than your 60 a day" in home
    queue_before = build_queue(learner, Scope(), NOON)
    assert learner_client.post(reverse("spread_backlog"), {"days": "7"}).status_code == 302
    per_day = Counter(Progress.objects.filter(user=learner).values_list("due", flat=True))
    today_cards = sum(n for day, n in per_day.items() if day <= TODAY)
    assert today_cards == 43  # ceil(300 / 7)
    assert {day: n for day, n in per_day.items() if day > TODAY} == {
        TODAY + timedelta(days=d): 43 for d in range(1, 6)
    } | {TODAY + timedelta(days=6): 42}
    # Today keeps the riskiest: the first 43 of yesterday's at-risk order.
    assert set(build_queue(learner, Scope(), NOON).due_ids) == set(queue_before.due_ids[:43])
    # Only due days moved, each move logged; the replay of the log gives back every progress row.
    assert Review.objects.filter(user=learner, kind="moved").count() == 257
    assert set(Progress.objects.filter(user=learner).values_list("repetitions", "easiness")) == {(3, 2.5)}
    assert check_user(learner.id) == []
    assert "more than your 60 a day" not in learner_client.get(reverse("home")).content.decode()


@pytest.mark.parametrize("days", ["1", "31", "x", ""])
def test_a_bad_spread_changes_nothing(learner_client, learner, backlog, days):
    from cards.models import Review

    learner_client.post(reverse("spread_backlog"), {"days": days})
    assert not Review.objects.filter(kind="moved").exists()


# --- vacations --------------------------------------------------------------------------------------------------


def test_a_two_week_vacation_moves_due_days_after_it_by_load_and_cancelling_moves_them_back(
    learner_client, learner, official_cards
):
    from cards.models import Review, Vacation
    from cards.replay import check_user

    start, end = date(2026, 6, 15), date(2026, 6, 28)  # two weeks away, from Monday 15 June
    for n, card in enumerate(official_cards[:28]):  # two cards due on each day away
        due = start + timedelta(days=n // 2)
        Progress.objects.create(user=learner, card=card, repetitions=3, interval=10, due=due, review_count=1, version=1)
        Review.objects.create(
            user=learner, card=card, reviewed_at=NOON, study_day=due - timedelta(10), grade=None, kind="carried",
            after_repetitions=3, after_easiness=2.5, after_interval=10, after_due=due, before_repetitions=0,
            before_easiness=2.5, before_interval=0, before_lapses=0, before_review_count=0,
        )  # fmt: skip
    busy = official_cards[29]  # already due the day after the vacation
    Progress.objects.create(user=learner, card=busy, repetitions=3, interval=10, due=date(2026, 6, 29), version=1)
    response = learner_client.post(reverse("vacations"), {"start": "2026-06-15", "end": "2026-06-28"})
    assert response.status_code == 302
    per_day = Counter(Progress.objects.filter(user=learner).values_list("due", flat=True))
    assert not [d for d in per_day if start <= d <= end]
    # 28 cards and the one already due make 29 over the 14 days after: two a day, the earliest day three.
    assert [per_day[date(2026, 6, 29) + timedelta(days=d)] for d in range(14)] == [3] + [2] * 13
    assert Review.objects.filter(user=learner, kind="moved").count() == 28
    page = learner_client.get(reverse("vacations")).content.decode()
    assert "15 Jun 2026 to 28 Jun 2026" in page and "(28 cards moved)" in page
    # One moved card was rescheduled meanwhile (here by hand): cancelling moves back the other 27 only.
    studied = official_cards[0]
    Progress.objects.filter(user=learner, card=studied).update(due=TODAY)
    vacation = Vacation.objects.get()
    back = learner_client.post(reverse("vacation_cancel", args=[vacation.id]))
    assert back.status_code == 302
    assert not Vacation.objects.exists()
    per_day = Counter(
        Progress.objects.filter(user=learner).exclude(card__in=[studied, busy]).values_list("due", flat=True)
    )
    # Every card is back on its day but the one reviewed meanwhile (it was due on the first day away).
    assert per_day == Counter({start + timedelta(days=d): 2 for d in range(14)}) - Counter({start: 1})
    assert Progress.objects.get(user=learner, card=studied).due == TODAY
    assert [p for p in check_user(learner.id) if f"card {studied.id}:" not in p and f"card {busy.id}:" not in p] == []


@pytest.mark.parametrize(
    ("start", "end"),
    [("2026-06-09", "2026-06-12"), ("2026-06-20", "2026-06-15"), ("2026-06-15", "2026-09-15"), ("x", "")],
)
def test_a_bad_vacation_is_refused_and_moves_nothing(learner_client, learner, start, end):
    from cards.models import Vacation

    response = learner_client.post(reverse("vacations"), {"start": start, "end": end})
    assert response.status_code == 400
    assert not Vacation.objects.exists()


def test_another_learners_vacation_cannot_be_cancelled(learner_client, outsider):
    from cards.models import Vacation

    theirs = Vacation.objects.create(user=outsider, start=date(2026, 7, 1), end=date(2026, 7, 3))
    assert learner_client.post(reverse("vacation_cancel", args=[theirs.id])).status_code == 404
    assert Vacation.objects.filter(id=theirs.id).exists()


# --- the forecast of exam-day recall (FSRS's memory model over the learner's log) -----------------------------------


@pytest.mark.parametrize(("grade", "rating"), [(0, 1), (1, 1), (2, 1), (3, 2), (4, 3), (5, 4)])
def test_grades_read_as_fsrs_ratings(grade, rating):
    from cards.forecast import rating as to_rating

    assert to_rating(grade) == rating


def test_only_the_first_grade_of_a_study_day_counts():
    from cards.forecast import histories

    d1, d2 = date(2026, 5, 1), date(2026, 5, 3)
    rows = [(7, d1, 2), (7, d1, 4), (7, d2, 5), (8, d2, 3)]
    assert histories(rows) == {7: [(d1, 2), (d2, 5)], 8: [(d2, 3)]}


@pytest.mark.parametrize(
    "history",
    [
        [(0, 4), (1, 4), (4, 3)],
        [(0, 5), (3, 5), (12, 2), (13, 4), (20, 4)],
        [(0, 1), (1, 3), (2, 4)],
    ],
)
def test_recall_matches_the_fsrs_packages_own_scheduler_on_the_same_history(history):
    from datetime import UTC

    from fsrs import Card, Rating, Scheduler

    from cards.forecast import default_parameters, rating, recall_on

    start = date(2026, 1, 1)
    days = [(start + timedelta(days=offset), grade) for offset, grade in history]
    scheduler = Scheduler(learning_steps=(), relearning_steps=(), enable_fuzzing=False)
    card = Card()
    for day, grade in days:
        at = datetime(day.year, day.month, day.day, 12, tzinfo=UTC)
        card, _ = scheduler.review_card(card, Rating(rating(grade)), at)
    exam = days[-1][0] + timedelta(days=30)
    expected = scheduler.get_card_retrievability(card, datetime(exam.year, exam.month, exam.day, 12, tzinfo=UTC))
    assert recall_on(default_parameters(), days, exam) == pytest.approx(expected, rel=1e-3)
    assert recall_on(default_parameters(), [], exam) == 0.0  # never seen: not known


def test_parameters_are_fitted_only_from_enough_reviews():
    import random

    from cards.forecast import MIN_REVIEWS_TO_FIT, fit

    rng = random.Random(3)
    card_histories = {}
    for card in range(150):
        day, history = date(2026, 1, 1), []
        for _ in range(4):
            history.append((day, rng.choice([2, 3, 4, 4, 4, 5])))
            day += timedelta(days=rng.randint(1, 12))
        card_histories[card] = history
    assert sum(len(h) for h in card_histories.values()) >= MIN_REVIEWS_TO_FIT
    parameters = fit(card_histories)
    assert len(parameters) == 21 and all(isinstance(p, float) for p in parameters)
    assert fit(dict(list(card_histories.items())[:50])) is None  # 200 graded days: below the threshold


def test_the_plan_page_forecasts_recall_per_section_60_days_before_the_exam(learner_client, learner, official_cards):
    from cards.reviews import record_review

    learner.exam_date = TODAY + timedelta(days=60)
    learner.new_cards_per_day = 10
    learner.save()
    for card in official_cards[:10]:  # ten cards learnt today, twenty never seen
        record_review(user=learner, scope=Scope(), card_id=card.id, quality=4, version=0, now=NOON)
    response = learner_client.get(reverse("plan"))
    result = response.context["forecast"]
    assert len(result.days) == 61 and result.days[-1] == learner.exam_date
    recall = result.sections[0][1]
    assert result.sections[0][2:] == (10, 30)
    assert 0 < recall < 10 / 30  # the ten seen cards are partly forgotten after 60 days; the rest count as 0
    assert result.recall_by_day[0] > result.recall_by_day[-1]  # forgetting, day by day
    assert result.load_by_day[1] == 10  # the ten cards are due tomorrow (1-day interval)
    html = response.content.decode()
    assert f"{round(100 * recall)}%" in html and "published default parameters" in html
    assert "Predicted recall of the exam deck, day by day" in html


def test_fitting_from_the_page_needs_enough_reviews(learner_client, learner):
    from cards.models import FsrsParameters

    response = learner_client.post(reverse("refit_fsrs"), follow=True)
    assert "Not enough reviews yet" in response.content.decode()
    assert not FsrsParameters.objects.exists()


# --- study more as practice: review ahead, today's failures again --------------------------------------------------


def test_reviewing_ahead_is_practice_that_leaves_the_schedule_alone(learner_client, learner, official_cards):
    from cards.models import Review

    soon, later, due_now = official_cards[:3]
    Progress.objects.create(user=learner, card=soon, repetitions=2, interval=6, due=TODAY + timedelta(2), version=1)
    Progress.objects.create(user=learner, card=later, repetitions=3, interval=20, due=TODAY + timedelta(9), version=1)
    Progress.objects.create(user=learner, card=due_now, repetitions=1, interval=1, due=TODAY, version=1)
    page = learner_client.get(reverse("practice_ahead"))
    assert page.context["queue"].todo_ids == [soon.id]  # due within 7 days, not today's, not in 9 days
    response = learner_client.post("/practice/ahead/grade/", {"card": soon.id, "version": 1, "quality": 5}, **HTMX)
    assert response.status_code == 200
    assert Review.objects.get(user=learner).kind == "practice"
    progress = Progress.objects.get(user=learner, card=soon)
    assert (progress.due, progress.interval, progress.repetitions) == (TODAY + timedelta(2), 6, 2)
    refused = learner_client.post("/practice/ahead/grade/", {"card": later.id, "version": 1, "quality": 5})
    assert refused.status_code == 302 and Review.objects.count() == 1  # not in this session: nothing recorded


def test_todays_failures_can_be_gone_over_again_as_practice(learner_client, learner, official_cards):
    from cards.reviews import record_review

    learner.new_cards_per_day = 3
    learner.save()
    failed, passed = official_cards[:2]
    record_review(user=learner, scope=Scope(), card_id=failed.id, quality=1, version=0, now=NOON)
    record_review(user=learner, scope=Scope(), card_id=passed.id, quality=5, version=0, now=NOON)
    page = learner_client.get(reverse("practice_failures"))
    assert page.context["queue"].todo_ids == [failed.id]
    assert "Practice: today's failures again" in page.content.decode()
    ahead = learner_client.get(reverse("practice_ahead")).context["queue"]
    assert ahead.todo_ids == sorted([failed.id, passed.id])  # both due tomorrow


def test_an_empty_extra_session_says_so_and_the_finished_screen_offers_both(learner_client, learner):
    assert "No card is due in the next week." in learner_client.get(reverse("practice_ahead")).content.decode()
    assert "No failed grade today." in learner_client.get(reverse("practice_failures")).content.decode()
    finished = learner_client.get(reverse("review")).content.decode()
    assert reverse("practice_ahead") in finished and reverse("practice_failures") in finished


def test_a_practice_undo_submitted_twice_undoes_one_grade(learner_client, learner, official_cards):
    from cards.models import Review

    first, second = official_cards[:2]
    for card in (first, second):
        Progress.objects.create(user=learner, card=card, repetitions=2, interval=6, due=TODAY + timedelta(2), version=1)
    learner_client.post("/practice/ahead/grade/", {"card": first.id, "version": 1, "quality": 2})
    learner_client.post("/practice/ahead/grade/", {"card": second.id, "version": 1, "quality": 5})
    page = learner_client.get(reverse("practice_ahead")).content.decode()
    latest = Review.objects.filter(user=learner).latest("id")
    assert f'name="last" value="{latest.id}"' in page
    for _ in range(2):  # a double click: both carry the same review id
        learner_client.post("/practice/ahead/undo/", {"last": str(latest.id)})
    assert list(Review.objects.filter(user=learner, undone_at__isnull=True).values_list("card_id", flat=True)) == [
        first.id
    ]
