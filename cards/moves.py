"""Moving due days: a backlog spread over days, and vacations. Only the due day moves (SM-2's fields stay as they
are), and each move is a review row of kind "moved" (no grade) so that check_progress can replay it.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from django.db import transaction
from django.db.models import Count

from accounts.models import User
from cards.models import Progress, Review, Vacation
from cards.reviews import Scope, at_risk_first, state_before, today_for


def _move(progress: Progress, new_due: date, *, user: User, now: datetime, today: date, vacation=None) -> Review:
    """Move one card's due day (the caller saves the progress): the log row that records it."""
    before = state_before(progress)
    progress.due = new_due
    progress.version += 1
    return Review(
        user=user,
        card_id=progress.card_id,
        reviewed_at=now,
        study_day=today,
        grade=None,
        kind=Review.Kind.MOVED,
        after_repetitions=progress.repetitions,
        after_easiness=progress.easiness,
        after_interval=progress.interval,
        after_due=new_due,
        vacation=vacation,
        **before,
    )


MAX_VACATION_DAYS = 60


@transaction.atomic
def add_vacation(*, user: User, start: date, end: date, now: datetime) -> tuple[Vacation, int]:
    """Mark days away: cards due on them move to the days after, each to the least loaded of as many days as the
    vacation lasts; returns the vacation and the cards moved. Only due days move, each move logged."""
    today = today_for(user, now)
    if start < today or end < start or (end - start).days >= MAX_VACATION_DAYS:
        raise ValueError(f"A vacation starts today or later and lasts 1 to {MAX_VACATION_DAYS} days.")
    vacation = Vacation.objects.create(user=user, start=start, end=end)
    rows = list(
        Progress.objects.select_for_update()
        .filter(user=user, suspended=False, due__gte=start, due__lte=end)
        .order_by("due", "card_id")
    )
    after = [end + timedelta(days=n) for n in range(1, vacation.days + 1)]
    load = dict.fromkeys(after, 0)
    for day, n in (
        Progress.objects.filter(user=user, suspended=False, due__in=after)
        .values("due")
        .annotate(n=Count("id"))
        .values_list("due", "n")
    ):
        load[day] = n
    moves = []
    for progress in rows:
        day = min(after, key=lambda d: (load[d], d))  # the least loaded day, the earliest among equals
        load[day] += 1
        moves.append(_move(progress, day, user=user, now=now, today=today, vacation=vacation))
    Progress.objects.bulk_update(rows, ["due", "version"])
    Review.objects.bulk_create(moves)
    return vacation, len(moves)


@transaction.atomic
def cancel_vacation(*, user: User, vacation_id: int, now: datetime) -> int:
    """Move back every card the vacation moved and that still waits on the day it was moved to (a card reviewed
    since keeps its new schedule); returns how many went back. Vacation.DoesNotExist for another's: a 404."""
    vacation = Vacation.objects.select_for_update().get(id=vacation_id, user=user)
    today = today_for(user, now)
    moved = {r.card_id: r for r in Review.objects.filter(vacation=vacation, undone_at__isnull=True)}
    rows = list(Progress.objects.select_for_update().filter(user=user, card_id__in=list(moved)))
    back, moves = [], []
    for progress in rows:
        move = moved[progress.card_id]
        if progress.due == move.after_due and progress.review_count == move.before_review_count:
            moves.append(_move(progress, move.before_due, user=user, now=now, today=today))
            back.append(progress)
    Progress.objects.bulk_update(back, ["due", "version"])
    Review.objects.bulk_create(moves)
    vacation.delete()
    return len(moves)


MAX_SPREAD_DAYS = 30


@transaction.atomic
def spread_backlog(*, user: User, days: int, now: datetime) -> int:
    """Spread the cards due now over ``days`` study days from today, most at risk first; returns the cards moved.

    Only due days move (SM-2's fields stay as they are), each move logged as a review of kind "moved".
    """
    if not 2 <= days <= MAX_SPREAD_DAYS:
        raise ValueError(f"Spread the backlog over 2 to {MAX_SPREAD_DAYS} days.")
    today = today_for(user, now)
    rows = list(
        Progress.objects.select_for_update().filter(
            user=user, suspended=False, due__lte=today, card__in=Scope().cards(user)
        )
    )
    rows.sort(key=lambda p: at_risk_first((p.card_id, p.due, p.interval), today))
    per_day = -(-len(rows) // days)
    moves = []
    for n, progress in enumerate(rows):
        offset = n // per_day
        if offset == 0:
            continue  # today's share stays as it is
        moves.append(_move(progress, today + timedelta(days=offset), user=user, now=now, today=today))
    Progress.objects.bulk_update([p for p in rows if p.due > today], ["due", "version"])
    Review.objects.bulk_create(moves)
    return len(moves)
