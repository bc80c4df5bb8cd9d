"""Simulated study, for the figures the study plan is judged by. Prints figures; not a test.

1. Load balancing: 20 learners start the 2024 deck on the same day (20 new cards a day, every due card reviewed,
   the same seeded grades with and without balancing) through the functions the app schedules with
   (``sm2.review``, ``balance.balanced_shift`` over each learner's own due counts, seeded as the app seeds them).
   Prints the group's busiest day and each learner's busiest day, with and without balancing.
2. One learner through the app itself (a throwaway SQLite database, ``record_review`` and ``build_queue``) for
   ``--days`` days, then the plan to an exam 60 days ahead and the forecast of exam-day recall per section.

    DJANGO_DEBUG=0 DJANGO_SECRET_KEY=x .venv/bin/python scripts/simulate_plan.py [--days 10] [--scheduler sm2|fsrs]
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pmle.settings")
os.environ["SQLITE_PATH"] = str(Path(tempfile.mkdtemp()) / "simulate.sqlite3")
os.environ.pop("DATABASE_URL", None)

LEARNERS, GROUP_DAYS, CARDS, NEW_PER_DAY = 20, 120, 349, 20


def grade_for(rng: random.Random) -> int:
    """A learner who remembers most cards: 70% Good (4), 15% Easy (5), 10% Hard (3), 5% forgotten (2)."""
    return rng.choices([4, 5, 3, 2], weights=[70, 15, 10, 5])[0]


def group_loads(balanced: bool) -> list[Counter]:
    """Each learner's reviews per day over GROUP_DAYS days."""
    from cards import balance, sm2

    loads = []
    for learner in range(1, LEARNERS + 1):
        rng = random.Random(learner)  # the same grades in both runs
        state: dict[int, tuple[sm2.SM2State, int, int]] = {}  # card -> (state, due day, reviews)
        due_count, load = Counter(), Counter()
        next_new = 0
        for day in range(GROUP_DAYS):
            todays = sorted(card for card, (_, due, _) in state.items() if due <= day)
            todays += list(range(next_new, min(next_new + NEW_PER_DAY, CARDS)))
            next_new = min(next_new + NEW_PER_DAY, CARDS)
            for card in todays:
                old, due, count = state.get(card, (sm2.SM2State(), None, 0))
                if due is not None:
                    due_count[due] -= 1
                new = sm2.review(old, grade_for(rng))
                shift = 0
                if balanced:
                    target = day + new.interval
                    spread = balance.fuzz_range(new.interval)
                    around = {s: due_count[target + s] for s in range(-spread, spread + 1)}
                    shift = balance.balanced_shift(new.interval, around, f"{learner}:{card}:{count}")
                state[card] = (new, day + new.interval + shift, count + 1)
                due_count[day + new.interval + shift] += 1
                load[day] += 1
        loads.append(load)
    return loads


def print_group() -> None:
    print(f"1. Load balancing: {LEARNERS} learners start together, {NEW_PER_DAY} new a day, {GROUP_DAYS} days")
    for balanced in (False, True):
        loads = group_loads(balanced)
        group = sum(loads, Counter())
        later = [group[d] for d in range(30, GROUP_DAYS)]  # once the new cards are mostly introduced
        busiest = max(group.values())
        per_learner = [max(load[d] for d in range(30, GROUP_DAYS)) for load in loads]
        print(
            f"   {'with' if balanced else 'without'} balancing: the group's busiest day {busiest} reviews "
            f"(day {max(group, key=group.get)}); from day 30: busiest {max(later)}, median {statistics.median(later)}, "
            f"standard deviation {statistics.pstdev(later):.1f}; each learner's busiest day from day 30: "
            f"median {statistics.median(per_learner)}, max {max(per_learner)}"
        )


def print_learner(days: int, scheduler: str) -> None:
    import django

    django.setup()
    from django.core.management import call_command

    from accounts.models import User
    from cards import forecast, stats
    from cards.loader import load_all_editions
    from cards.models import Progress
    from cards.reviews import Scope, build_queue, record_review

    call_command("migrate", verbosity=0)
    load_all_editions()
    user = User.objects.create(username="simulated", new_cards_per_day=NEW_PER_DAY, scheduler=scheduler)
    start = datetime(2026, 9, 1, 12, tzinfo=UTC)
    rng = random.Random(7)
    graded = 0
    for day in range(days):
        now = start + timedelta(days=day)
        for _ in range(600):  # bounded: a day has at most 20 new cards, their re-drills and the due reviews
            queue = build_queue(user, Scope(), now)
            if queue.card is None:
                break
            progress = Progress.objects.filter(user=user, card=queue.card).first()
            quality = 4 if queue.kind == "drill" else grade_for(rng)
            version = progress.version if progress else 0
            record_review(user=user, scope=Scope(), card_id=queue.card.id, quality=quality, version=version, now=now)
            graded += 1
    now = start + timedelta(days=days)
    today = now.date()
    user.exam_date = today + timedelta(days=60)
    user.save()
    plan = stats.home_overview(user, now).plan
    print(f"\n2. One learner ({scheduler}) after {days} days through the app: {graded} grades")
    print(f"   today {today}, exam {user.exam_date} (60 days), see every card {plan.days_before} days before it")
    print(
        f"   plan: {plan.status}; {plan.new_left} exam cards still new, {plan.needed_per_day} a day needed over "
        f"{plan.days_left} days; limit {plan.limit} ({plan.exam_per_day} for the exam deck), suggested "
        f"{plan.suggested_limit}, finishing on {plan.finish_on}"
    )
    result = forecast.exam_forecast(user, today, user.exam_date)
    fitted = f"fitted to {result.parameters_fitted_on} graded days" if result.parameters_fitted_on else "defaults"
    print(f"   forecast (FSRS memory model, parameters: {fitted}; {result.graded} graded days in the log):")
    for section, recall, seen, total in result.sections:
        print(f"     {section.number}. {section.title[:60]:60} recall {recall:5.1%} ({seen}/{total} cards seen)")
    print(f"     overall on the exam day, if reviews stopped today: {result.overall:.1%}")
    peak = max(result.load_by_day)
    print(f"   cards already due per day up to the exam: today {result.load_by_day[0]}, busiest {peak}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--days", type=int, default=10, choices=range(1, 121), metavar="1-120")
    parser.add_argument("--scheduler", choices=["sm2", "fsrs"], default="sm2")
    args = parser.parse_args()
    print_group()
    print_learner(args.days, args.scheduler)


if __name__ == "__main__":
    main()
