"""Exam-day recall: FSRS's memory model over the learner's own review log, whatever scheduler chose the intervals.

Each card's graded history (the first new or scheduled grade of a study day; no drill, practice, carried or moved
entries) becomes an FSRS item: ratings 0-2 read as Again, 3 Hard, 4 Good, 5 Easy, and the days between grades.
fsrs-rs-python turns it into a memory state (stability), from which the probability of recall on any day is
FSRS-6's forgetting curve. The model's parameters are fitted to the learner's own log once it holds
``MIN_REVIEWS_TO_FIT`` graded days of cards (fitting is a button and ``manage.py fit_fsrs``); before that, the
published defaults. A card never seen counts as not known.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Count
from fsrs.scheduler import DEFAULT_PARAMETERS as PUBLISHED_PARAMETERS
from fsrs_rs_python import DEFAULT_PARAMETERS, FSRS, FSRSItem, FSRSReview

from cards.fsrs_scheduler import rating

MIN_REVIEWS_TO_FIT = 400


def histories(rows: Iterable[tuple[int, date, int]]) -> dict[int, list[tuple[date, int]]]:
    """(card id, study day, grade) in log order -> per card, the first grade of each study day."""
    result: dict[int, list[tuple[date, int]]] = {}
    for card_id, day, grade in rows:
        days = result.setdefault(card_id, [])
        if not days or days[-1][0] != day:
            days.append((day, grade))
    return result


def item(history: list[tuple[date, int]]) -> FSRSItem:
    reviews, previous = [], None
    for day, grade in history:
        reviews.append(FSRSReview(int(rating(grade)), (day - previous).days if previous else 0))
        previous = day
    return FSRSItem(reviews)


def fit(card_histories: dict[int, list[tuple[date, int]]]) -> list[float] | None:
    """Parameters fitted to these histories, or None below the threshold (then the defaults apply)."""
    graded = sum(len(h) for h in card_histories.values())
    if graded < MIN_REVIEWS_TO_FIT:
        return None
    # Training items are every prefix of two grades or more: each teaches the model one more review.
    items = [item(h[:n]) for h in card_histories.values() for n in range(2, len(h) + 1)]
    return list(FSRS(DEFAULT_PARAMETERS).compute_parameters(items))


def recall_on(parameters: list[float], history: list[tuple[date, int]], day: date) -> float:
    """The probability of recalling the card on ``day`` (0 for a card never graded)."""
    if not history:
        return 0.0
    stability = FSRS(parameters).memory_state(item(history), None).stability
    elapsed = max((day - history[-1][0]).days, 0)
    decay = -parameters[20]
    factor = 0.9 ** (1 / decay) - 1
    return (1 + factor * elapsed / stability) ** decay


def default_parameters() -> list[float]:
    """FSRS-6's published parameters, as the ``fsrs`` package spells them (fsrs-rs-python holds them in float32)."""
    return list(PUBLISHED_PARAMETERS)


# --- for a learner, from the database (read-only but for fitting, which stores the parameters it finds) -----------


def histories_of(user, card_ids=None, *, follow_carried: bool = True) -> dict[int, list[tuple[date, int]]]:
    """Each card's graded history (study day, grade), the first grade of each study day, oldest first.

    With ``follow_carried``, a card that was carried over from the previous edition's card starts with that card's
    history up to the carry, as its memory did (the forecast and FSRS's memory states); without it, each grade
    counts once (fitting the parameters).
    """
    from cards.models import Review

    graded = (Review.Kind.NEW, Review.Kind.SCHEDULED)
    kinds = (*graded, Review.Kind.CARRIED) if follow_carried else graded
    rows = Review.objects.filter(user=user, undone_at__isnull=True, kind__in=kinds).order_by("reviewed_at", "id")
    if card_ids is not None:
        rows = rows.filter(card_id__in=card_ids)
    rows = list(rows.values_list("card_id", "study_day", "grade", "card__carried_from_id", "reviewed_at"))
    carried = {card_id: (source, at) for card_id, _, grade, source, at in rows if grade is None and source}
    inherited = []  # the sources' grades up to each carry, as the carried card's own
    if carried:
        sources = Review.objects.filter(
            user=user, undone_at__isnull=True, kind__in=graded, card_id__in={s for s, _ in carried.values()}
        ).order_by("reviewed_at", "id")
        source_rows = list(sources.values_list("card_id", "study_day", "grade", "reviewed_at"))
        for card_id, (source, at) in carried.items():
            inherited += [(card_id, d, g) for s, d, g, t in source_rows if s == source and t <= at]
    own = [(card_id, day, grade) for card_id, day, grade, _, _ in rows if grade is not None]
    return histories(inherited + own)


