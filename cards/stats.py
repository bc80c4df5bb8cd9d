"""Read-only queries behind the home page and the section dashboards. Nothing here writes.

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

from django.db.models import Avg, Case, Count, DateField, F, FilteredRelation, Q, QuerySet, Sum, Value, When

from accounts.models import Membership, StudyGroup, User
from cards import sm2
from cards.editions import current_edition, edition_q, sections_of
from cards.models import Card, Consideration, Deck, DeckShare, Edition, LeechReport, Progress, Review, Section
from cards.reviews import Scope, build_queue, studied_decks, today_for

MATURE_INTERVAL = 21
PASSING_GRADE = 3
RECENT_DAYS = 30  # the window of "recent" retention and failure rates
CALENDAR_DAYS = 365
FORECAST_DAYS = 30
RETENTION_WEEKS = 26
WEAKEST_COUNT = 3  # how many considerations a "drill my weakest" session covers
START_EASINESS = sm2.SM2State().easiness
# Upper bounds (inclusive) of the interval chart's buckets, in days; the last bucket is open-ended.
INTERVAL_BUCKETS = ((1, "1 d"), (3, "2–3 d"), (7, "4–7 d"), (14, "1–2 wk"), (20, "15–20 d"), (60, "3 wk–2 mo"))
INTERVAL_BUCKETS_TAIL = ((180, "2–6 mo"), (365, "6–12 mo"), (None, "> 1 yr"))
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


def _official_reviews_q(user: User) -> Q:
    return Q(card__deck__owner__isnull=True) & edition_q(user, "card__deck__edition")


def _with_my_progress(cards: QuerySet[Card], user: User) -> QuerySet[Card]:
    # A LEFT JOIN on this learner's progress row only (unique per user and card), so counting cards stays exact.
    return cards.alias(mine=FilteredRelation("progress", condition=Q(progress__user=user)))


def _card_count_aggregates(today: date) -> dict:
    seen = Q(mine__due__isnull=False)
    return {
        "total": Count("id"),
        "seen": Count("id", filter=seen),
        "mature": Count("id", filter=seen & Q(mine__interval__gte=MATURE_INTERVAL)),
        "due_now": Count("id", filter=Q(mine__due__lte=today, mine__suspended=False)),
        # New as the queue sees it: never started (no row, or a row whose first review was undone), not suspended.
        "new": Count("id", filter=Q(mine__id__isnull=True) | Q(mine__due__isnull=True, mine__suspended=False)),
    }


def _counts(row: dict) -> CardCounts:
    return CardCounts(total=row["total"], seen=row["seen"], mature=row["mature"], due=row["due_now"], new=row["new"])


def _reviews(user: User) -> QuerySet[Review]:
    # Carried rows are not reviews the learner did: they only move progress between editions.
    return Review.objects.filter(user=user, undone_at__isnull=True).exclude(kind__in=Review.UNGRADED).order_by()


def _passed() -> Q:
    return Q(grade__gte=PASSING_GRADE)


# --- counts per section, retention per section, readiness --------------------------------------------------------


def card_counts_by_section(user: User, today: date) -> dict[int | None, CardCounts]:
    """One query: the official deck's cards per exam section, with this learner's progress on them."""
    rows = (
        _with_my_progress(exam_cards(user), user)
        .order_by()
        .values(SECTION_OF_CARD)
        .annotate(**_card_count_aggregates(today))
    )
    return {row[SECTION_OF_CARD]: _counts(row) for row in rows}


def recent_retention_by_section(user: User, today: date) -> dict[int | None, Ratio]:
    """One query: scheduled reviews of the last RECENT_DAYS study days, passed / graded, per section."""
    rows = (
        _reviews(user)
        .filter(
            _official_reviews_q(user), kind=Review.Kind.SCHEDULED, study_day__gt=today - timedelta(days=RECENT_DAYS)
        )
        .values(f"card__{SECTION_OF_CARD}")
        .annotate(whole=Count("id"), part=Count("id", filter=_passed()))
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


def _total(values: Iterable, zero):
    result = zero
    for value in values:
        result = result + value
    return result


# --- activity and the streak -------------------------------------------------------------------------------------


def activity_and_reviews_today(user: User, today: date) -> tuple[dict[date, int], int]:
    """One query: non-undone reviews of every kind per study day, over the CALENDAR_DAYS ending today, and today's
    reviews other than practice."""
    rows = (
        _reviews(user)
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
    totals = _total(counts.values(), CardCounts())
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
        overall=Readiness(totals.coverage, _total(retention.values(), Ratio())),
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


# --- considerations and their weakness ---------------------------------------------------------------------------


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
        .filter(_official_reviews_q(user))
        .order_by()
        .values_list("card_id", "card__consideration_id")
    )


def _section_reviews(user: User, card_ids: Iterable[int], first_day: date, today: date) -> QuerySet[Review]:
    return _reviews(user).filter(card_id__in=list(card_ids), study_day__gte=first_day, study_day__lte=today)


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
        for row in _with_my_progress(exam_cards(user, section), user)
        .order_by()
        .values("consideration_id")
        .annotate(
            **_card_count_aggregates(today),
            avg_easiness=Avg("mine__easiness", filter=Q(mine__due__isnull=False)),
            lapses=Sum("mine__lapses"),
        )
    }
    failures: dict[int, Ratio] = {}
    recent = _section_reviews(user, cards, today - timedelta(days=RECENT_DAYS - 1), today).filter(kind__in=SM2_KINDS)
    for card_id, failed, graded in (
        recent.values("card_id")
        .annotate(failed=Count("id", filter=~_passed()), graded=Count("id"))
        .values_list("card_id", "failed", "graded")
    ):
        failures[cards[card_id]] = failures.get(cards[card_id], Ratio()) + Ratio(failed, graded)
    rows = []
    for c in considerations:
        agg = aggregates.get(c.id)
        rows.append(
            ConsiderationRow(
                consideration=c,
                counts=_counts(agg) if agg else CardCounts(),
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
        overall=Readiness(_total(counts.values(), CardCounts()).coverage, _total(retention.values(), Ratio())),
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


# ---------------------------------------------------------------------------------------------------------------
# Study groups: the group dashboard.
#
# The group's curriculum is the official deck plus the decks shared with the group (members' personal decks stay
# out of it). Per member: cards due now (in that member's own study day), reviews in the last 7 days, retention
# (share of scheduled reviews in the last 30 days graded 3 or more), and mastery per exam section (share of the
# section's curriculum cards the member holds at an interval of 21 days or more, i.e. mature). A member who hides
# their figures is "private" to everyone but themselves, and their rows are not even queried. Five queries,
# whatever the number of members.
# ---------------------------------------------------------------------------------------------------------------

GROUP_WEEK_DAYS = 7
HEAT_LEVELS = 5  # CSS classes heat-0 (nothing mastered) to heat-4 (75% or more)


@dataclass
class MasteryCell:
    section: Section
    mastered: int
    total: int

    @property
    def percent(self) -> int:
        return round(100 * self.mastered / self.total) if self.total else 0

    @property
    def level(self) -> int:
        if not self.total or not self.mastered:
            return 0
        return min(1 + self.mastered * (HEAT_LEVELS - 1) // self.total, HEAT_LEVELS - 1)


@dataclass
class MemberFigures:
    membership: Membership  # with its user
    private: bool
    due: int = 0
    reviews_7d: int = 0
    scheduled_30d: int = 0
    passed_30d: int = 0
    mastery: tuple[MasteryCell, ...] = ()  # one per exam section, in order
    other_edition: Edition | None = None  # the exam this member prepares for, when it is not the group's

    @property
    def retention(self) -> int | None:
        """Percent of scheduled reviews passed in the last 30 days; None without any."""
        return round(100 * self.passed_30d / self.scheduled_30d) if self.scheduled_30d else None


@dataclass
class GroupDashboard:
    edition: Edition | None
    sections: list[Section]
    members: list[MemberFigures]
    leaderboard: list[tuple[Membership, int]]  # (membership, reviews in the last 7 days), most first


def group_curriculum(group: StudyGroup) -> QuerySet[Card]:
    """The active cards a group studies together: its edition's official deck and the decks shared with it."""
    shared = DeckShare.objects.filter(group=group).values("deck_id")
    decks = Deck.objects.filter((Q(owner__isnull=True) & edition_q(group)) | Q(id__in=shared))
    return Card.objects.filter(deck__in=decks, retired=False)


