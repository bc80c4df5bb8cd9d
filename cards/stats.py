"""Read-only queries behind the home page, the end of a review session and the study plan, with the definitions
and query pieces every dashboard shares. Nothing here writes. The section dashboard's figures are in
cards/section_stats.py, the group dashboard's in cards/group_stats.py, a card's history and the leeches in
cards/card_stats.py; the definitions below hold for all of them.

Every figure comes from the review log and the progress rows, counted in the learner's study days: a review's
``study_day`` was fixed (in the learner's time zone, after their rollover hour) when it was recorded, and "today" is
``today_for(user, now)``. Undone reviews never count. Each function issues a fixed number of queries, whatever the
size of the history: the aggregation happens in the database (GROUP BY), and Python only folds bounded results
(at most one row per study day of a window, per consideration, per distinct interval).

Definitions, used everywhere:
- *seen*: the card has a schedule (``due`` set): it has been reviewed and that first review was not undone.
- *mature*: seen with an interval of ``MATURE_INTERVAL`` (21) days or more.
- *retention*: the share of non-undone reviews of kind "scheduled" graded 3 or more; a review is *young* when the
  interval before it was under 21 days, *mature* otherwise. New, re-drill and practice grades count as activity
  (days studied, the calendar), never toward retention. Practice grades are not reviews: "reviews today", the
  group's reviews in 7 days and its leaderboard leave them out, so a drill of ten cards run five times does not
  outrank fifty due reviews.
- *exam figures* (card counts, mastery, coverage, retention, readiness, weakness, forecasts) count the official deck
  of the edition the learner prepares for, each card once. A learner's own cards, clones of the official deck
  included, never change them; the pages show them apart ("your own cards on this section").
- *readiness*: coverage (share of the section's cards seen) times recent retention (the last ``RECENT_DAYS`` study
  days). It is a rough estimate and the pages show both inputs beside it.
- *weakness* of a consideration: see ``weakness_score``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.db.models import Count, F, FilteredRelation, Q, QuerySet

from accounts.models import User
from cards.editions import edition_q, sections_of
from cards.models import Card, Deck, DeckShare, Edition, Progress, Review, Section
from cards.reviews import Scope, build_queue, studied_decks, today_for

MATURE_INTERVAL = 21
PASSING_GRADE = 3
RECENT_DAYS = 30  # the window of "recent" retention and failure rates
CALENDAR_DAYS = 365
SM2_KINDS = (Review.Kind.NEW, Review.Kind.SCHEDULED)


# --- small value types ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Ratio:
    """``part`` of ``whole``, with an honest "no data" when ``whole`` is 0."""

    part: int = 0
    whole: int = 0

    @property
    def value(self) -> float | None:
        return self.part / self.whole if self.whole else None

    @property
    def percent(self) -> int | None:
        """Rounded half up to a whole percent (Python's round() would round 62.5 to 62)."""
        return None if not self.whole else (200 * self.part + self.whole) // (2 * self.whole)

    def __add__(self, other: Ratio) -> Ratio:
        return Ratio(self.part + other.part, self.whole + other.whole)


@dataclass(frozen=True)
class Readiness:
    """Coverage times recent retention, kept with its inputs so that the page can show what it is made of."""

    coverage: Ratio
    retention: Ratio

    @property
    def value(self) -> float | None:
        if self.coverage.value is None or self.retention.value is None:
            return None
        return self.coverage.value * self.retention.value

    @property
    def percent(self) -> int | None:
        return None if self.value is None else int(self.value * 100 + 0.5)


@dataclass
class CardCounts:
    """A learner's cards in some scope: how many, how many seen, mature, due now, still new."""

    total: int = 0
    seen: int = 0
    mature: int = 0
    due: int = 0
    new: int = 0

    @property
    def mastery(self) -> Ratio:
        return Ratio(self.mature, self.total)

    @property
    def coverage(self) -> Ratio:
        return Ratio(self.seen, self.total)

    @property
    def learning(self) -> int:
        return self.seen - self.mature

    def __add__(self, other: CardCounts) -> CardCounts:
        return CardCounts(
            total=self.total + other.total,
            seen=self.seen + other.seen,
            mature=self.mature + other.mature,
            due=self.due + other.due,
            new=self.new + other.new,
        )


@dataclass(frozen=True)
class Streak:
    """A streak that does not punish: days studied in the last 7 and 30, beside the unbroken run."""

    reviews_today: int  # daily review, new cards and re-drill: not practice
    days_last_7: int
    days_last_30: int
    run: int  # consecutive study days up to today (or up to yesterday while today is still open)
    studied_today: bool = field(default=False, compare=False)  # any activity today, practice included


# --- shared query pieces ----------------------------------------------------------------------------------------

SECTION_OF_CARD = "consideration__objective__section_id"


def exam_cards(user: User, section: Section | None = None) -> QuerySet[Card]:
    """The cards exam figures count: the active cards of the official deck of the learner's edition."""
    cards = Card.objects.filter(edition_q(user, "deck__edition"), deck__owner__isnull=True, retired=False)
    return cards if section is None else cards.filter(consideration__objective__section=section)


def official_reviews_q(user: User) -> Q:
    return Q(card__deck__owner__isnull=True) & edition_q(user, "card__deck__edition")


def with_my_progress(cards: QuerySet[Card], user: User) -> QuerySet[Card]:
    # A LEFT JOIN on this learner's progress row only (unique per user and card), so counting cards stays exact.
    return cards.alias(mine=FilteredRelation("progress", condition=Q(progress__user=user)))


def card_count_aggregates(today: date) -> dict:
    seen = Q(mine__due__isnull=False)
    return {
        "total": Count("id"),
        "seen": Count("id", filter=seen),
        "mature": Count("id", filter=seen & Q(mine__interval__gte=MATURE_INTERVAL)),
        "due_now": Count("id", filter=Q(mine__due__lte=today, mine__suspended=False)),
        # New as the queue sees it: never started (no row, or a row whose first review was undone), not suspended.
        "new": Count("id", filter=Q(mine__id__isnull=True) | Q(mine__due__isnull=True, mine__suspended=False)),
    }


def counts_of(row: dict) -> CardCounts:
    return CardCounts(total=row["total"], seen=row["seen"], mature=row["mature"], due=row["due_now"], new=row["new"])


def reviews_of(user: User) -> QuerySet[Review]:
    # Carried rows are not reviews the learner did: they only move progress between editions.
    return Review.objects.filter(user=user, undone_at__isnull=True).exclude(kind__in=Review.UNGRADED).order_by()


def passed_q() -> Q:
    return Q(grade__gte=PASSING_GRADE)


# --- counts per section, retention per section, readiness --------------------------------------------------------


def card_counts_by_section(user: User, today: date) -> dict[int | None, CardCounts]:
    """One query: the official deck's cards per exam section, with this learner's progress on them."""
    rows = (
        with_my_progress(exam_cards(user), user)
        .order_by()
        .values(SECTION_OF_CARD)
        .annotate(**card_count_aggregates(today))
    )
    return {row[SECTION_OF_CARD]: counts_of(row) for row in rows}


def recent_retention_by_section(user: User, today: date) -> dict[int | None, Ratio]:
    """One query: scheduled reviews of the last RECENT_DAYS study days, passed / graded, per section."""
    rows = (
        reviews_of(user)
        .filter(official_reviews_q(user), kind=Review.Kind.SCHEDULED, study_day__gt=today - timedelta(days=RECENT_DAYS))
        .values(f"card__{SECTION_OF_CARD}")
        .annotate(whole=Count("id"), part=Count("id", filter=passed_q()))
    )
    return {row[f"card__{SECTION_OF_CARD}"]: Ratio(row["part"], row["whole"]) for row in rows}


def own_cards_by_section(user: User) -> dict[int, int]:
    """One query: the learner's other studied cards (own, cloned, groups') filed under a section of their edition."""
    rows = (
        Scope()
        .cards(user)
        .filter(edition_q(user, "consideration__objective__section__edition"), deck__owner__isnull=False)
        .order_by()
        .values(SECTION_OF_CARD)
        .annotate(n=Count("id"))
        .values_list(SECTION_OF_CARD, "n")
    )
    return dict(rows)


def own_new_cards_left(user: User) -> bool:
    """One query: does any own or group card still wait to be started (so that it takes its share of new cards)?"""
    started = Progress.objects.filter(user=user).filter(Q(due__isnull=False) | Q(suspended=True)).values("card_id")
    return Scope().cards(user).filter(deck__owner__isnull=False).exclude(id__in=started).exists()


def total_of(values: Iterable, zero):
    result = zero
    for value in values:
        result = result + value
    return result


# --- activity and the streak -------------------------------------------------------------------------------------


def activity_and_reviews_today(user: User, today: date) -> tuple[dict[date, int], int]:
    """One query: non-undone reviews of every kind per study day, over the CALENDAR_DAYS ending today, and today's
    reviews other than practice."""
    rows = (
        reviews_of(user)
        .filter(study_day__gt=today - timedelta(days=CALENDAR_DAYS), study_day__lte=today)
        .values("study_day")
        .annotate(n=Count("id"), reviews=Count("id", filter=~Q(kind=Review.Kind.PRACTICE)))
        .values_list("study_day", "n", "reviews")
    )
    activity, reviews_today = {}, 0
    for day, n, reviews in rows:
        activity[day] = n
        if day == today:
            reviews_today = reviews
    return activity, reviews_today


def activity_by_day(user: User, today: date) -> dict[date, int]:
    """One query: non-undone reviews of every kind per study day, over the CALENDAR_DAYS ending today."""
    return activity_and_reviews_today(user, today)[0]


def streak_from(activity: dict[date, int], today: date, reviews_today: int | None = None) -> Streak:
    """Pure: the streak figures from reviews per study day (the run is counted within the activity window).
    ``reviews_today`` is today's reviews without practice (by default, today's activity)."""
    last_7 = sum(1 for d in activity if today - d < timedelta(days=7))
    last_30 = sum(1 for d in activity if today - d < timedelta(days=30))
    day = today if activity.get(today) else today - timedelta(days=1)
    run = 0
    while activity.get(day):
        run += 1
        day -= timedelta(days=1)
    return Streak(
        reviews_today=activity.get(today, 0) if reviews_today is None else reviews_today,
        days_last_7=last_7,
        days_last_30=last_30,
        run=run,
        studied_today=bool(activity.get(today)),
    )


# --- the home page -----------------------------------------------------------------------------------------------


@dataclass
class SectionRow:
    section: Section
    counts: CardCounts
    readiness: Readiness
    own_cards: int = 0  # the learner's other cards filed under this section: shown apart, never in the figures

    # The names the home page has always used.
    @property
    def cards(self) -> int:
        return self.counts.total

    @property
    def due(self) -> int:
        return self.counts.due

    @property
    def new(self) -> int:
        return self.counts.new


@dataclass
class HomeOverview:
    edition: Edition | None
    plan: Plan
    backlog: int  # cards due now; a spread is offered when it is more than a day's maximum
    today: date
    sections: list[SectionRow]
    due: int
    new: int
    drill: int
    streak: Streak
    overall: Readiness
    totals: CardCounts = field(default_factory=CardCounts)
    decks: list[DeckRow] = field(default_factory=list)


@dataclass(frozen=True)
class DeckRow:
    """A deck in the learner's queue, with what it brings: cards due now, new cards in today's queue, and new
    cards still waiting (never started, not suspended)."""

    deck: Deck
    mine: bool
    groups: list[str]  # the learner's groups that share it
    cards: int = 0
    due: int = 0
    new_today: int = 0
    new_waiting: int = 0

    @property
    def official(self) -> bool:
        return self.deck.owner_id is None


def studied_deck_rows(user: User, today: date, new_today_ids: list[int]) -> list[DeckRow]:
    """Four queries, however many decks: the decks, the groups sharing them, their cards, their due cards."""
    decks = list(studied_decks(user).order_by(F("owner_id").asc(nulls_first=True), "title", "id"))
    ids = [deck.id for deck in decks]
    groups: dict[int, list[str]] = {}
    shares = DeckShare.objects.filter(deck_id__in=ids, group__memberships__user=user).order_by("group__name")
    for deck_id, name in shares.values_list("deck_id", "group__name"):
        groups.setdefault(deck_id, []).append(name)
    started = Progress.objects.filter(user=user).filter(Q(due__isnull=False) | Q(suspended=True)).values("card_id")
    cards = {
        row["deck_id"]: row
        for row in Card.objects.filter(deck_id__in=ids, retired=False)
        .order_by()
        .values("deck_id")
        .annotate(
            n=Count("id"),
            waiting=Count("id", filter=~Q(id__in=started)),
            today=Count("id", filter=Q(id__in=new_today_ids)),
        )
    }
    due = dict(
        Progress.objects.filter(user=user, due__lte=today, suspended=False, card__deck_id__in=ids, card__retired=False)
        .exclude(buried_until__gt=today)
        .order_by()
        .values("card__deck_id")
        .annotate(n=Count("id"))
        .values_list("card__deck_id", "n")
    )
    empty = {"n": 0, "waiting": 0, "today": 0}
    return [
        DeckRow(
            deck=deck,
            mine=deck.owner_id == user.id,
            groups=groups.get(deck.id, []),
            cards=cards.get(deck.id, empty)["n"],
            due=due.get(deck.id, 0),
            new_today=cards.get(deck.id, empty)["today"],
            new_waiting=cards.get(deck.id, empty)["waiting"],
        )
        for deck in decks
    ]


def home_overview(user: User, now: datetime) -> HomeOverview:
    """Today's work (as the queue will serve it), the streak, and one row per exam section."""
    today = today_for(user, now)
    queue = build_queue(user, Scope(), now)
    activity, reviews_today = activity_and_reviews_today(user, today)
    counts = card_counts_by_section(user, today)
    retention = recent_retention_by_section(user, today)
    own = own_cards_by_section(user)
    sections = list(sections_of(user).select_related("edition"))
    rows = [
        SectionRow(
            section=s,
            counts=counts.get(s.id, CardCounts()),
            readiness=Readiness(counts.get(s.id, CardCounts()).coverage, retention.get(s.id, Ratio())),
            own_cards=own.get(s.id, 0),
        )
        for s in sections
    ]
    totals = total_of(counts.values(), CardCounts())
    return HomeOverview(
        edition=sections[0].edition if sections else None,
        plan=study_plan(user, today, totals.new, own_share_applies=own_new_cards_left(user)),
        backlog=queue.backlog,
        today=today,
        sections=rows,
        due=queue.due_count,
        new=queue.new_count,
        drill=queue.drill_count,
        streak=streak_from(activity, today, reviews_today),
        overall=Readiness(totals.coverage, total_of(retention.values(), Ratio())),
        totals=totals,
        decks=studied_deck_rows(user, today, queue.new_ids),
    )


# --- the end of a review session ------------------------------------------------------------------------------

ANSWER_SECONDS_CAP = 60  # a longer gap between two grades is a pause, counted as this (as Anki caps answer time)


@dataclass(frozen=True)
class SessionSummary:
    """Today's grades (daily review and re-drill; not practice), for the finished screen, and what comes next."""

    reviews: int = 0
    cards: int = 0
    passed: int = 0  # graded 3 or more
    seconds: int = 0  # the time between grades, each gap capped at ANSWER_SECONDS_CAP
    next_due_count: int = 0  # cards due on the scope's next study day with due cards

    @property
    def accuracy(self) -> Ratio:
        return Ratio(self.passed, self.reviews)

    @property
    def minutes(self) -> int:
        return round(self.seconds / 60)


def session_summary(user: User, queue, scope: Scope) -> SessionSummary:
    """Two queries: today's grades, and the cards due on ``queue.next_due`` in this scope."""
    rows = list(
        Review.objects.filter(user=user, study_day=queue.today, undone_at__isnull=True)
        .exclude(kind__in=(*Review.UNGRADED, Review.Kind.PRACTICE))
        .order_by("reviewed_at", "id")
        .values_list("card_id", "grade", "reviewed_at")
    )
    times = [at for _, _, at in rows]
    seconds = sum(min((b - a).total_seconds(), ANSWER_SECONDS_CAP) for a, b in zip(times, times[1:], strict=False))
    next_due_count = 0
    if queue.next_due is not None:
        next_due_count = Progress.objects.filter(
            user=user, due=queue.next_due, suspended=False, card__in=scope.cards(user)
        ).count()
    return SessionSummary(
        reviews=len(rows),
        cards=len({card_id for card_id, _, _ in rows}),
        passed=sum(grade >= PASSING_GRADE for _, grade, _ in rows),
        seconds=round(seconds),
        next_due_count=next_due_count,
    )


# --- the plan to the exam date ---------------------------------------------------------------------------------

MAX_NEW_PER_DAY = 500  # the settings form's own bound


@dataclass(frozen=True)
class Plan:
    """Whether the learner's new-card pace sees every exam card ``days_before`` days before the exam."""

    status: str  # "no-date", "past", "all-seen", "on-track", "behind"
    today: date
    exam_date: date | None = None
    days_before: int = 14
    new_left: int = 0
    days_left: int = 0  # study days from today to the target day, both included
    limit: int = 0  # the learner's new cards per day
    exam_per_day: int = 0  # of which the exam deck gets (own decks take their share while they have cards)
    needed_per_day: int = 0
    suggested_limit: int = 0  # the limit that gives the exam deck what it needs
    finish_on: date | None = None  # at today's pace, the day the last exam card is first seen

    @property
    def target_day(self) -> date | None:
        return self.exam_date - timedelta(days=self.days_before) if self.exam_date else None


def _ceil_div(a: int, b: int) -> int:
    return -(-a // b)


def study_plan(user: User, today: date, new_left: int, own_share_applies: bool) -> Plan:
    """Pure arithmetic on figures the home page already has: the exam cards still new, and whether own decks
    still take their share of the daily limit."""
    limit, share = user.new_cards_per_day, user.own_new_share if own_share_applies else 0
    exam_per_day = limit - round(limit * share / 100)
    base = {"today": today, "exam_date": user.exam_date, "days_before": user.plan_days_before, "new_left": new_left}
    base |= {"limit": limit, "exam_per_day": exam_per_day}
    if user.exam_date is None:
        return Plan(status="no-date", **base)
    if user.exam_date < today:
        return Plan(status="past", **base)
    if new_left == 0:
        return Plan(status="all-seen", **base)
    days_left = max((user.exam_date - timedelta(days=user.plan_days_before) - today).days + 1, 1)
    needed = _ceil_div(new_left, days_left)
    # The smallest limit whose exam part (after the own decks' rounded share) reaches what is needed.
    suggested = needed
    while suggested - round(suggested * share / 100) < needed and suggested < MAX_NEW_PER_DAY:
        suggested += 1
    finish_on = today + timedelta(days=_ceil_div(new_left, exam_per_day) - 1) if exam_per_day else None
    return Plan(
        status="on-track" if exam_per_day >= needed else "behind",
        days_left=days_left,
        needed_per_day=needed,
        suggested_limit=min(suggested, MAX_NEW_PER_DAY),
        finish_on=finish_on,
        **base,
    )