def parameters_of(user) -> tuple[list[float], int | None]:
    """The learner's fitted parameters and how many graded days they came from, or the defaults and None."""
    from cards.models import FsrsParameters

    row = FsrsParameters.objects.filter(user=user).first()
    return (list(row.parameters), row.graded) if row else (default_parameters(), None)


def refit(user, now) -> int | None:
    """Fit the parameters to the learner's whole log and store them; the graded days used, or None when the log is
    still below the threshold (the stored parameters, if any, are then left as they were)."""
    from cards.models import FsrsParameters

    card_histories = histories_of(user, follow_carried=False)
    fitted = fit(card_histories)
    if fitted is None:
        return None
    graded = sum(len(h) for h in card_histories.values())
    FsrsParameters.objects.update_or_create(
        user=user, defaults={"parameters": fitted, "graded": graded, "fitted_at": now}
    )
    return graded


@dataclass
class ExamForecast:
    exam_date: date
    parameters_fitted_on: int | None  # graded days the parameters were fitted to; None for the defaults
    graded: int  # graded days in the learner's log now
    sections: list[tuple[object, float, int, int]]  # (section, mean recall, cards seen, cards)
    overall: float
    days: list[date]
    recall_by_day: list[float]  # mean recall of the exam cards on each day up to the exam
    load_by_day: list[int]  # cards already due on each day (today includes overdue)


def exam_forecast(user, today: date, exam_date: date) -> ExamForecast:
    """Recall of the chosen edition's official deck on each day up to the exam, per section on the exam day."""
    from cards.models import Progress
    from cards.stats import exam_cards

    cards = list(exam_cards(user).values_list("id", "consideration__objective__section_id"))
    card_histories = histories_of(user, [card_id for card_id, _ in cards])
    parameters, fitted_on = parameters_of(user)
    fsrs = FSRS(parameters)
    decay = -parameters[20]
    factor = 0.9 ** (1 / decay) - 1
    memory = {}  # card -> (stability, last day)
    for card_id, history in card_histories.items():
        memory[card_id] = (fsrs.memory_state(item(history), None).stability, history[-1][0])

    def recall(card_id: int, day: date) -> float:
        if card_id not in memory:
            return 0.0
        stability, last = memory[card_id]
        return (1 + factor * max((day - last).days, 0) / stability) ** decay

    horizon = max((exam_date - today).days, 0)
    days = [today + timedelta(days=n) for n in range(horizon + 1)]
    total = max(len(cards), 1)
    recall_by_day = [sum(recall(c, day) for c, _ in cards) / total for day in days]
    per_section: dict[int, list[float]] = {}
    for card_id, section_id in cards:
        per_section.setdefault(section_id, []).append(recall(card_id, exam_date))
    from cards.editions import sections_of

    sections = [
        (s, sum(per_section.get(s.id, [])) / max(len(per_section.get(s.id, [])), 1),
         sum(1 for c, sid in cards if sid == s.id and c in memory), len(per_section.get(s.id, [])))
        for s in sections_of(user)
    ]  # fmt: skip
    due = dict(
        Progress.objects.filter(user=user, suspended=False, due__lte=exam_date, card__in=[c for c, _ in cards])
        .values("due")
        .annotate(n=Count("id"))
        .values_list("due", "n")
    )
    load = [sum(n for d, n in due.items() if d <= today)] + [due.get(day, 0) for day in days[1:]]
    return ExamForecast(
        exam_date=exam_date,
        parameters_fitted_on=fitted_on,
        graded=sum(len(h) for h in card_histories.values()),
        sections=sections,
        overall=recall_by_day[-1] if recall_by_day else 0.0,
        days=days,
        recall_by_day=recall_by_day,
        load_by_day=load,
    )
