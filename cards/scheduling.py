"""The learner's scheduler (SM-2 or FSRS) on top of the database: its memory states, switching, and grade buttons.

SM-2 (cards/sm2.py) always keeps ``repetitions`` and ``easiness``, whichever scheduler the learner chose: lapses,
leeches and the weakness score read them. Under FSRS the interval comes from cards/fsrs_scheduler.py instead, and
the card's memory state (stability, difficulty) is kept on its progress row and logged on each review, so that
undo restores it exactly. Switching to FSRS rebuilds every memory state from the review log (so does refitting
the parameters); switching back to SM-2 continues from each card's current interval and due day. Either way the
log is untouched and nothing is lost.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from django.db import transaction

from accounts.models import User
from cards import forecast, fsrs_scheduler, sm2
from cards.models import Progress, Review


def fsrs_for(user: User):
    """The FSRS scheduler with the learner's fitted parameters (or the defaults) and desired retention."""
    parameters, _ = forecast.parameters_of(user)
    return fsrs_scheduler.scheduler(fsrs_scheduler.within_bounds(parameters), user.desired_retention)


def memory_of(user: User, progress: Progress | None) -> fsrs_scheduler.Memory | None:
    """The card's memory state and the study day of its latest graded review, or None for a card not yet graded.

    The state is the one kept on the progress row; a row without one (a card carried over while on SM-2, say) is
    rebuilt from the log on the spot.
    """
    if progress is None or progress.due is None:
        return None
    history = forecast.histories_of(user, [progress.card_id]).get(progress.card_id)
    if not history:
        return None
    if progress.stability is None:
        return fsrs_scheduler.replay(fsrs_for(user), history)
    return fsrs_scheduler.Memory(progress.stability, progress.difficulty, history[-1][0])


def fsrs_review(user: User, progress: Progress, today: date, grade: int) -> tuple[fsrs_scheduler.Memory, int]:
    """FSRS's memory state and interval after this grade (the caller holds the learner's lock)."""
    return fsrs_scheduler.review(fsrs_for(user), memory_of(user, progress), today, grade)


def rebuild_memory(user: User) -> int:
    """Recompute every card's FSRS memory state from the log with the learner's parameters; returns the cards.

    Due days and intervals stay as they are: the next grade of each card is the first FSRS schedules.
    """
    s = fsrs_for(user)
    histories = forecast.histories_of(user)
    rows = list(Progress.objects.filter(user=user, due__isnull=False))
    for row in rows:
        memory = fsrs_scheduler.replay(s, histories.get(row.card_id, []))
        row.stability = memory.stability if memory else None
        row.difficulty = memory.difficulty if memory else None
    Progress.objects.bulk_update(rows, ["stability", "difficulty"], batch_size=500)
    return sum(row.stability is not None for row in rows)


def scheduler_changed(user: User) -> int:
    """After the learner switched scheduler (in the transaction that saved it, under their lock): to FSRS, rebuild
    every memory state from the log; to SM-2, drop them. Returns the memory states rebuilt."""
    if user.uses_fsrs:
        return rebuild_memory(user)
    Progress.objects.filter(user=user).exclude(stability=None).update(stability=None, difficulty=None)
    return 0


# --- The grade buttons ------------------------------------------------------------------------------------------


def refit(user: User, now: datetime) -> int | None:
    """Fit the learner's parameters to their log (cards/forecast.py) and, under FSRS, rebuild the memory states
    with them; the graded days used, or None below the threshold."""
    from cards.reviews import lock_learner

    with transaction.atomic():
        lock_learner(user)
        graded = forecast.refit(user, now)
        if graded is not None and user.uses_fsrs:
            rebuild_memory(user)
    return graded


@dataclass(frozen=True)
class GradeButton:
    grade: int  # the 0-5 grade the button sends
    key: str  # the keyboard key that presses it
    label: str
    effect: str  # what the grade does to the card: its next interval, or the re-drill


def layout(user: User) -> list[tuple[int, str, str]]:
    """(grade, key, label) of each button: six (keys 0-5) for SM-2, four (keys 1-4: Again, Hard, Good, Easy) for
    FSRS and for SM-2 learners who chose the compact layout."""
    if user.uses_fsrs or user.compact_grades:
        return [(grade, str(n), label) for n, (grade, label) in enumerate(fsrs_scheduler.BUTTONS, start=1)]
    return [(grade, str(grade), label) for grade, label in sm2.GRADE_LABELS.items()]


def _days(n: int) -> str:
    return "1 day" if n == 1 else f"{n:,} days"


def review_buttons(user: User, queue) -> list[GradeButton]:
    """The buttons of the daily review, each with what it does: the scheduler's dry run on this card, and, for
    grades below 4, that the card comes back in today's re-drill."""
    if queue.card is None:
        return []
    buttons = layout(user)
    grades = [grade for grade, _, _ in buttons]
    if queue.kind == Review.Kind.DRILL:
        effects = ["again today" if grade < 4 else "done for today" for grade in grades]
    else:
        if user.uses_fsrs:
            intervals = fsrs_scheduler.next_intervals(
                fsrs_for(user), memory_of(user, queue.progress), queue.today, grades
            )
        else:
            progress = queue.progress
            state = progress.state if progress and progress.due else sm2.SM2State()
            intervals = [sm2.review(state, grade).interval for grade in grades]
        effects = [
            f"{_days(days)}, again today" if grade < 4 else _days(days)
            for grade, days in zip(grades, intervals, strict=True)
        ]
    return [GradeButton(g, key, label, effect) for (g, key, label), effect in zip(buttons, effects, strict=True)]


def practice_buttons(user: User, queue, done_grade: int) -> list[GradeButton]:
    """The buttons of a practice round: practice never changes the schedule, only whether the card comes back."""
    if queue.card is None:
        return []
    return [
        GradeButton(g, key, label, "again in this session" if g < done_grade else "done for this session")
        for g, key, label in layout(user)
    ]
