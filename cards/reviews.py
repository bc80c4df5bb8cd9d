"""The daily queue, recording a grade, and undo: the only code that writes learners' progress.

Follows shared/design/scheduling.md. Views call these functions with the current time; the functions read the
learner's preferences to know which study day it is.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.db import IntegrityError, transaction
from django.db.models import F, Q, QuerySet

from accounts.models import User
from cards import sm2
from cards.access import studied_deck_q
from cards.models import Card, Deck, Progress, Review, Section
from cards.studyday import study_day

# Cards without a consideration (a learner's own cards) come after the whole exam curriculum, by deck and position.
# nulls_last is spelled out because SQLite sorts NULL first and PostgreSQL last.
CURRICULUM_ORDER = (
    F("consideration__objective__section__number").asc(nulls_last=True),
    F("consideration__objective__position").asc(nulls_last=True),
    F("consideration__position").asc(nulls_last=True),
    "deck_id",
    "position",
    "id",
)


def today_for(user: User, now: datetime) -> date:
    return study_day(now, user.time_zone, user.rollover_hour)


def studied_decks(user: User) -> QuerySet[Deck]:
    """The decks whose cards are in a learner's queue: the official decks, their own, and their groups' decks."""
    return Deck.objects.filter(studied_deck_q(user))  # the rule itself lives with the other access rules


@dataclass(frozen=True)
class Scope:
    """What a review session covers: everything the learner studies, one exam section, or one deck."""

    section: Section | None = None
    deck: Deck | None = None

    def cards(self, user: User) -> QuerySet[Card]:
        cards = Card.objects.filter(deck__in=studied_decks(user), retired=False)
        if self.section is not None:
            cards = cards.filter(consideration__objective__section=self.section)
        if self.deck is not None:
            cards = cards.filter(deck=self.deck)
        return cards


@dataclass
class CardPanelState:
    """What the review screen's card panel shows, whichever session fills it (the daily queue or a practice)."""

    today: date
    card: Card | None = None
    progress: Progress | None = None
    next_due: date | None = None  # when the session is over: the first day with due cards

    @property
    def next_due_is_tomorrow(self) -> bool:
        return self.next_due == self.today + timedelta(days=1)

    @property
    def version(self) -> int:
        return self.progress.version if self.progress else 0


@dataclass
class Queue(CardPanelState):
    due_ids: list[int] = field(default_factory=list)
    new_ids: list[int] = field(default_factory=list)
    drill_ids: list[int] = field(default_factory=list)
    kind: str = ""

    @property
    def due_count(self) -> int:
        return len(self.due_ids)

    @property
    def new_count(self) -> int:
        return len(self.new_ids)

    @property
    def drill_count(self) -> int:
        return len(self.drill_ids)

    @property
    def kind_label(self) -> str:
        return Review.Kind(self.kind).label if self.kind else ""

    def kind_of(self, card_id: int) -> str:
        if card_id in self.due_ids:
            return Review.Kind.SCHEDULED
        if card_id in self.new_ids:
            return Review.Kind.NEW
        if card_id in self.drill_ids:
            return Review.Kind.DRILL
        return ""

    def intervals(self) -> list[tuple[int, str, str]]:
        """(grade, label, what it would do) for each button: the dry run of SM-2 on this card."""
        if self.card is None:
            return []
        if self.kind == Review.Kind.DRILL:
            return [(q, label, "again today" if q < 4 else "done for today") for q, label in sm2.GRADE_LABELS.items()]
        state = self.progress.state if self.progress and self.progress.due else sm2.SM2State()
        return [(q, label, _days(sm2.review(state, q).interval)) for q, label in sm2.GRADE_LABELS.items()]


def _days(n: int) -> str:
    return "1 day" if n == 1 else f"{n:,} days"


def _todays_reviews(user: User, today: date) -> list[Review]:
    return list(
        Review.objects.filter(user=user, study_day=today, undone_at__isnull=True)
        .order_by("reviewed_at", "id")
        .only("id", "card_id", "grade", "kind", "reviewed_at")
    )


