"""The section dashboard's figures: each consideration of a section and its weakness, the section's charts (due
forecast, reviews and retention by week, intervals), and the "drill my weakest" pick. Read-only, like cards/stats.py,
whose definitions (seen, mature, retention, exam figures, readiness) hold here too; each function issues a fixed
number of queries, whatever the size of the history.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db.models import Avg, Count, Q, QuerySet, Sum

from accounts.models import User
from cards import sm2
from cards.models import Consideration, Progress, Review, Section
from cards.reviews import today_for
from cards.stats import (
    CALENDAR_DAYS,
    MATURE_INTERVAL,
    PASSING_GRADE,
    RECENT_DAYS,
    SM2_KINDS,
    CardCounts,
    Ratio,
    Readiness,
    card_count_aggregates,
    card_counts_by_section,
    counts_of,
    exam_cards,
    official_reviews_q,
    own_cards_by_section,
    passed_q,
    recent_retention_by_section,
    reviews_of,
    total_of,
    with_my_progress,
)

FORECAST_DAYS = 30
RETENTION_WEEKS = 26
WEAKEST_COUNT = 3  # how many considerations a "drill my weakest" session covers
START_EASINESS = sm2.SM2State().easiness
# Upper bounds (inclusive) of the interval chart's buckets, in days; the last bucket is open-ended.
INTERVAL_BUCKETS = ((1, "1 d"), (3, "2–3 d"), (7, "4–7 d"), (14, "1–2 wk"), (20, "15–20 d"), (60, "3 wk–2 mo"))
INTERVAL_BUCKETS_TAIL = ((180, "2–6 mo"), (365, "6–12 mo"), (None, "> 1 yr"))


@dataclass
class ConsiderationRow:
    """One consideration of a section for one learner, with the inputs of its weakness score."""

    consideration: Consideration
    counts: CardCounts
    avg_easiness: float | None
    lapses: int
    recent: Ratio  # SM-2 grades (new and scheduled) of the last RECENT_DAYS study days: failed / graded

    @property
    def started(self) -> bool:
        return self.counts.seen > 0

    @property
    def lapse_rate(self) -> float:
        return min(self.lapses / self.counts.seen, 1.0) if self.counts.seen else 0.0

    @property
    def ease_gap(self) -> float:
        if self.avg_easiness is None:
            return 0.0
        return min(max((START_EASINESS - self.avg_easiness) / (START_EASINESS - sm2.MIN_EASINESS), 0.0), 1.0)

    @property
    def weakness(self) -> float | None:
        return weakness_score(self)

    @property
    def weakness_percent(self) -> int | None:
        score = self.weakness
        return None if score is None else int(score * 100 + 0.5)


def weakness_score(row: ConsiderationRow) -> float | None:
    """How weak a consideration is, from 0 (solid) to 1, or None when it is not started (nothing seen yet).

    The plain mean of three shares, each from 0 to 1:
    - lapses per seen card (capped at 1): how often learned cards were forgotten;
    - the easiness gap: how far the seen cards' average easiness has fallen from 2.5 towards SM-2's floor of 1.3;
    - the recent failure rate: the share of SM-2 grades (new and scheduled) below 3 in the last 30 study days
      (0 when there were none). Re-drill and practice grades are left out, so a practice session does not move
      its own target.
    """
    if not row.started:
        return None
    return (row.lapse_rate + row.ease_gap + (row.recent.value or 0.0)) / 3


def reviewed_cards(user: User, section: Section) -> dict[int, int]:
    """One query: card id -> consideration id for the section's cards this learner has a progress row for.

    Those are exactly the cards they can have reviews of (cards/reviews.py creates the progress row before the first
    review, and never deletes it). Review queries then filter on these ids, which lets the database walk the
    (card, user) index over this section's reviews instead of reading every review of the learner.
    """
    return dict(
        Progress.objects.filter(user=user, card__consideration__objective__section=section)
        .filter(official_reviews_q(user))
        .order_by()
        .values_list("card_id", "card__consideration_id")
    )


def _section_reviews(user: User, card_ids: Iterable[int], first_day: date, today: date) -> QuerySet[Review]:
    return reviews_of(user).filter(card_id__in=list(card_ids), study_day__gte=first_day, study_day__lte=today)


def consideration_rows(
    user: User, section: Section, today: date, cards: dict[int, int] | None = None
) -> list[ConsiderationRow]:
    """Three queries (four without ``cards``, see ``reviewed_cards``): the section's considerations, their card
    counts, and their recent failures."""
    if cards is None:
        cards = reviewed_cards(user, section)
    considerations = list(
        Consideration.objects.filter(objective__section=section)
        .select_related("objective")
        .order_by("objective__position", "position")
    )
    aggregates = {
        row["consideration_id"]: row
        for row in with_my_progress(exam_cards(user, section), user)
        .order_by()
        .values("consideration_id")
        .annotate(
            **card_count_aggregates(today),
            avg_easiness=Avg("mine__easiness", filter=Q(mine__due__isnull=False)),
            lapses=Sum("mine__lapses"),
        )
    }
    failures: dict[int, Ratio] = {}
    recent = _section_reviews(user, cards, today - timedelta(days=RECENT_DAYS - 1), today).filter(kind__in=SM2_KINDS)
    for card_id, failed, graded in (
        recent.values("card_id")
        .annotate(failed=Count("id", filter=~passed_q()), graded=Count("id"))
        .values_list("card_id", "failed", "graded")
    ):
        failures[cards[card_id]] = failures.get(cards[card_id], Ratio()) + Ratio(failed, graded)
    rows = []
    for c in considerations:
        agg = aggregates.get(c.id)
        rows.append(
            ConsiderationRow(
                consideration=c,
                counts=counts_of(agg) if agg else CardCounts(),
                avg_easiness=agg["avg_easiness"] if agg else None,
                lapses=(agg["lapses"] or 0) if agg else 0,
                recent=failures.get(c.id, Ratio()),
            )
        )
    return rows


def weakest(rows: list[ConsiderationRow], limit: int = WEAKEST_COUNT) -> list[ConsiderationRow]:
    """The started considerations, weakest first (ties in curriculum order), at most ``limit``."""
    started = [r for r in rows if r.started]
    return sorted(started, key=lambda r: -(r.weakness or 0.0))[:limit]


SORTS = {
    "curriculum": "Curriculum order",
    "weakest": "Weakest first",
    "due": "Most due",
    "lapses": "Most lapses",
    "easiness": "Lowest easiness",
    "unseen": "Least seen",
}


def sort_rows(rows: list[ConsiderationRow], sort: str) -> list[ConsiderationRow]:
    """Stable sorts (curriculum order breaks ties); considerations not started go last where a score is needed."""
    if sort == "weakest":
        return sorted(rows, key=lambda r: (not r.started, -(r.weakness or 0.0)))
    if sort == "due":
        return sorted(rows, key=lambda r: -r.counts.due)
    if sort == "lapses":
        return sorted(rows, key=lambda r: -r.lapses)
    if sort == "easiness":
        return sorted(rows, key=lambda r: (r.avg_easiness is None, r.avg_easiness or 0.0))
    if sort == "unseen":
        return sorted(rows, key=lambda r: r.counts.coverage.value or 0.0)
    if sort == "curriculum":
        return list(rows)
    raise ValueError(f"Unknown sort {sort!r}")


# --- chart data --------------------------------------------------------------------------------------------------


def due_forecast(user: User, section: Section, today: date) -> list[int]:
    """One query: cards falling due on each of the next FORECAST_DAYS study days; overdue cards count as today."""
    horizon = today + timedelta(days=FORECAST_DAYS - 1)
    rows = (
        Progress.objects.filter(user=user, suspended=False, due__lte=horizon, card__in=exam_cards(user, section))
        .order_by()
        .values("due")
        .annotate(n=Count("id"))
        .values_list("due", "n")
    )
    days = [0] * FORECAST_DAYS
    for due, n in rows:
        days[max((due - today).days, 0)] += n
    return days


@dataclass(frozen=True)
class RetentionWeek:
    start: date  # the Monday of the week (study days)
    young: Ratio
    mature: Ratio


@dataclass
class SectionHistory:
    """A section's review log of the last CALENDAR_DAYS study days, folded for the charts."""

    activity: dict[date, int]  # reviews of every kind per study day
    grades: list[int]  # how many of each grade, 0 to 5, every kind
    weeks: list[RetentionWeek]  # the last RETENTION_WEEKS weeks, Monday to Sunday in study days, this week last


