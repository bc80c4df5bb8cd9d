from __future__ import annotations

import random

import pytest
from supermemo2 import first_review as oracle_first_review
from supermemo2 import review as oracle_review

from cards.sm2 import MAX_INTERVAL, SM2State, review


def run(grades: list[int]) -> tuple[list[int], SM2State]:
    state, intervals = SM2State(), []
    for q in grades:
        state = review(state, q)
        intervals.append(state.interval)
    return intervals, state


@pytest.mark.parametrize(
    ("grades", "intervals", "easiness"),
    [
        ([5, 5, 5, 5, 5, 5, 5], [1, 6, 17, 48, 140, 421, 1306], 3.2),
        ([4, 4, 3, 3, 4, 4], [1, 6, 15, 36, 80, 178], 2.22),
        ([4, 5, 5, 4, 5, 3, 3], [1, 6, 16, 44, 119, 334, 889], 2.52),
        ([5, 5, 2, 4, 4, 4], [1, 6, 1, 1, 6, 15], 2.38),
        ([0], [1], 1.7),
        ([5] * 25, [1, 6, 17, 48, 140, 421, 1306, 4180, 13795] + [36500] * 16, 5.0),
    ],
)
def test_pinned_vectors(grades, intervals, easiness):
    got, state = run(grades)
    assert got == intervals
    assert state.easiness == pytest.approx(easiness, abs=1e-9)


@pytest.mark.parametrize("bad", [6, -1, 2.5, "3", None, True, False])
def test_quality_outside_0_to_5_is_refused(bad):
    with pytest.raises((ValueError, TypeError)):
        review(SM2State(), bad)


def test_easiness_never_falls_below_1_3():
    _, state = run([0] * 10)
    assert state.easiness == 1.3


def test_failure_resets_repetitions_and_interval():
    _, state = run([5, 5, 5, 1])
    assert (state.repetitions, state.interval) == (0, 1)


def test_review_is_pure():
    state = SM2State(repetitions=3, easiness=2.1, interval=10)
    assert review(state, 4) == review(state, 4)
    assert state == SM2State(repetitions=3, easiness=2.1, interval=10)


START = "2000-01-01 00:00:00"


@pytest.mark.parametrize("seed", range(60))
def test_matches_the_supermemo2_package_on_random_grades(seed):
    rng = random.Random(seed)
    # At most 12 grades: the package has no cap and its due date overflows the calendar beyond that.
    grades = [rng.choice([0, 1, 2, 3, 3, 4, 4, 5, 5, 5]) for _ in range(rng.randint(1, 12))]
    ours = SM2State()
    theirs = oracle_first_review(grades[0], START)
    ours = review(ours, grades[0])
    for q in grades[1:]:
        theirs = oracle_review(q, theirs["easiness"], theirs["interval"], theirs["repetitions"], START)
        ours = review(ours, q)
        assert ours.repetitions == theirs["repetitions"]
        assert ours.easiness == theirs["easiness"]
        assert ours.interval == min(theirs["interval"], MAX_INTERVAL)
