"""Read-only figures for the attempt, results and history pages, and the mock-exam signal other pages show."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Count, Q

from accounts.models import Membership, User
from cards.models import Consideration, Edition, Section
from exams import scoring
from exams.models import Attempt, AttemptQuestion, Option

SIGNAL_ATTEMPTS = 3  # the mock-exam signal reads the learner's latest three submitted mock exams


@dataclass
class ItemView:
    """A question as an attempt shows it: its options in the attempt's order, with the learner's choice."""

    item: AttemptQuestion
    options: list[Option]

    @property
    def question(self):
        return self.item.question

    def chosen(self, option: Option) -> bool:
        return option.id in self.item.chosen


def items(attempt: Attempt, positions: list[int] | None = None) -> list[ItemView]:
    """Two queries: the attempt's questions (with consideration and section), then all their options."""
    rows = attempt.items.select_related("question__consideration__objective__section").order_by("position")
    if positions is not None:
        rows = rows.filter(position__in=positions)
    rows = list(rows)
    options: dict[int, Option] = {o.id: o for o in Option.objects.filter(question_id__in=[r.question_id for r in rows])}
    views = []
    for row in rows:
        ordered = [options[i] for i in row.option_order if i in options]
        # Options added since the attempt began (a reloaded question) come last rather than vanish.
        ordered += [o for o in options.values() if o.question_id == row.question_id and o not in ordered]
        views.append(ItemView(item=row, options=ordered))
    return views


def palette(attempt: Attempt) -> list[AttemptQuestion]:
    return list(attempt.items.order_by("position"))


@dataclass
class SectionResult:
    section: Section
    score: scoring.Score


@dataclass
class Results:
    attempt: Attempt
    items: list[ItemView]
    sections: list[SectionResult]
    overall: scoring.Score
    missed: list[Consideration] = field(default_factory=list)

    @property
    def pass_mark(self) -> int:
        return scoring.PASS_MARK

    @property
    def total_seconds(self) -> int:
        return sum(view.item.seconds for view in self.items)


def results(attempt: Attempt) -> Results:
    """A submitted attempt: every question with its explanations, scores per section, the missed considerations."""
    views = items(attempt)
    section_of = {v.item.id: v.question.consideration.objective.section for v in views}
    scores = scoring.by_section((section_of[v.item.id].number, bool(v.item.correct)) for v in views)
    sections = {s.number: s for s in section_of.values()}
    missed: dict[int, Consideration] = {}
    for v in views:
        if not v.item.correct:
            missed.setdefault(v.question.consideration_id, v.question.consideration)
    ordered_missed = sorted(
        missed.values(), key=lambda c: (c.objective.section.number, c.objective.position, c.position)
    )
    return Results(
        attempt=attempt,
        items=views,
        sections=[SectionResult(sections[n], score) for n, score in scores.items()],
        overall=scoring.overall(scores),
        missed=ordered_missed,
    )


def history(user: User, edition: Edition) -> list[Attempt]:
    """The learner's attempts on an edition, newest first (one query)."""
    return list(Attempt.objects.filter(user=user, edition=edition).order_by("-started_at", "-id")[:200])


def open_mock(user: User, edition: Edition) -> Attempt | None:
    return Attempt.objects.filter(user=user, edition=edition, kind=Attempt.Kind.MOCK, submitted_at__isnull=True).first()


def _section_scores(attempts) -> dict[int, scoring.Score]:
    rows = (
        AttemptQuestion.objects.filter(attempt__in=attempts)
        .values("question__consideration__objective__section_id")
        .annotate(total=Count("id"), right=Count("id", filter=Q(correct=True)))
    )
    return {r["question__consideration__objective__section_id"]: scoring.Score(r["right"], r["total"]) for r in rows}


def mock_signal(user: User, section_ids: list[int]) -> dict[int | None, scoring.Score]:
    """Per section id (and None for all of them): the share of questions right in the learner's latest mock
    exams. One query; empty when they have taken none. Shown beside card retention, never mixed into it."""
    latest = (
        Attempt.objects.filter(
            user=user, kind=Attempt.Kind.MOCK, submitted_at__isnull=False, edition__sections__id__in=section_ids
        )
        .distinct()
        .order_by("-submitted_at")[:SIGNAL_ATTEMPTS]
    )
    scores = _section_scores(Attempt.objects.filter(id__in=latest.values("id")))
    if scores:
        scores[None] = scoring.overall({k: v for k, v in scores.items() if k is not None})
    return scores


@dataclass
class SharedScore:
    membership: Membership
    attempt: Attempt
    sections: dict[int, scoring.Score]


def group_mock_scores(memberships: list[Membership], edition: Edition | None) -> list[SharedScore]:
    """Each member's latest mock exam on the group's edition that they chose to share, by section: one query,
    two when anything is shared. ``memberships`` are the group's, as the group dashboard already loaded them."""
    memberships = {m.user_id: m for m in memberships}
    latest: dict[int, Attempt] = {}
    for attempt in Attempt.objects.filter(
        user_id__in=list(memberships), edition=edition, kind=Attempt.Kind.MOCK, shared=True, submitted_at__isnull=False
    ).order_by("-submitted_at"):
        latest.setdefault(attempt.user_id, attempt)
    if not latest:
        return []
    rows = (
        AttemptQuestion.objects.filter(attempt__in=list(latest.values()))
        .values("attempt_id", "question__consideration__objective__section_id")
        .annotate(total=Count("id"), right=Count("id", filter=Q(correct=True)))
    )
    by_attempt: dict[int, dict[int, scoring.Score]] = {}
    for r in rows:
        section = r["question__consideration__objective__section_id"]
        by_attempt.setdefault(r["attempt_id"], {})[section] = scoring.Score(r["right"], r["total"])
    return [
        SharedScore(memberships[user_id], attempt, by_attempt.get(attempt.id, {}))
        for user_id, attempt in sorted(latest.items(), key=lambda kv: memberships[kv[0]].joined_at)
    ]
