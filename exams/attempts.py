"""Starting, answering and submitting quizzes and mock exams: the only code that writes attempts.

Every write locks the attempt row first and then decides (a second tab, a double click or a request racing the
deadline sees the state the first one left). The deadline lives on the server: any write to a mock exam past its
deadline first submits it with what was answered, and then refuses the write.
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F

from accounts.models import User
from cards.models import Consideration, Deck, Edition, Section
from exams import drawing, scoring
from exams.models import Attempt, AttemptQuestion, Option, Question

MAX_VISIT_SECONDS = 20 * 60  # a tab left open overnight does not make one question take hours


class AttemptClosed(Exception):
    """The attempt was submitted (by the learner, another tab or the clock): nothing more may change."""


def _questions(edition: Edition):
    """The official bank of an edition (decks' own questions are drawn only by a quiz of that deck)."""
    return Question.objects.filter(consideration__objective__section__edition=edition, deck__isnull=True, retired=False)


def section_weights(edition: Edition) -> dict[int, float]:
    """The exam weight of each section; an edition without published weights weighs its considerations."""
    sections = list(Section.objects.filter(edition=edition).order_by("number"))
    if sections and all(s.weight for s in sections):
        return {s.number: float(s.weight) for s in sections}
    counts = dict.fromkeys((s.number for s in sections), 0.0)
    for number in Consideration.objects.filter(objective__section__edition=edition).values_list(
        "objective__section__number", flat=True
    ):
        counts[number] += 1
    return counts


def _create(*, user: User, edition: Edition, kind: str, title: str, question_ids: list[int], now: datetime,
            minutes: int | None, seed: int) -> Attempt:  # fmt: skip
    if not question_ids:
        raise ValueError("There are no questions to draw from for that choice yet.")
    attempt = Attempt.objects.create(
        user=user,
        edition=edition,
        kind=kind,
        title=title,
        started_at=now,
        deadline=now + timedelta(minutes=minutes) if minutes else None,
        current=1,
        current_since=now,
        question_count=len(question_ids),
    )
    options: dict[int, list[int]] = {}
    for question_id, option_id in Option.objects.filter(question_id__in=question_ids).values_list("question", "id"):
        options.setdefault(question_id, []).append(option_id)
    AttemptQuestion.objects.bulk_create(
        AttemptQuestion(
            attempt=attempt,
            question_id=question_id,
            position=position,
            option_order=drawing.option_order(options[question_id], seed + position),
        )
        for position, question_id in enumerate(question_ids, start=1)
    )
    return attempt


@transaction.atomic
def start_mock(*, user: User, edition: Edition, now: datetime, seed: int | None = None) -> Attempt:
    """A timed mock exam: ``EXAM_QUESTIONS`` questions drawn by section weight, ``EXAM_MINUTES`` on the clock."""
    seed = secrets.randbits(32) if seed is None else seed
    by_section: dict[int, list[tuple[int, int]]] = {}
    for question_id, consideration_id, section in _questions(edition).values_list(
        "id", "consideration_id", "consideration__objective__section__number"
    ):
        by_section.setdefault(section, []).append((question_id, consideration_id))
    drawn = drawing.draw_mock(by_section, section_weights(edition), settings.EXAM_QUESTIONS, seed)
    return _create(
        user=user, edition=edition, kind=Attempt.Kind.MOCK, title=f"Mock exam ({edition.year})",
        question_ids=drawn, now=now, minutes=settings.EXAM_MINUTES, seed=seed,
    )  # fmt: skip


@transaction.atomic
def start_quiz(
    *, user: User, edition: Edition, count: int, title: str, now: datetime, consideration_ids: list[int] | None = None,
    deck: Deck | None = None, seed: int | None = None,
) -> Attempt:  # fmt: skip
    """An untimed quiz of ``count`` questions, with feedback after each answer: from the official bank over some
    considerations, or from the questions a deck's editors wrote (the caller checked that the learner studies it)."""
    seed = secrets.randbits(32) if seed is None else seed
    if deck is not None:
        questions = Question.objects.filter(deck=deck, retired=False)
    else:
        questions = _questions(edition).filter(consideration_id__in=consideration_ids)
    pairs = list(questions.values_list("id", "consideration_id"))
    drawn = drawing.draw_quiz(pairs, count, seed)
    return _create(
        user=user, edition=edition, kind=Attempt.Kind.QUIZ, title=title, question_ids=drawn, now=now, minutes=None,
        seed=seed,
    )  # fmt: skip


def _locked(attempt_id: int, user: User) -> Attempt:
    """The learner's own attempt, locked for this transaction (Attempt.DoesNotExist for anyone else's: a 404)."""
    return Attempt.objects.select_for_update().get(id=attempt_id, user=user)


def _move_clock(attempt: Attempt, now: datetime) -> None:
    """Add the time since the last request to the question on screen (capped, and never past the deadline)."""
    end = min(now, attempt.deadline) if attempt.deadline else now
    seconds = int(max((end - attempt.current_since).total_seconds(), 0))
    if seconds:
        AttemptQuestion.objects.filter(attempt=attempt, position=attempt.current).update(
            seconds=F("seconds") + min(seconds, MAX_VISIT_SECONDS)
        )
    attempt.current_since = now


def _submit_locked(attempt: Attempt, now: datetime, *, timed_out: bool = False) -> Attempt:
    _move_clock(attempt, now)
    items = list(attempt.items.select_related("question"))
    correct = _correct_options([item.question_id for item in items])
    for item in items:
        item.correct = scoring.is_correct(item.chosen, correct.get(item.question_id, ()))
    AttemptQuestion.objects.bulk_update(items, ["correct"])
    attempt.correct_count = sum(item.correct for item in items)
    attempt.submitted_at = min(now, attempt.deadline) if attempt.deadline else now
    attempt.timed_out = timed_out
    attempt.version += 1
    attempt.save()
    return attempt


def _correct_options(question_ids: list[int]) -> dict[int, list[int]]:
    result: dict[int, list[int]] = {}
    for question_id, option_id in Option.objects.filter(question_id__in=question_ids, correct=True).values_list(
        "question", "id"
    ):
        result.setdefault(question_id, []).append(option_id)
    return result


def _open(attempt_id: int, user: User, now: datetime) -> Attempt:
    """Lock the learner's attempt and refuse it when it is closed, or when its time is up (the caller has already
    submitted it then, in a transaction of its own, so that the refusal cannot roll the submission back)."""
    attempt = _locked(attempt_id, user)
    if not attempt.is_open:
        raise AttemptClosed("This attempt is already submitted; nothing was changed.")
    if attempt.deadline and now >= attempt.deadline:
        raise AttemptClosed("Time is up: the exam was submitted with the answers you had given.")
    return attempt


@transaction.atomic
def expire_if_due(*, attempt_id: int, user: User, now: datetime) -> Attempt:
    """Submit a mock exam whose time is up (a page view past the deadline); the attempt either way."""
    attempt = _locked(attempt_id, user)
    if attempt.is_open and attempt.deadline and now >= attempt.deadline:
        _submit_locked(attempt, now, timed_out=True)
    return attempt


def visit(*, attempt_id: int, user: User, position: int, now: datetime) -> Attempt:
    """The learner opens question ``position``: the time so far goes to the question they leave."""
    expire_if_due(attempt_id=attempt_id, user=user, now=now)
    with transaction.atomic():
        attempt = _open(attempt_id, user, now)
        if not 1 <= position <= attempt.question_count:
            raise ValueError(f"This attempt has questions 1 to {attempt.question_count}.")
        _move_clock(attempt, now)
        attempt.current = position
        attempt.save(update_fields=["current", "current_since"])
        return attempt


def answer(*, attempt_id: int, user: User, position: int, option_ids: list[int], now: datetime) -> AttemptQuestion:
    """Record the options chosen for one question. A quiz answer is final (its feedback is shown at once); a mock
    exam answer may change until the exam is submitted. ValueError for options that are not this question's."""
    expire_if_due(attempt_id=attempt_id, user=user, now=now)
    with transaction.atomic():
        attempt = _open(attempt_id, user, now)
        item = AttemptQuestion.objects.select_related("question").filter(attempt=attempt, position=position).first()
        if item is None:
            raise ValueError(f"This attempt has questions 1 to {attempt.question_count}.")
        chosen = sorted(set(option_ids))
        if not chosen:
            raise ValueError("Choose an option first.")
        if not set(chosen) <= set(item.option_order):
            raise ValueError("That option does not belong to this question.")
        if len(chosen) != item.question.choose:
            raise ValueError(f"Choose exactly {item.question.choose} option{'s' if item.question.choose > 1 else ''}.")
        if not attempt.is_mock and item.answered:
            raise AttemptClosed("You already answered this question; its explanation is below.")
        _move_clock(attempt, now)
        attempt.current = position
        attempt.version += 1
        attempt.save(update_fields=["current", "current_since", "version"])
        item.chosen, item.answered_at = chosen, now
        if not attempt.is_mock:
            item.correct = scoring.is_correct(chosen, _correct_options([item.question_id]).get(item.question_id, ()))
        item.save(update_fields=["chosen", "answered_at", "correct"])
        return item


def set_flag(*, attempt_id: int, user: User, position: int, flagged: bool, now: datetime) -> AttemptQuestion:
    expire_if_due(attempt_id=attempt_id, user=user, now=now)
    with transaction.atomic():
        attempt = _open(attempt_id, user, now)
        item = AttemptQuestion.objects.filter(attempt=attempt, position=position).first()
        if item is None:
            raise ValueError(f"This attempt has questions 1 to {attempt.question_count}.")
        item.flagged = flagged
        item.save(update_fields=["flagged"])
        return item


def submit(*, attempt_id: int, user: User, now: datetime) -> Attempt:
    """Score the attempt: a second submit (another tab, a double click) is refused and changes nothing."""
    expire_if_due(attempt_id=attempt_id, user=user, now=now)
    with transaction.atomic():
        attempt = _open(attempt_id, user, now)
        return _submit_locked(attempt, now)


@transaction.atomic
def share(*, attempt_id: int, user: User, shared: bool) -> Attempt:
    attempt = _locked(attempt_id, user)
    if attempt.is_open:
        raise AttemptClosed("Only a submitted attempt can be shared.")
    attempt.shared = shared
    attempt.save(update_fields=["shared"])
    return attempt