def build_queue(user: User, scope: Scope, now: datetime, *, prefer_card_id: int | None = None) -> Queue:
    """Today's queue for a scope: due reviews, new cards within the limit, then the same-day re-drill."""
    today = today_for(user, now)
    todays = _todays_reviews(user, today)
    scheduled_today = sum(r.kind == Review.Kind.SCHEDULED for r in todays)
    new_today = sum(r.kind == Review.Kind.NEW for r in todays)

    # A card is drilled again while its latest grade today is below 4; the longest-waiting comes first.
    latest: dict[int, Review] = {}
    for r in todays:
        if r.kind != Review.Kind.PRACTICE:
            latest.pop(r.card_id, None)
            latest[r.card_id] = r
    drill_candidates = [cid for cid, r in latest.items() if r.grade < 4]

    scope_cards = scope.cards(user)
    review_room = max(user.max_reviews_per_day - scheduled_today, 0)
    due_ids = list(
        Progress.objects.filter(user=user, due__lte=today, suspended=False, card__in=scope_cards)
        .exclude(card_id__in=drill_candidates)
        .order_by("due", "card_id")
        .values_list("card_id", flat=True)[:review_room]
    )
    new_room = max(user.new_cards_per_day - new_today, 0)
    started_or_suspended = Progress.objects.filter(user=user).filter(Q(due__isnull=False) | Q(suspended=True))
    new_ids = list(
        scope_cards.exclude(id__in=started_or_suspended.values("card_id"))
        .order_by(*CURRICULUM_ORDER)
        .values_list("id", flat=True)[:new_room]
    )
    drill_ids = []
    if drill_candidates:
        drillable = set(
            scope_cards.filter(id__in=drill_candidates)
            .exclude(progress__user=user, progress__suspended=True)
            .values_list("id", flat=True)
        )
        drill_ids = [cid for cid in drill_candidates if cid in drillable]

    queue = Queue(today=today, due_ids=due_ids, new_ids=new_ids, drill_ids=drill_ids)
    ordered = due_ids + new_ids + drill_ids
    if not ordered:
        queue.next_due = (
            Progress.objects.filter(user=user, due__gt=today, suspended=False, card__in=scope_cards)
            .order_by("due")
            .values_list("due", flat=True)
            .first()
        )
        return queue
    card_id = prefer_card_id if prefer_card_id in ordered else ordered[0]
    queue.card = Card.objects.select_related("deck", "consideration__objective__section").get(id=card_id)
    queue.kind = queue.kind_of(card_id)
    queue.progress = Progress.objects.filter(user=user, card_id=card_id).first()
    return queue


@dataclass(frozen=True)
class Outcome:
    recorded: bool
    notice: str = ""
    review: Review | None = None


def record_review(*, user: User, scope: Scope, card_id: int, quality: int, version: int, now: datetime) -> Outcome:
    """Record one grade atomically, or nothing when the submission is stale (double click, retry, other tab).

    Raises ``Card.DoesNotExist`` for a card the learner may not study in this scope, and ``ValueError`` for a
    grade outside 0-5: the caller answers both with a 4xx.
    """
    if isinstance(quality, bool) or not isinstance(quality, int) or quality not in sm2.GRADES:
        raise ValueError("The grade must be a whole number from 0 to 5.")
    card = scope.cards(user).get(id=card_id)
    try:
        with transaction.atomic():
            return _record_locked(user=user, scope=scope, card=card, quality=quality, version=version, now=now)
    except IntegrityError:
        # Another request created this learner's progress row for the card at the same moment: that request
        # won, so this one is the stale duplicate.
        return Outcome(recorded=False, notice=STALE_NOTICE)


STALE_NOTICE = "That card was already graded (a double click or another tab), so nothing was recorded twice."


def _state_before(progress: Progress) -> dict:
    """The whole progress state, as the Review row keeps it so that undo can restore it exactly."""
    return {
        "before_repetitions": progress.repetitions,
        "before_easiness": progress.easiness,
        "before_interval": progress.interval,
        "before_due": progress.due,
        "before_lapses": progress.lapses,
        "before_review_count": progress.review_count,
        "before_last_reviewed_at": progress.last_reviewed_at,
    }


