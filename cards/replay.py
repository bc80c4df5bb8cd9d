"""Replay a learner's review log and compare it with their progress rows (read-only).

The log is the record: every progress row must be what its card's log says, replayed in order through the same
SM-2 function. ``manage.py check_progress`` runs this over every learner; tests run it after races.

Per card, from a fresh state, over the rows that were not undone, oldest first:
- ``new`` and ``scheduled`` grades go through ``sm2.review``; a grade below 3 on a card with repetitions counts a
  lapse; the due day is the logged one, which must be the study day plus the new interval plus the logged load
  balancing shift, itself within the range cards/balance.py allows. Where FSRS chose the interval (the row logs a
  memory state), the interval is the logged one: it depends on the parameters and retention of that day;
- ``drill`` and ``practice`` grades change nothing of the schedule;
- ``carried`` rows set the state brought over from the previous edition's card;
- ``moved`` rows (a backlog spread over days) set the due day, and must start from the one the card had.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from cards import balance, sm2
from cards.models import Progress, Review

SM2_KINDS = {Review.Kind.NEW, Review.Kind.SCHEDULED}


@dataclass
class Replayed:
    repetitions: int = 0
    easiness: float = sm2.SM2State().easiness
    interval: int = 0
    due: date | None = None
    lapses: int = 0


def replay_card(reviews: list[Review]) -> tuple[Replayed, list[str]]:
    """The state a card's log leads to, and every inconsistency met on the way."""
    state, problems = Replayed(), []
    for r in reviews:
        if r.kind == Review.Kind.CARRIED:
            state = Replayed(r.after_repetitions, r.after_easiness, r.after_interval, r.after_due, state.lapses)
        elif r.kind == Review.Kind.MOVED:
            if r.before_due != state.due:
                problems.append(f"review {r.id}: moved a due day of {r.before_due}, but the card was due {state.due}")
            state.due = r.after_due
        elif r.kind in SM2_KINDS:
            after = sm2.review(sm2.SM2State(state.repetitions, state.easiness, state.interval), r.grade)
            if r.after_stability is not None:  # FSRS chose the interval
                after = sm2.SM2State(after.repetitions, after.easiness, r.after_interval)
            if r.grade < 3 and state.repetitions > 0:
                state.lapses += 1
            if r.after_due != r.study_day + timedelta(days=after.interval + r.due_shift):
                problems.append(f"review {r.id}: due {r.after_due} is not its study day plus {after.interval} days")
            if abs(r.due_shift) > balance.fuzz_range(after.interval):
                problems.append(f"review {r.id}: its due day moved {r.due_shift} days, outside the balancing range")
            state = Replayed(after.repetitions, after.easiness, after.interval, r.after_due, state.lapses)
    return state, problems


def check_user(user_id: int) -> list[str]:
    """Every disagreement between this learner's log and their progress rows, as readable lines."""
    logs: dict[int, list[Review]] = {}
    for r in Review.objects.filter(user_id=user_id, undone_at__isnull=True).order_by("reviewed_at", "id"):
        logs.setdefault(r.card_id, []).append(r)
    problems = []
    for p in Progress.objects.filter(user_id=user_id):
        state, card_problems = replay_card(logs.pop(p.card_id, []))
        problems += [f"user {user_id} card {p.card_id}: {text}" for text in card_problems]
        stored = Replayed(p.repetitions, p.easiness, p.interval, p.due, p.lapses)
        if stored != state:
            problems.append(f"user {user_id} card {p.card_id}: progress {stored} but the log replays to {state}")
    problems += [f"user {user_id} card {card_id}: reviews without a progress row" for card_id in logs]
    return problems
