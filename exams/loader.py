"""Load the official question bank from exams/content/<edition>/ into the database, idempotently."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import transaction

from cards.models import Consideration, Edition
from cards.rendering import render_markdown
from exams.models import Option, Question
from exams.questionfile import QuestionData, edition_folders, read_bank

TEXT_FIELDS = ("stem", "choose", "link")


@dataclass
class QuestionReport:
    edition: str = ""
    added: int = 0
    updated: int = 0
    retired: int = 0
    unchanged: int = 0
    kept_admin_edits: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        text = (
            f"{self.edition}: questions: {self.added} added, {self.updated} updated, {self.retired} retired, "
            f"{self.unchanged} unchanged"
        )
        if self.kept_admin_edits:
            text += f"\nkept {len(self.kept_admin_edits)} admin-edited question(s): {', '.join(self.kept_admin_edits)}"
        return text


def load_all_banks(*, force: bool = False) -> list[QuestionReport]:
    """Every edition's questions; the editions themselves come from ``manage.py load_pmle``, which runs first."""
    return [load_bank(folder, force=force) for folder in edition_folders()]


def _options_of(data: QuestionData) -> list[tuple[str, bool, str]]:
    return [(o.text, o.correct, o.why) for o in data.options]


@transaction.atomic
def load_bank(folder: str, *, force: bool = False) -> QuestionReport:
    """Bring one edition's questions in line with its files. Matched by key; attempts are never touched.

    A question whose key left the files is retired (attempts that drew it keep it); one edited in admin keeps
    its text unless ``force``. A question's options are replaced only when its text changed, so that an
    attempt's stored option order stays valid for every question it still shows.
    """
    bank = read_bank(folder)
    edition = Edition.objects.get(slug=bank.guide.slug)
    report = QuestionReport(edition=edition.slug)
    considerations = {
        c.key: c for c in Consideration.objects.filter(objective__section__edition=edition).select_related("objective")
    }
    existing = {
        q.key: q
        for q in Question.objects.filter(
            consideration__objective__section__edition=edition, deck__isnull=True
        ).prefetch_related("options")
    }
    seen = set()
    new: list[tuple[Question, QuestionData]] = []  # created in two statements: a first load adds hundreds
    for position, data in enumerate(bank.questions, start=1):
        seen.add(data.key)
        values = {"stem": data.stem, "choose": data.choose, "link": data.link}
        question = existing.get(data.key)
        if question is None:
            question = Question(
                consideration=considerations[data.consideration], key=data.key, position=position, **values
            )
            question.stem_html = render_markdown(question.stem)
            new.append((question, data))
            report.added += 1
            continue
        stored_options = [(o.text, o.correct, o.why) for o in question.options.all()]
        differs = any(getattr(question, k) != v for k, v in values.items()) or stored_options != _options_of(data)
        if question.edited_in_admin and not force:
            if differs:
                report.kept_admin_edits.append(data.key)
            differs = False
        moved = question.position != position or question.retired
        if not differs and not moved:
            report.unchanged += 1
            continue
        question.position, question.retired = position, False
        if differs:
            for name, value in values.items():
                setattr(question, name, value)
            question.consideration = considerations[data.consideration]
            question.edited_in_admin = False
        question.save()
        if differs:
            if stored_options != _options_of(data):
                question.options.all().delete()
                _write_options(question, data)
            report.updated += 1
        else:
            report.unchanged += 1
    Question.objects.bulk_create([question for question, _ in new], batch_size=500)
    Option.objects.bulk_create(
        [option for question, data in new for option in _options(question, data)], batch_size=1000
    )
    for key, question in existing.items():
        if key not in seen and not question.retired:
            question.retired = True
            question.save(update_fields=["retired"])
            report.retired += 1
    return report


def _options(question: Question, data: QuestionData) -> list[Option]:
    """The question's options, rendered (bulk_create skips the save() that would render them)."""
    return [
        Option(
            question=question,
            position=position,
            text=option.text,
            text_html=render_markdown(option.text),
            correct=option.correct,
            why=option.why,
            why_html=render_markdown(option.why),
        )
        for position, option in enumerate(data.options, start=1)
    ]


def _write_options(question: Question, data: QuestionData) -> None:
    Option.objects.bulk_create(_options(question, data))
