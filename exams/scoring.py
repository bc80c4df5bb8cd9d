"""Scoring an attempt: pure, no Django. A question counts only when exactly its correct options were chosen."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

PASS_MARK = 70  # percent; Google does not publish one, so results call this an estimate


def is_correct(chosen: Iterable[int], correct: Iterable[int]) -> bool:
    """Exactly the right options: for "choose two", both and nothing else; an empty answer is never right."""
    chosen, correct = set(chosen), set(correct)
    return bool(chosen) and chosen == correct


@dataclass(frozen=True)
class Score:
    correct: int
    total: int

    @property
    def percent(self) -> int | None:
        """Rounded half up to a whole percent; None without questions."""
        return None if not self.total else (200 * self.correct + self.total) // (2 * self.total)

    @property
    def passed(self) -> bool:
        return self.percent is not None and self.percent >= PASS_MARK


def by_section(results: Iterable[tuple[int, bool]]) -> dict[int, Score]:
    """(section number, answered correctly) per question -> a score per section, in section order."""
    tally: dict[int, list[int]] = {}
    for section, right in results:
        counts = tally.setdefault(section, [0, 0])
        counts[0] += bool(right)
        counts[1] += 1
    return {section: Score(*tally[section]) for section in sorted(tally)}


def overall(scores: dict[int, Score]) -> Score:
    return Score(sum(s.correct for s in scores.values()), sum(s.total for s in scores.values()))
