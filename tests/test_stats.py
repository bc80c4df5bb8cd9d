"""The dashboards' figures, exactly, from the hand-built history in conftest.py (``study_history``).

The learner lives in New York with a 04:00 rollover. "Now" is Thursday 12 March 2026, 15:00 EDT, four days after
the clocks sprang forward, so the last 30 study days run from 11 February to 12 March.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine

from cards import card_stats, section_stats, stats
from cards.stats import CardCounts, Ratio

NOW = datetime(2026, 3, 12, 19, 0, tzinfo=UTC)  # 15:00 EDT
TODAY = date(2026, 3, 12)


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def test_the_fixture_puts_the_01_30_and_post_jump_reviews_on_the_evening_before(study_history, learner):
    days = sorted(
        {(r.card.front, r.reviewed_at.isoformat(), r.study_day) for r in learner.reviews.select_related("card")},
        key=lambda t: t[1],
    )
    assert ("Card b1?", "2026-03-12T05:30:00+00:00", date(2026, 3, 11)) in days
    assert ("Card a2?", "2026-03-09T05:30:00+00:00", date(2026, 3, 8)) in days
    assert ("Card b2?", "2026-03-08T07:30:00+00:00", date(2026, 3, 7)) in days
    assert ("Card a2?", "2026-03-03T01:00:00+00:00", date(2026, 3, 2)) in days


def test_card_counts_per_section_ignore_other_learners(study_history, learner):
    s1, s2 = study_history["s1"], study_history["s2"]
    counts = stats.card_counts_by_section(learner, TODAY)
    # s1: 7 cards; a1 a2 b1 b2 seen; a1 (25 d) and b2 (30 d) mature; only b1 is due; a3 and c1 new (c2 suspended).
    assert counts[s1.id] == CardCounts(total=7, seen=4, mature=2, due=1, new=2)
    assert counts[s2.id] == CardCounts(total=1, seen=1, mature=1, due=0, new=0)


def test_recent_retention_counts_scheduled_non_undone_reviews_of_the_last_30_study_days(study_history, learner):
    s1, s2 = study_history["s1"], study_history["s2"]
    retention = stats.recent_retention_by_section(learner, TODAY)
    # s1: a1 4, b1 2, a2 3, b2 5, a1 1 -> 3 of 5. Not the drill, the practice, the new card, the undone 5, nor
    # January's review.
    assert retention == {s1.id: Ratio(3, 5), s2.id: Ratio(1, 1)}


def test_home_overview_figures(study_history, learner):
    overview = stats.home_overview(learner, NOW)
    assert (overview.today, overview.due, overview.new, overview.drill) == (TODAY, 1, 2, 0)
    # Today: a1 scheduled and b1 drill are reviews; a1's practice is not (the 01:30 review was study day 11 March).
    assert overview.streak == stats.Streak(reviews_today=2, days_last_7=5, days_last_30=7, run=2)
    s1_row, s2_row = overview.sections
    assert (s1_row.cards, s1_row.due, s1_row.new, s1_row.counts.mature) == (7, 1, 2, 2)
    # 4/7 seen x 3/5 retained = 34.3%; overall 5/8 x 4/6 = 41.7%.
    assert (s1_row.readiness.percent, s2_row.readiness.percent, overview.overall.percent) == (34, 100, 42)
    assert overview.overall.coverage == Ratio(5, 8) and overview.overall.retention == Ratio(4, 6)


def test_a_section_without_recent_reviews_has_coverage_but_no_retention_nor_readiness(study_history, learner):
    from tests.factories import CardFactory, ConsiderationFactory, ObjectiveFactory, ProgressFactory, SectionFactory

    s3 = SectionFactory(number=3, slug="s3")
    card = CardFactory(
        deck=study_history["cards"]["a1"].deck,
        consideration=ConsiderationFactory(objective=ObjectiveFactory(section=s3)),
    )
    ProgressFactory(user=learner, card=card, repetitions=1, interval=20, due=date(2026, 3, 20))
    row = next(row for row in stats.home_overview(learner, NOW).sections if row.section == s3)
    assert (row.readiness.coverage, row.readiness.retention) == (Ratio(1, 1), Ratio(0, 0))
    assert row.readiness.percent is None


def test_before_the_rollover_hour_it_is_still_yesterday(study_history, learner, frozen):
    frozen.move_to(datetime(2026, 3, 13, 6, 0, tzinfo=UTC))  # 02:00 EDT on Friday 13 March
    overview = stats.home_overview(learner, datetime(2026, 3, 13, 6, 0, tzinfo=UTC))
    assert overview.today == TODAY
    assert overview.streak.reviews_today == 2


def test_practice_grades_are_activity_but_not_reviews_today(study_history, learner):
    learner.reviews.filter(kind__in=["scheduled", "drill"], study_day=TODAY).update(kind="practice")
    overview = stats.home_overview(learner, NOW)
    assert overview.streak.reviews_today == 0
    assert overview.streak.studied_today and overview.streak.run == 2  # practising is still a day studied


def test_after_the_rollover_hour_a_new_day_starts_and_the_run_survives_until_it_ends(study_history, learner):
    now = datetime(2026, 3, 13, 8, 0, tzinfo=UTC)  # 04:00 EDT
    overview = stats.home_overview(learner, now)
    assert overview.today == date(2026, 3, 13)
    assert overview.streak == stats.Streak(reviews_today=0, days_last_7=5, days_last_30=7, run=2)
    assert overview.due == 2  # b2 falls due on the 13th


def history(study_history, learner) -> section_stats.SectionHistory:
    return section_stats.section_history(learner, TODAY, section_stats.reviewed_cards(learner, study_history["s1"]))


def test_reviewed_cards_are_the_sections_cards_with_a_progress_row(study_history, learner):
    cards = study_history["cards"]
    c111, c112, c121 = (c.id for c in study_history["considerations"])
    assert section_stats.reviewed_cards(learner, study_history["s1"]) == {
        cards["a1"].id: c111,
        cards["a2"].id: c111,
        cards["b1"].id: c112,
        cards["b2"].id: c112,
        cards["c2"].id: c121,  # suspended before it was seen: no reviews, but a row
    }


def test_activity_per_study_day_in_a_section(study_history, learner):
    assert history(study_history, learner).activity == {
        date(2026, 3, 12): 3,
        date(2026, 3, 11): 1,
        date(2026, 3, 8): 1,
        date(2026, 3, 7): 1,
        date(2026, 3, 4): 1,
        date(2026, 3, 2): 1,
        date(2026, 1, 15): 1,
    }


def test_home_activity_covers_every_section(study_history, learner):
    activity = stats.activity_by_day(learner, TODAY)
    assert activity[date(2026, 3, 9)] == 1  # d1, section 2
    assert sum(activity.values()) == 10


def test_weekly_retention_groups_study_days_into_weeks_across_the_clock_change(study_history, learner):
    weeks = history(study_history, learner).weeks
    assert len(weeks) == 26
    assert weeks[-1].start == date(2026, 3, 9) and weeks[0].start == date(2025, 9, 15)
    # This week: a1 mature passed; b1 young failed (01:30 on Thursday is Wednesday's study day: same week).
    assert (weeks[-1].young, weeks[-1].mature) == (Ratio(0, 1), Ratio(1, 1))
    # Week of 2 March: a2 young passed at 01:30 on Monday 9 March, which is still Sunday's study day; b2 mature
    # passed; a1 mature failed.
    assert (weeks[-2].young, weeks[-2].mature) == (Ratio(1, 1), Ratio(1, 2))
    january = next(w for w in weeks if w.start == date(2026, 1, 12))
    assert (january.young, january.mature) == (Ratio(1, 1), Ratio(0, 0))
    assert sum((w.young + w.mature).whole for w in weeks) == 6


def test_grade_interval_and_forecast_distributions(study_history, learner):
    s1 = study_history["s1"]
    assert history(study_history, learner).grades == [1, 1, 1, 2, 3, 1]
    # b1 3 d, a2 8 d, a1 25 d, b2 30 d.
    assert section_stats.interval_distribution(learner, s1) == [0, 1, 0, 1, 0, 2, 0, 0, 0]
    forecast = section_stats.due_forecast(learner, s1, TODAY)
    assert len(forecast) == 30
    # b1 overdue since 5 March counts today; b2 tomorrow; a2 on the 20th (+8); a1 on 6 April (+25).
    assert {i: n for i, n in enumerate(forecast) if n} == {0: 1, 1: 1, 8: 1, 25: 1}


def test_reviews_older_than_the_calendar_year_are_left_out(study_history, learner):
    from tests.factories import ReviewFactory

    cards = study_history["cards"]
    ReviewFactory(user=learner, card=cards["a1"], reviewed_at=datetime(2025, 3, 12, 16, 0, tzinfo=UTC), grade=5)
    ReviewFactory(user=learner, card=cards["a1"], reviewed_at=datetime(2025, 3, 13, 16, 0, tzinfo=UTC), grade=5)
    result = history(study_history, learner)
    assert date(2025, 3, 12) not in result.activity and result.activity[date(2025, 3, 13)] == 1
    assert result.grades[5] == 2  # b2 in March, and the review of 13 March 2025
    activity = stats.activity_by_day(learner, TODAY)  # the home calendar keeps the same year
    assert date(2025, 3, 12) not in activity and activity[date(2025, 3, 13)] == 1


def test_grades_of_a_study_day_still_ahead_are_left_out_of_the_section(study_history, learner):
    """Back from Kiritimati (UTC+14), the learner has a grade whose study day New York has not reached yet."""
    from tests.factories import ReviewFactory

    learner.time_zone = "Pacific/Kiritimati"
    a2 = study_history["cards"]["a2"]
    ahead = ReviewFactory(user=learner, card=a2, reviewed_at=NOW - timedelta(hours=1), grade=1)
    learner.time_zone = "America/New_York"
    assert ahead.study_day == TODAY + timedelta(days=1)
    result = history(study_history, learner)
    assert TODAY + timedelta(days=1) not in result.activity
    assert result.grades == [1, 1, 1, 2, 3, 1]


def test_consideration_rows_and_weakness(study_history, learner):
    rows = section_stats.consideration_rows(learner, study_history["s1"], TODAY)
    c111, c112, c121 = rows
    assert [r.consideration.key for r in rows] == ["1.1.1", "1.1.2", "1.2.1"]
    assert c111.counts == CardCounts(total=3, seen=2, mature=1, due=0, new=1)
    assert c111.avg_easiness == pytest.approx(2.35) and c111.lapses == 1
    # SM-2 grades of the last 30 days: a1 4, a1 1, a2 3, a2 4 (new) -> 1 failed of 4.
    assert c111.recent == Ratio(1, 4)
    # (1/2 lapses per seen card + (2.5 - 2.35) / 1.2 + 1/4) / 3 = 0.2917
    assert c111.weakness == pytest.approx((0.5 + 0.125 + 0.25) / 3)
    assert c111.weakness_percent == 29
    assert c112.counts == CardCounts(total=2, seen=2, mature=1, due=1, new=0)
    assert (c112.avg_easiness, c112.lapses, c112.recent) == (pytest.approx(2.2), 2, Ratio(1, 2))
    assert c112.weakness_percent == 58  # (1 + 0.25 + 0.5) / 3
    assert c121.counts == CardCounts(total=2, seen=0, mature=0, due=0, new=1)
    assert (c121.started, c121.weakness, c121.avg_easiness) == (False, None, None)
    assert [r.consideration.key for r in section_stats.weakest(rows)] == ["1.1.2", "1.1.1"]


@pytest.mark.parametrize(
    ("sort", "keys"),
    [
        ("curriculum", ["1.1.1", "1.1.2", "1.2.1"]),
        ("weakest", ["1.1.2", "1.1.1", "1.2.1"]),
        ("due", ["1.1.2", "1.1.1", "1.2.1"]),
        ("lapses", ["1.1.2", "1.1.1", "1.2.1"]),
        ("easiness", ["1.1.2", "1.1.1", "1.2.1"]),
        ("unseen", ["1.2.1", "1.1.1", "1.1.2"]),
    ],
)
def test_sorting_considerations(study_history, learner, sort, keys):
    rows = section_stats.consideration_rows(learner, study_history["s1"], TODAY)
    assert [r.consideration.key for r in section_stats.sort_rows(rows, sort)] == keys


def test_an_unknown_sort_is_refused():
    with pytest.raises(ValueError, match="Unknown sort"):
        section_stats.sort_rows([], "random")


def test_section_dashboard_collects_everything_and_readiness_shows_its_inputs(study_history, learner):
    dash = section_stats.section_dashboard(learner, study_history["s1"], NOW)
    assert dash.readiness.coverage == Ratio(4, 7)
    assert dash.readiness.retention == Ratio(3, 5)
    assert dash.readiness.value == pytest.approx(4 / 7 * 3 / 5)
    assert dash.readiness.percent == 34
    assert dash.overall.percent == 42
    assert [r.consideration.key for r in dash.weakest] == ["1.1.2", "1.1.1"]


def test_a_new_learner_gets_zeros_and_no_readiness(learner, db):
    overview = stats.home_overview(learner, NOW)
    assert overview.streak == stats.Streak(0, 0, 0, 0)
    assert overview.overall.percent is None and overview.overall.value is None
    assert overview.sections == []


# --- pure pieces ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("part", "whole", "percent"),
    [(0, 0, None), (0, 3, 0), (1, 3, 33), (2, 3, 67), (1, 8, 13), (5, 8, 63), (3, 5, 60), (1, 1, 100)],
)
def test_ratio_percent_rounds_half_up(part, whole, percent):
    assert Ratio(part, whole).percent == percent


def _days(*offsets: int) -> dict[date, int]:
    return {TODAY - timedelta(days=o): 1 for o in offsets}


@pytest.mark.parametrize(
    ("activity", "expected"),
    [
        ({}, (0, 0, 0, 0)),
        (_days(0), (1, 1, 1, 1)),
        (_days(1, 2, 3), (0, 3, 3, 3)),  # today not studied yet: the run up to yesterday still stands
        (_days(0, 1, 3, 4, 5), (1, 5, 5, 2)),  # a missed day breaks the run but not the week
        (_days(2, 3), (0, 2, 2, 0)),
        (_days(6, 7, 29, 30), (0, 1, 3, 0)),  # day 6 is inside the last 7, day 30 outside the last 30
    ],
)
def test_streak_counts_days_studied_without_punishing_a_gap(activity, expected):
    streak = stats.streak_from(activity, TODAY)
    assert (streak.reviews_today, streak.days_last_7, streak.days_last_30, streak.run) == expected


def test_a_suspended_card_is_seen_but_never_due(study_history, learner):
    learner.progress.filter(card=study_history["cards"]["b1"]).update(suspended=True)
    s1 = study_history["s1"]
    assert stats.card_counts_by_section(learner, TODAY)[s1.id] == CardCounts(total=7, seen=4, mature=2, due=0, new=2)
    assert section_stats.due_forecast(learner, s1, TODAY)[0] == 0
    assert section_stats.consideration_rows(learner, s1, TODAY)[1].counts.due == 0


def test_card_counts_add_up_field_by_field():
    total = CardCounts(1, 2, 3, 4, 5) + CardCounts(10, 20, 30, 40, 50)
    assert total == CardCounts(total=11, seen=22, mature=33, due=44, new=55)


def test_own_cards_are_counted_per_section_of_the_learners_edition_only(study_history, learner):
    from tests.factories import (
        CardFactory,
        ConsiderationFactory,
        DeckFactory,
        EditionFactory,
        ObjectiveFactory,
        SectionFactory,
    )

    s1, s2 = study_history["s1"], study_history["s2"]
    c111 = study_history["considerations"][0]
    mine = DeckFactory(owner=learner, slug="mine")
    CardFactory.create_batch(2, deck=mine, consideration=c111)
    older = SectionFactory(edition=EditionFactory(year=2020), number=1, slug="old-s1")
    CardFactory(deck=mine, consideration=ConsiderationFactory(objective=ObjectiveFactory(section=older)))
    assert stats.own_cards_by_section(learner) == {s1.id: 2}
    assert [row.own_cards for row in stats.home_overview(learner, NOW).sections] == [2, 0]
    assert section_stats.section_dashboard(learner, s1, NOW).own_cards == 2
    assert section_stats.section_dashboard(learner, s2, NOW).own_cards == 0


def test_the_forecast_spans_exactly_30_days_of_this_section_and_adds_up_overdue_cards(study_history, learner):
    from cards.models import Progress
    from tests.factories import CardFactory, ProgressFactory

    cards, s1 = study_history["cards"], study_history["s1"]
    ProgressFactory(user=learner, card=cards["a3"], interval=1, due=date(2026, 3, 1))  # overdue, like b1
    ProgressFactory(user=learner, card=cards["c1"], interval=1, due=TODAY + timedelta(days=29))  # the last day
    beyond = CardFactory(deck=cards["c1"].deck, consideration=cards["c1"].consideration)
    ProgressFactory(user=learner, card=beyond, interval=1, due=TODAY + timedelta(days=30))  # one day too far
    Progress.objects.filter(user=learner, card=cards["d1"]).update(due=TODAY + timedelta(days=3))  # section 2
    dash = section_stats.section_dashboard(learner, s1, NOW)
    assert {i: n for i, n in enumerate(dash.forecast) if n} == {0: 2, 1: 1, 8: 1, 25: 1, 29: 1}
    assert dash.intervals == [3, 1, 0, 1, 0, 2, 0, 0, 0]


def test_a_review_on_the_first_monday_of_the_retention_chart_counts_in_its_first_week(study_history, learner):
    from tests.factories import ReviewFactory

    first_monday = date(2025, 9, 15)  # Monday 9 March 2026, 25 weeks back
    ReviewFactory(
        user=learner,
        card=study_history["cards"]["a1"],
        reviewed_at=datetime(2025, 9, 15, 16, 0, tzinfo=UTC),
        grade=4,
        before_interval=5,
    )
    weeks = history(study_history, learner).weeks
    assert weeks[0].start == first_monday
    assert (weeks[0].young, weeks[0].mature) == (Ratio(1, 1), Ratio())


def test_a_started_consideration_with_no_weakness_sorts_after_weaker_ones_and_before_unstarted():
    def row(name: str, seen: int, lapses: int) -> section_stats.ConsiderationRow:
        return section_stats.ConsiderationRow(
            name, CardCounts(total=2, seen=seen), 2.5 if seen else None, lapses, Ratio()
        )

    rows = [row("unstarted", 0, 0), row("solid", 1, 0), row("shaky", 1, 1)]
    assert [r.consideration for r in section_stats.sort_rows(rows, "weakest")] == ["shaky", "solid", "unstarted"]
    assert [r.consideration for r in section_stats.weakest(rows)] == ["shaky", "solid"]


def test_a_section_without_cards_gets_zeros_and_no_readiness(learner, db):
    from tests.factories import SectionFactory

    dash = section_stats.section_dashboard(learner, SectionFactory(), NOW)
    assert dash.counts == CardCounts()
    assert dash.readiness.coverage == Ratio() and dash.readiness.retention == Ratio()
    assert dash.readiness.percent is None


def test_considerations_of_one_objective_follow_their_position_not_the_order_they_were_made(learner, db):
    from tests.factories import ConsiderationFactory, ObjectiveFactory

    objective = ObjectiveFactory()
    for position in (2, 1, 3):
        ConsiderationFactory(objective=objective, position=position)
    rows = section_stats.section_dashboard(learner, objective.section, NOW).rows
    assert [row.consideration.position for row in rows] == [1, 2, 3]


def test_exam_figures_count_only_the_learners_own_rows_on_active_cards_of_their_editions_official_deck(
    learner, outsider
):
    from cards.models import Progress, Review
    from cards.reviews import today_for
    from tests.factories import (
        CardFactory,
        ConsiderationFactory,
        DeckFactory,
        ObjectiveFactory,
        ReviewFactory,
        SectionFactory,
        edition_2020,
    )

    today = today_for(learner, NOW)
    section = SectionFactory()
    consideration = ConsiderationFactory(objective=ObjectiveFactory(section=section))
    official = DeckFactory(owner=None)
    undone, seen, untouched = CardFactory.create_batch(3, deck=official, consideration=consideration)
    CardFactory(deck=official, consideration=consideration, retired=True)
    clone = CardFactory(deck=DeckFactory(owner=learner), consideration=consideration)  # their own, not the exam's
    # The official deck of another edition, with its own sections.
    old_section = SectionFactory(edition=edition_2020(), slug="old-section")
    old = CardFactory(
        deck=DeckFactory(owner=None, edition=edition_2020()),
        consideration=ConsiderationFactory(objective=ObjectiveFactory(section=old_section)),
    )
    Progress.objects.create(user=learner, card=undone)  # its first review was undone: new again
    Progress.objects.create(user=learner, card=seen, repetitions=1, interval=3, due=today + timedelta(days=3))
    Progress.objects.create(user=outsider, card=untouched, repetitions=1, interval=3, due=today)
    at = NOW - timedelta(hours=1)
    mine = ReviewFactory(user=learner, card=seen, grade=4, reviewed_at=at)
    for card in (clone, old):
        ReviewFactory(user=learner, card=card, grade=1, reviewed_at=at)
    # A practice grade logged on a study day still ahead (the learner came back from further east).
    ahead = ReviewFactory(
        user=learner, card=seen, kind=Review.Kind.PRACTICE, reviewed_at=at, study_day=today + timedelta(1)
    )

    assert stats.card_counts_by_section(learner, today) == {
        section.id: CardCounts(total=3, seen=1, mature=0, due=0, new=2)
    }
    assert stats.recent_retention_by_section(learner, today) == {section.id: Ratio(1, 1)}
    assert section_stats.reviewed_cards(learner, section) == {undone.id: consideration.id, seen.id: consideration.id}
    assert stats.activity_and_reviews_today(learner, today) == ({today: 3}, 3)
    assert card_stats.card_history(learner, seen) == [mine, ahead]  # not the grades of the other cards
