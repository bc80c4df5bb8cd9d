"""The SM-2 algorithm, exactly as pinned in shared/design/scheduling.md.

Pure Python: no Django, no clock. ``review`` is the whole algorithm; the database layer (cards/reviews.py) is the
only code that turns its result into rows.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

MIN_EASINESS = 1.3
MAX_INTERVAL = 36500  # a hundred years, as Anki caps it: larger values overflow integers and calendar dates
GRADES = (0, 1, 2, 3, 4, 5)
GRADE_LABELS = {
    0: "Blackout",
    1: "Wrong, but I recognised it",
    2: "Wrong, but it felt easy",
    3: "Right, with serious effort",
    4: "Right, after hesitating",
    5: "Perfect",
}


@dataclass(frozen=True)
class SM2State:
    repetitions: int = 0  # successful reviews in a row (n)
    easiness: float = 2.5  # the E-Factor, never below 1.3
    interval: int = 0  # days from this review to the next due day


def review(state: SM2State, quality: int) -> SM2State:
    """The state after grading a card ``quality`` (an int from 0 to 5)."""
    if isinstance(quality, bool) or not isinstance(quality, int):
        raise TypeError(f"quality must be an int from 0 to 5, not {quality!r}")
    if quality not in GRADES:
        raise ValueError(f"quality must be from 0 to 5, not {quality}")

    if quality >= 3:
        if state.repetitions == 0:
            interval = 1
        elif state.repetitions == 1:
            interval = 6
        else:
            interval = math.ceil(state.interval * state.easiness)
        repetitions = state.repetitions + 1
    else:
        repetitions = 0
        interval = 1
    interval = min(interval, MAX_INTERVAL)

    q = quality
    easiness = state.easiness + (0.1 - (5 - q) * (0.08 + (5 - q) * 0.02))
    if easiness < MIN_EASINESS:
        easiness = MIN_EASINESS
    return SM2State(repetitions=repetitions, easiness=easiness, interval=interval)
