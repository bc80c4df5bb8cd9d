"""Which questions an attempt gets, and in what order its options appear: pure, seeded, no Django.

A mock exam draws its questions from each section in proportion to the section's weight on the exam (the 2024
guide publishes weights; the 2020 guide does not, so its sections weigh as many as they have considerations).
Within a section the questions are spread over its considerations, round robin in a seeded order, so that no
consideration takes the place of another while it still has unused questions.
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence


def quotas(weights: Mapping[int, float], total: int, available: Mapping[int, int]) -> dict[int, int]:
    """Questions per section: ``total`` split by weight (largest remainders), never more than a section has.

    When a section has too few questions, what it cannot take goes to the others, again by weight.
    """
    result = dict.fromkeys(weights, 0)
    remaining = min(total, sum(available.get(s, 0) for s in weights))
    open_sections = [s for s in weights if available.get(s, 0) > 0 and weights[s] > 0]
    while remaining > 0 and open_sections:
        weight_sum = sum(weights[s] for s in open_sections)
        shares = {s: remaining * weights[s] / weight_sum for s in open_sections}
        given = {s: int(shares[s]) for s in open_sections}
        leftover = remaining - sum(given.values())
        # Largest remainder first; ties go to the heavier, then the earlier section, so the split is stable.
        for s in sorted(open_sections, key=lambda s: (-(shares[s] - given[s]), -weights[s], s))[:leftover]:
            given[s] += 1
        for s in open_sections:
            take = min(given[s], available[s] - result[s])
            result[s] += take
            remaining -= take
        open_sections = [s for s in open_sections if result[s] < available[s]]
    return result


def spread(questions: Sequence[tuple[int, int]], count: int, rng: random.Random) -> list[int]:
    """``count`` question ids from (question id, consideration id) pairs, round robin over the considerations."""
    by_consideration: dict[int, list[int]] = {}
    for question_id, consideration_id in sorted(questions):
        by_consideration.setdefault(consideration_id, []).append(question_id)
    pools = [by_consideration[c] for c in sorted(by_consideration)]
    rng.shuffle(pools)
    for pool in pools:
        rng.shuffle(pool)
    drawn: list[int] = []
    while len(drawn) < count and any(pools):
        for pool in pools:
            if pool and len(drawn) < count:
                drawn.append(pool.pop())
    return drawn


def draw_mock(
    questions: Mapping[int, Sequence[tuple[int, int]]], weights: Mapping[int, float], total: int, seed: int
) -> list[int]:
    """A mock exam: per section (number -> (question id, consideration id) pairs), weighted, then shuffled."""
    rng = random.Random(seed)
    per_section = quotas(weights, total, {s: len(qs) for s, qs in questions.items()})
    drawn = [q for s in sorted(per_section) for q in spread(questions.get(s, ()), per_section[s], rng)]
    rng.shuffle(drawn)
    return drawn


def draw_quiz(questions: Sequence[tuple[int, int]], count: int, seed: int) -> list[int]:
    """A quick quiz: ``count`` questions spread over the given considerations, shuffled."""
    rng = random.Random(seed)
    drawn = spread(questions, count, rng)
    rng.shuffle(drawn)
    return drawn


def option_order(option_ids: Sequence[int], seed: int) -> list[int]:
    """The order one attempt shows a question's options in."""
    order = sorted(option_ids)
    random.Random(seed).shuffle(order)
    return order
