"""Load balancing of due days: pure, seeded, no Django, no clock.

An interval of 3 days or more may land a few days early or late, within ``fuzz_range`` of the SM-2 interval, on
the day of that range with the fewest of the learner's cards already due; ties go to a seeded order of the learner
and card, so that learners who started together spread out, and a replay of the log gives the same day. Only
the due day moves: the interval, repetitions and easiness stay exactly what SM-2 returned.
"""

from __future__ import annotations

import random
import zlib
from collections.abc import Mapping

MIN_INTERVAL = 3


def fuzz_range(interval: int) -> int:
    """How many days either side of ``interval`` the due day may move: 0 under 3 days, 1 up to 6, 2 up to 19,
    then 5% of the interval (at least 3 days, at most 14)."""
    if interval < MIN_INTERVAL:
        return 0
    if interval <= 6:
        return 1
    if interval <= 19:
        return 2
    return min(max(round(interval * 0.05), 3), 14)


def balanced_shift(interval: int, due_counts: Mapping[int, int], seed: str) -> int:
    """The shift (days, may be negative) to add to ``interval``: the least loaded day within the fuzz range.

    ``due_counts`` maps a shift to the learner's cards already due on that day.
    """
    spread = fuzz_range(interval)
    candidates = list(range(-spread, spread + 1))
    random.Random(zlib.crc32(seed.encode())).shuffle(candidates)
    return min(candidates, key=lambda shift: due_counts.get(shift, 0))  # min keeps the seeded order among ties
