from __future__ import annotations

import re

from django import forms

from cards.deck_forms import LINK_ERROR, LINK_INPUT
from cards.models import Consideration, Section

ID_RE = re.compile(r"[0-9]{1,18}")  # ASCII digits only: str.isdigit() also accepts '²', which int() refuses


def parse_ids(values: list[str]) -> list[int] | None:
    """Option ids from a form, or None when any is not a plain number."""
    if not all(ID_RE.fullmatch(v) for v in values):
        return None
    return [int(v) for v in values]


class QuizForm(forms.Form):
    """What a quick quiz draws from: the weakest considerations, a section, or one consideration."""

    source = forms.ChoiceField(label="Questions from")
    count = forms.IntegerField(label="Number of questions", min_value=3, max_value=50, initial=10)

    def __init__(
        self, *args, sections: list[Section], considerations: list[Consideration], decks: list = (), **kwargs
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["source"].choices = [
            ("weakest", "My weakest considerations"),
            ("Sections", [(f"s{s.id}", f"Section {s.number}: {s.title}") for s in sections]),
            ("Considerations", [(f"c{c.id}", f"{c.key} {c.title[:80]}") for c in considerations]),
        ] + ([("Your decks' own questions", [(f"d{d.id}", d.title) for d in decks])] if decks else [])


OPTION_SLOTS = 6


class QuestionForm(forms.Form):
    """A deck's question: a stem, 4 options with one correct, or 5-6 with two correct ("choose two")."""

    consideration = forms.ModelChoiceField(queryset=Consideration.objects.none(), label="Consideration")
    stem = forms.CharField(
        max_length=1000, widget=forms.Textarea(attrs={"rows": 4}), help_text="The scenario and the question. Markdown."
    )
    link = forms.URLField(
        max_length=500,
        assume_scheme="https",
        widget=LINK_INPUT,
        error_messages={"invalid": LINK_ERROR},
        help_text="The page that decides the question (https:// is added if you leave it out).",
    )

    def __init__(self, *args, considerations, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["consideration"].queryset = considerations
        self.fields["consideration"].label_from_instance = lambda c: f"{c.key} {c.title}"
        for n in range(1, OPTION_SLOTS + 1):
            required = n <= 4
            self.fields[f"option_{n}"] = forms.CharField(
                max_length=300, required=required, label=f"Option {n}", help_text="" if required else "Optional."
            )
            self.fields[f"correct_{n}"] = forms.BooleanField(required=False, label="Correct")
            self.fields[f"why_{n}"] = forms.CharField(
                max_length=600, required=False, label="Why", widget=forms.Textarea(attrs={"rows": 2})
            )

    def option_rows(self):
        return [(self[f"option_{n}"], self[f"correct_{n}"], self[f"why_{n}"]) for n in range(1, OPTION_SLOTS + 1)]

    def options(self) -> tuple:
        from exams.questionfile import OptionData

        return tuple(
            OptionData(
                text=self.cleaned_data[f"option_{n}"].strip(),
                correct=self.cleaned_data[f"correct_{n}"],
                why=self.cleaned_data[f"why_{n}"].strip(),
            )
            for n in range(1, OPTION_SLOTS + 1)
            if self.cleaned_data.get(f"option_{n}", "").strip()
        )

    @classmethod
    def initial_for(cls, question) -> dict:
        data = {"consideration": question.consideration_id, "stem": question.stem, "link": question.link}
        for n, option in enumerate(question.options.all(), start=1):
            data |= {f"option_{n}": option.text, f"correct_{n}": option.correct, f"why_{n}": option.why}
        return data
