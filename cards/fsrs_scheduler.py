"""FSRS as a scheduler option: the maintained ``fsrs`` package, in whole study days. Pure: no Django, no clock.

SM-2 stays the default (cards/sm2.py). A learner who chooses FSRS keeps the same 0-5 grades in the log; FSRS reads
0-2 as Again, 3 as Hard, 4 as Good and 5 as Easy. Only the first grade of a card on a study day reaches FSRS (the
same-day re-drill and practice leave the schedule alone, as under SM-2), so the package runs without learning or
relearning steps: every interval is a whole number of days, and the elapsed time between two grades is the
number of study days between them. The package's own fuzz is off: load balancing (cards/balance.py) moves the due
day instead, as it does for SM-2.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from functools import lru_cache

from fsrs import Card, Rating, Scheduler, State
from fsrs.scheduler import LOWER_BOUNDS_PARAMETERS, UPPER_BOUNDS_PARAMETERS

from cards.sm2 import MAX_INTERVAL

# The four buttons FSRS shows, and the stored grade each sends.
BUTTONS = ((1, "Again"), (3, "Hard"), (4, "Good"), (5, "Easy"))


def rating(grade: int) -> Rating:
    """The stored 0-5 grade as an FSRS rating: 0-2 Again, 3 Hard, 4 Good, 5 Easy."""
    if grade <= 2:
        return Rating.Again
    return {3: Rating.Hard, 4: Rating.Good, 5: Rating.Easy}[grade]


@dataclass(frozen=True)
class Memory:
    """FSRS's memory state of a card after its latest graded study day."""

    stability: float
    difficulty: float
    day: date  # the study day of that grade: the elapsed time to the next one counts from here


def within_bounds(parameters: Sequence[float]) -> tuple[float, ...]:
    """Fitted parameters clamped to the ranges the package accepts (fsrs-rs-python fits them in float32)."""
    return tuple(
        min(max(p, low), high)
        for p, low, high in zip(parameters, LOWER_BOUNDS_PARAMETERS, UPPER_BOUNDS_PARAMETERS, strict=True)
    )


@lru_cache(maxsize=64)
def scheduler(parameters: tuple[float, ...], desired_retention: float) -> Scheduler:
    return Scheduler(
        parameters=parameters,
        desired_retention=desired_retention,
        learning_steps=(),
        relearning_steps=(),
        maximum_interval=MAX_INTERVAL,
        enable_fuzzing=False,
    )


def _moment(day: date) -> datetime:
    return datetime.combine(day, time(), UTC)  # the package counts whole days between UTC datetimes


def review(s: Scheduler, memory: Memory | None, day: date, grade: int) -> tuple[Memory, int]:
    """The memory state after grading a card ``grade`` on study day ``day``, and the interval in days to its next
    due day. ``memory`` is None for a card never graded."""
    if memory is None:
        card = Card()
    else:
        card = Card(
            state=State.Review,
            step=None,
            stability=memory.stability,
            difficulty=memory.difficulty,
            last_review=_moment(memory.day),
        )
    moment = _moment(day)
    card, _ = s.review_card(card, rating(grade), moment)
    interval = (card.due - moment).days
    return Memory(card.stability, card.difficulty, day), interval


def replay(s: Scheduler, history: Iterable[tuple[date, int]]) -> Memory | None:
    """The memory state a card's graded history (study day, grade), oldest first, leads to."""
    memory = None
    for day, grade in history:
        memory, _ = review(s, memory, day, grade)
    return memory


def next_intervals(s: Scheduler, memory: Memory | None, day: date, grades: Sequence[int]) -> list[int]:
    """The interval each of these grades would give today: the dry run the buttons show."""
    return [review(s, memory, day, grade)[1] for grade in grades]
