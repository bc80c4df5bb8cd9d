"""Practice: extra rounds over chosen considerations' seen cards (or cards chosen in the card browser) that leave
the SM-2 schedule alone.

Grades are logged as reviews of kind "practice" (so undo and the activity figures see them), written here through
the same before-state helper as the daily queue's grades; the due day, the SM-2 fields and the daily limits are
never touched.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.db import transaction
from django.db.models import QuerySet

from accounts.models import User
from cards import sm2
from cards.models import Card, Progress, Review, Section
from cards.reviews import CURRICULUM_ORDER, STALE_NOTICE, CardPanelState, Outcome, Scope, state_before, today_for

PRACTICE_DONE_GRADE = 4  # as in the re-drill: a card graded below 4 comes back later in the same session


@dataclass
class PracticeQueue(CardPanelState):
    """Today's practice session over some considerations' seen cards (the weakest, chosen by the caller).

    The session has no state of its own: a card is done for the study day once its latest practice grade today is
    4 or 5; a lower grade sends it to the back, as the re-drill does. It answers to the same names as ``Queue`` so
    that the review screen's card panel can show it.
    """

    last_review_id: int | None = None  # what undo would take back: the undo form names it, as on the review screen
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


AHEAD_DAYS = 7
EXTRA_SESSIONS = ("ahead", "failures")


def extra_session(user: User, which: str, today: date) -> list[int]:
    """Cards for "study more" as practice (logged, schedule unchanged): those due in the next AHEAD_DAYS days,
    soonest first ("ahead"), or those failed today, first failed first ("failures")."""
    studied = Scope().cards(user)
    if which == "ahead":
        return list(
            Progress.objects.filter(
                user=user,
                suspended=False,
                due__gt=today,
                due__lte=today + timedelta(days=AHEAD_DAYS),
                card__in=studied,
            )
            .order_by("due", "card_id")
            .values_list("card_id", flat=True)
        )
    failed = (
        Review.objects.filter(
            user=user,
            study_day=today,
            undone_at__isnull=True,
            kind__in=(Review.Kind.NEW, Review.Kind.SCHEDULED),
            grade__lt=3,
            card__in=studied,
        )
        .exclude(card_id__in=_suspended(user))
        .order_by("reviewed_at", "id")
        .values_list("card_id", flat=True)
    )
    return list(dict.fromkeys(failed))


def _suspended(user: User) -> QuerySet[Progress]:
    """The learner's suspended cards, as a subquery: ``exclude(progress__user=user, progress__suspended=True)`` may
    match its two conditions on different rows of the many-valued relation, so another learner's suspension of a
    card would have left it out of this learner's practice."""
    return Progress.objects.filter(user=user, suspended=True).values("card_id")


def build_practice_queue(
    user: User,
    section: Section | None,
    consideration_ids: list[int],
    now: datetime,
    *,
    prefer_card_id: int | None = None,
    extra: str = "",
    card_ids: list[int] | None = None,
) -> PracticeQueue:
    """The practice session over ``consideration_ids`` (in that order), in a fixed number of queries.

    Cards come consideration by consideration, in the order given, then in curriculum order; only cards the learner
    has seen and not suspended take part (a new card is not weak, it is not started). ``extra`` names a session of
    another kind instead: "ahead" (cards due in the next days) or "failures" (today's failed grades); ``card_ids``
    names the cards themselves (a filter of the card browser), in that order.
    """
    today = today_for(user, now)
    if card_ids is not None:  # new cards too: a practice grade does not start them
        chosen = set(
            Scope().cards(user).filter(id__in=card_ids).exclude(id__in=_suspended(user)).values_list("id", flat=True)
        )
        session = [card_id for card_id in dict.fromkeys(card_ids) if card_id in chosen]
    elif extra:
        session = extra_session(user, extra, today)
    else:
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
        last_review_id=(
            Review.objects.filter(user=user, study_day=today, undone_at__isnull=True)
            .exclude(kind__in=Review.UNGRADED)
            .order_by("-reviewed_at", "-id")
            .values_list("id", flat=True)
            .first()
        ),
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
    section: Section | None,
    consideration_ids: list[int],
    card_id: int,
    quality: int,
    version: int,
    now: datetime,
    extra: str = "",
    card_ids: list[int] | None = None,
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
        queue = build_practice_queue(user, section, consideration_ids, now, extra=extra, card_ids=card_ids)
        if not queue.includes(card.id):
            return Outcome(recorded=False, notice=PRACTICE_GONE_NOTICE)
        if progress is None:  # a new card of the card browser's practice: it stays new (no due day)
            progress = Progress.objects.create(user=user, card=card)
        before = state_before(progress)
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