def _record_locked(*, user: User, scope: Scope, card: Card, quality: int, version: int, now: datetime) -> Outcome:
    progress = Progress.objects.select_for_update().filter(user=user, card=card).first()
    if (progress.version if progress else 0) != version:
        return Outcome(recorded=False, notice=STALE_NOTICE)
    queue = build_queue(user, scope, now)
    kind = queue.kind_of(card.id)
    if not kind:
        return Outcome(recorded=False, notice="That card is not in today's queue any more.")
    if progress is None:
        progress = Progress.objects.create(user=user, card=card)
    today = queue.today
    before = _state_before(progress)
    if kind == Review.Kind.DRILL:
        after = progress.state  # re-drill grades are logged but leave the SM-2 schedule alone
        due = progress.due
    else:
        after = sm2.review(progress.state, quality)
        due = today + timedelta(days=after.interval)
        if quality < 3 and progress.repetitions > 0:
            progress.lapses += 1
        progress.repetitions, progress.easiness, progress.interval = after.repetitions, after.easiness, after.interval
        progress.due = due
    progress.review_count += 1
    progress.last_reviewed_at = now
    progress.version += 1
    progress.save()
    review = Review.objects.create(
        user=user,
        card=card,
        reviewed_at=now,
        study_day=today,
        grade=quality,
        kind=kind,
        after_repetitions=after.repetitions,
        after_easiness=after.easiness,
        after_interval=after.interval,
        after_due=due,
        **before,
    )
    return Outcome(recorded=True, review=review)


@transaction.atomic
def undo_last_review(*, user: User, now: datetime) -> Review | None:
    """Take back the learner's latest review of the current study day, restoring the state before it exactly."""
    today = today_for(user, now)
    review = (
        Review.objects.select_for_update()
        .filter(user=user, study_day=today, undone_at__isnull=True)
        .order_by("-reviewed_at", "-id")
        .first()
    )
    if review is None:
        return None
    progress = Progress.objects.select_for_update().get(user=user, card_id=review.card_id)
    progress.repetitions = review.before_repetitions
    progress.easiness = review.before_easiness
    progress.interval = review.before_interval
    progress.due = review.before_due
    progress.lapses = review.before_lapses
    progress.review_count = review.before_review_count
    progress.last_reviewed_at = review.before_last_reviewed_at
    progress.version += 1
    progress.save()
    review.undone_at = now
    review.save(update_fields=["undone_at"])
    return review


def _set_suspended(*, user: User, card_id: int, suspended: bool) -> Progress:
    # Only cards the learner studies may be suspended: anything else is Card.DoesNotExist, a 404 for the caller.
    card = Scope().cards(user).get(id=card_id)
    with transaction.atomic():
        progress, _ = Progress.objects.select_for_update().get_or_create(user=user, card=card)
        if progress.suspended != suspended:
            progress.suspended = suspended
            progress.version += 1  # an open review form for this card is now stale
            progress.save(update_fields=["suspended", "version"])
    return progress


def suspend_card(*, user: User, card_id: int) -> Progress:
    """Take a card out of this learner's queue (for them only) until they unsuspend it; its schedule is kept."""
    return _set_suspended(user=user, card_id=card_id, suspended=True)


def unsuspend_card(*, user: User, card_id: int) -> Progress:
    """Put a suspended card back: due again on its old due day, or new if it was never reviewed."""
    return _set_suspended(user=user, card_id=card_id, suspended=False)


# --- Practice: extra rounds over chosen considerations' cards that leave the SM-2 schedule alone ------------------

PRACTICE_DONE_GRADE = 4  # as in the re-drill: a card graded below 4 comes back later in the same session


@dataclass
class PracticeQueue(CardPanelState):
    """Today's practice session over some considerations' seen cards (the weakest, chosen by the caller).

    The session has no state of its own: a card is done for the study day once its latest practice grade today is
    4 or 5; a lower grade sends it to the back, as the re-drill does. It answers to the same names as ``Queue`` so
    that the review screen's card panel can show it.
    """

    todo_ids: list[int] = field(default_factory=list)  # not practised yet today, weakest consideration first
    again_ids: list[int] = field(default_factory=list)  # practised today, latest grade below 4
    done_count: int = 0

    kind = Review.Kind.PRACTICE
    kind_label = Review.Kind.PRACTICE.label
    new_count = 0

    @property
    def due_count(self) -> int:
        return len(self.todo_ids)

    @property
    def drill_count(self) -> int:
        return len(self.again_ids)

    def includes(self, card_id: int) -> bool:
        return card_id in self.todo_ids or card_id in self.again_ids

    def intervals(self) -> list[tuple[int, str, str]]:
        if self.card is None:
            return []
        return [
            (q, label, "again in this session" if q < PRACTICE_DONE_GRADE else "done for this session")
            for q, label in sm2.GRADE_LABELS.items()
        ]