def section_history(user: User, today: date, card_ids: Iterable[int]) -> SectionHistory:
    """One query over the section's reviews of the last CALENDAR_DAYS study days.

    Grouped in the database by study day and grade (so at most six rows a study day, whatever the number of
    reviews), with the scheduled ones counted as young or mature beside; Python only folds those rows into the
    calendar, the grade distribution and the weekly retention.
    """
    scheduled = Q(kind=Review.Kind.SCHEDULED)
    rows = (
        _section_reviews(user, card_ids, today - timedelta(days=CALENDAR_DAYS - 1), today)
        .values("study_day", "grade")
        .annotate(
            n=Count("id"),
            young=Count("id", filter=scheduled & Q(before_interval__lt=MATURE_INTERVAL)),
            mature=Count("id", filter=scheduled & Q(before_interval__gte=MATURE_INTERVAL)),
        )
        .values_list("study_day", "grade", "n", "young", "mature")
    )
    first_monday = today - timedelta(days=today.weekday(), weeks=RETENTION_WEEKS - 1)
    activity: dict[date, int] = {}
    grades = [0] * 6
    weeks = [[Ratio(), Ratio()] for _ in range(RETENTION_WEEKS)]
    for day, grade, n, young, mature in rows:
        activity[day] = activity.get(day, 0) + n
        grades[grade] += n
        if day >= first_monday:
            passed = grade >= PASSING_GRADE
            week = weeks[(day - first_monday).days // 7]
            week[0] += Ratio(young if passed else 0, young)
            week[1] += Ratio(mature if passed else 0, mature)
    return SectionHistory(
        activity=activity,
        grades=grades,
        weeks=[
            RetentionWeek(start=first_monday + timedelta(weeks=i), young=y, mature=m) for i, (y, m) in enumerate(weeks)
        ],
    )


def interval_buckets() -> list[tuple[int | None, str]]:
    return [*INTERVAL_BUCKETS, *INTERVAL_BUCKETS_TAIL]


def interval_distribution(user: User, section: Section) -> list[int]:
    """One query: the seen cards' current intervals, counted in the buckets of ``interval_buckets()``."""
    rows = (
        Progress.objects.filter(user=user, due__isnull=False, card__in=exam_cards(user, section))
        .order_by()
        .values("interval")
        .annotate(n=Count("id"))
        .values_list("interval", "n")
    )
    buckets = interval_buckets()
    counts = [0] * len(buckets)
    for interval, n in rows:
        index = next(i for i, (upper, _) in enumerate(buckets) if upper is None or interval <= upper)
        counts[index] += n
    return counts


# --- the section dashboard ---------------------------------------------------------------------------------------


@dataclass
class SectionDashboard:
    section: Section
    own_cards: int
    today: date
    counts: CardCounts
    readiness: Readiness
    overall: Readiness
    rows: list[ConsiderationRow]
    weakest: list[ConsiderationRow]
    forecast: list[int]
    activity: dict[date, int]
    retention: list[RetentionWeek]
    grades: list[int]
    intervals: list[int]


def section_dashboard(user: User, section: Section, now: datetime) -> SectionDashboard:
    """Everything the section page shows, in ten queries whatever the size of the history."""
    today = today_for(user, now)
    counts = card_counts_by_section(user, today)
    retention = recent_retention_by_section(user, today)
    mine = counts.get(section.id, CardCounts())
    cards = reviewed_cards(user, section)
    rows = consideration_rows(user, section, today, cards)
    history = section_history(user, today, cards)
    return SectionDashboard(
        section=section,
        own_cards=own_cards_by_section(user).get(section.id, 0),
        today=today,
        counts=mine,
        readiness=Readiness(mine.coverage, retention.get(section.id, Ratio())),
        overall=Readiness(total_of(counts.values(), CardCounts()).coverage, total_of(retention.values(), Ratio())),
        rows=rows,
        weakest=weakest(rows),
        forecast=due_forecast(user, section, today),
        activity=history.activity,
        retention=history.weeks,
        grades=history.grades,
        intervals=interval_distribution(user, section),
    )


def weakest_considerations(user: User, section: Section, now: datetime) -> list[ConsiderationRow]:
    """The considerations a "drill my weakest" session covers, weakest first (four queries)."""
    return weakest(consideration_rows(user, section, today_for(user, now)))


def weakest_consideration_ids(user: User, section: Section, now: datetime) -> list[int]:
    return [row.consideration.id for row in weakest_considerations(user, section, now)]
