"""Questions written by a deck's editors (owner, or editors of a group it is shared with): the only code that
writes them. Checked by the same rules as the official bank's files, except the stable key."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction

from cards.models import Consideration, Deck
from exams.models import Option, Question
from exams.questionfile import OptionData, QuestionData, check_question


@dataclass(frozen=True)
class Draft:
    consideration: Consideration
    stem: str
    link: str
    options: tuple[OptionData, ...]

    @property
    def choose(self) -> int:
        return 2 if sum(o.correct for o in self.options) == 2 else 1

    def problems(self) -> list[str]:
        data = QuestionData(
            key="",
            consideration=self.consideration.key,
            stem=self.stem,
            choose=self.choose,
            link=self.link,
            options=self.options,
            source="",
        )
        # The deck's questions may link any https page; the official bank's rule on hosts does not apply.
        lines = check_question(data, {self.consideration.key}, official=False)
        problems = [line.split(": ", 2)[-1] for line in lines if "malformed link" not in line]
        if not self.link.startswith("https://"):
            problems.append("The link must start with https://.")
        return problems


@transaction.atomic
def save_question(*, deck: Deck, draft: Draft, question: Question | None = None) -> Question:
    """Create or replace a deck's question and its options in one transaction."""
    if question is None:
        question = Question(deck=deck)
    question.consideration = draft.consideration
    question.stem, question.link, question.choose = draft.stem, draft.link, draft.choose
    question.save()
    question.options.all().delete()
    for position, option in enumerate(draft.options, start=1):
        Option.objects.create(
            question=question, position=position, text=option.text, correct=option.correct, why=option.why
        )
    return question


@transaction.atomic
def retire_question(*, question: Question) -> None:
    question.retired = True
    question.save(update_fields=["retired"])