def build_practice_queue(
    user: User, section: Section, consideration_ids: list[int], now: datetime, *, prefer_card_id: int | None = None
) -> PracticeQueue:
    """The practice session over ``consideration_ids`` (in that order), in a fixed number of queries.

    Cards come consideration by consideration, in the order given, then in curriculum order; only cards the learner
    has seen and not suspended take part (a new card is not weak, it is not started).
    """
    today = today_for(user, now)
    rank = {cid: i for i, cid in enumerate(consideration_ids)}
    rows = (
        Scope(section)
        .cards(user)
        .filter(
            consideration_id__in=consideration_ids,
            progress__user=user,
            progress__due__isnull=False,
            progress__suspended=False,
        )
        .order_by(*CURRICULUM_ORDER)
        .values_list("id", "consideration_id")
    )
    session = [card_id for card_id, cid in sorted(rows, key=lambda row: rank[row[1]])]
    latest: dict[int, int] = {}
    practised = (
        Review.objects.filter(
            user=user, study_day=today, kind=Review.Kind.PRACTICE, undone_at__isnull=True, card_id__in=session
        )
        .order_by("reviewed_at", "id")
        .values_list("card_id", "grade")
    )
    for card_id, grade in practised:
        latest.pop(card_id, None)  # re-inserted, so that the longest-waiting failure comes back first
        latest[card_id] = grade
    queue = PracticeQueue(
        today=today,
        todo_ids=[cid for cid in session if cid not in latest],
        again_ids=[cid for cid, grade in latest.items() if grade < PRACTICE_DONE_GRADE],
        done_count=sum(grade >= PRACTICE_DONE_GRADE for grade in latest.values()),
    )
    ordered = queue.todo_ids + queue.again_ids
    if not ordered:
        first_due = (
            Progress.objects.filter(user=user, due__isnull=False, suspended=False, card__in=Scope(section).cards(user))
            .order_by("due")
            .values_list("due", flat=True)
            .first()
        )
        queue.next_due = max(first_due, today) if first_due else None
        return queue
    card_id = prefer_card_id if prefer_card_id in ordered else ordered[0]
    queue.card = Card.objects.select_related("deck", "consideration__objective__section").get(id=card_id)
    queue.progress = Progress.objects.filter(user=user, card_id=card_id).first()
    return queue


PRACTICE_GONE_NOTICE = "That card is not in this practice session any more."


def record_practice(
    *,
    user: User,
    section: Section,
    consideration_ids: list[int],
    card_id: int,
    quality: int,
    version: int,
    now: datetime,
) -> Outcome:
    """Log one practice grade: a Review of kind "practice" that leaves the SM-2 fields and the due day untouched.

    Practice grades do not count toward the daily new/review limits, nor toward the re-drill. Like a re-drill grade
    they bump the progress version (so a stale or repeated submission is recognised), its review count and last
    review time; undo takes them back like any other grade. Raises ``Card.DoesNotExist`` for a card outside the
    section or the learner's decks and ``ValueError`` for a grade outside 0-5: the caller answers with a 4xx.
    """
    if isinstance(quality, bool) or not isinstance(quality, int) or quality not in sm2.GRADES:
        raise ValueError("The grade must be a whole number from 0 to 5.")
    card = Scope(section).cards(user).get(id=card_id)
    with transaction.atomic():
        progress = Progress.objects.select_for_update().filter(user=user, card=card).first()
        if (progress.version if progress else 0) != version:
            return Outcome(recorded=False, notice=STALE_NOTICE)
        queue = build_practice_queue(user, section, consideration_ids, now)
        if progress is None or not queue.includes(card.id):
            return Outcome(recorded=False, notice=PRACTICE_GONE_NOTICE)
        before = _state_before(progress)
        progress.review_count += 1
        progress.last_reviewed_at = now
        progress.version += 1
        progress.save(update_fields=["review_count", "last_reviewed_at", "version"])
        review = Review.objects.create(
            user=user,
            card=card,
            reviewed_at=now,
            study_day=queue.today,
            grade=quality,
            kind=Review.Kind.PRACTICE,
            after_repetitions=progress.repetitions,
            after_easiness=progress.easiness,
            after_interval=progress.interval,
            after_due=progress.due,
            **before,
        )
    return Outcome(recorded=True, review=review)