def _other_edition(user: User, group_edition: Edition | None) -> Edition | None:
    """The exam a member prepares for when it is not the group's (no query unless the group is on an older one)."""
    if user.exam_edition_id:
        return user.exam_edition if user.exam_edition_id != getattr(group_edition, "id", None) else None
    return None if group_edition is None or group_edition.is_current else current_edition()


def group_dashboard(group: StudyGroup, viewer: User, now: datetime) -> GroupDashboard:
    """Every member's figures for the group page: five queries whatever the number of members."""

    sections = list(sections_of(group).select_related("edition"))
    edition = sections[0].edition if sections else None
    memberships = list(
        Membership.objects.filter(group=group).select_related("user__exam_edition").order_by("joined_at", "id")
    )
    cards = group_curriculum(group)
    section_of = "consideration__objective__section_id"
    # Mastery is an exam figure: the official deck's cards only, each once (shared decks count for activity).
    official = Q(deck__owner__isnull=True)
    totals = dict(cards.filter(official).values_list(section_of).annotate(n=Count("id")).values_list(section_of, "n"))

    visible = {m.user_id for m in memberships if m.share_stats or m.user_id == viewer.id}
    ranked = {m.user_id for m in memberships if m.on_leaderboard}
    todays = {m.user_id: today_for(m.user, now) for m in memberships if m.user_id in visible}

    # Members' study days differ by at most a day or two (time zones), so due dates are grouped exactly only inside
    # that window; everything earlier is folded into one bucket, everything later (and new or suspended) into none.
    due_by: dict[int, list[tuple[date | None, int]]] = {}
    mastered: dict[tuple[int, int | None], int] = {}
    if todays:
        first, last = min(todays.values()), max(todays.values())
        due_key = Case(
            When(Q(due__isnull=True) | Q(suspended=True) | Q(due__gt=last), then=Value(None)),
            When(due__lt=first, then=Value(first - timedelta(days=1))),
            default=F("due"),
            output_field=DateField(),
        )
        rows = (
            Progress.objects.filter(user_id__in=visible, card__in=cards)
            .annotate(section=F(f"card__{section_of}"), due_key=due_key)
            .values("user_id", "section", "due_key")
            .annotate(
                n=Count("id"),
                mature=Count(
                    "id", filter=Q(interval__gte=MATURE_INTERVAL, due__isnull=False, card__deck__owner__isnull=True)
                ),
            )
        )
        for row in rows:
            due_by.setdefault(row["user_id"], []).append((row["due_key"], row["n"]))
            key = (row["user_id"], row["section"])
            mastered[key] = mastered.get(key, 0) + row["mature"]

    reviews: dict[int, dict[str, int]] = {}
    counted = visible | ranked
    if counted:
        week, month = now - timedelta(days=GROUP_WEEK_DAYS), now - timedelta(days=RECENT_DAYS)
        scheduled = Q(kind=Review.Kind.SCHEDULED)
        for row in (
            Review.objects.filter(user_id__in=counted, card__in=cards, undone_at__isnull=True, reviewed_at__gte=month)
            .exclude(kind__in=(*Review.UNGRADED, Review.Kind.PRACTICE))  # practice would buy a leaderboard place
            .values("user_id")
            .annotate(
                week=Count("id", filter=Q(reviewed_at__gte=week)),
                scheduled=Count("id", filter=scheduled),
                passed=Count("id", filter=scheduled & Q(grade__gte=3)),
            )
        ):
            reviews[row["user_id"]] = row

    members = []
    for m in memberships:
        other = _other_edition(m.user, edition)
        if m.user_id not in visible:
            members.append(MemberFigures(membership=m, private=True, other_edition=other))
            continue
        today = todays[m.user_id]
        mine = reviews.get(m.user_id, {})
        due = sum(n for day, n in due_by.get(m.user_id, []) if day is not None and day <= today)
        members.append(
            MemberFigures(
                membership=m,
                private=False,
                due=due,
                reviews_7d=mine.get("week", 0),
                scheduled_30d=mine.get("scheduled", 0),
                passed_30d=mine.get("passed", 0),
                mastery=tuple(
                    MasteryCell(section=s, mastered=mastered.get((m.user_id, s.id), 0), total=totals.get(s.id, 0))
                    for s in sections
                ),
                other_edition=other,
            )
        )
    leaderboard = sorted(
        ((m, reviews.get(m.user_id, {}).get("week", 0)) for m in memberships if m.user_id in ranked),
        key=lambda pair: (-pair[1], pair[0].user.username),
    )
    return GroupDashboard(edition=edition, sections=sections, members=members, leaderboard=leaderboard)


# --- one card's history, and the learner's leeches -----------------------------------------------------------------


def card_history(user: User, card: Card) -> list[Review]:
    """The card's log for the learner, oldest first (one query): grades, and carried or moved entries; undone
    grades left out."""
    return list(Review.objects.filter(user=user, card=card, undone_at__isnull=True).order_by("reviewed_at", "id"))


@dataclass
class Leech:
    progress: Progress
    history: list[Review]
    reported: bool


def leeches(user: User) -> list[Leech]:
    """The learner's cards at or past their leech threshold, most lapses first, with their grades (three queries)."""
    rows = list(
        Progress.objects.filter(user=user, lapses__gte=user.leech_threshold, card__in=Scope().cards(user))
        .select_related("card__deck", "card__consideration")
        .order_by("-lapses", "card_id")[:200]
    )
    ids = [p.card_id for p in rows]
    history: dict[int, list[Review]] = {}
    for review in _reviews(user).filter(card_id__in=ids).order_by("reviewed_at", "id"):
        history.setdefault(review.card_id, []).append(review)
    reported = set(LeechReport.objects.filter(reporter=user, card_id__in=ids).values_list("card_id", flat=True))
    return [Leech(p, history.get(p.card_id, []), p.card_id in reported) for p in rows]
