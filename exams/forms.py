from __future__ import annotations

import re

from django import forms

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

    def __init__(self, *args, sections: list[Section], considerations: list[Consideration], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["source"].choices = [
            ("weakest", "My weakest considerations"),
            ("Sections", [(f"s{s.id}", f"Section {s.number}: {s.title}") for s in sections]),
            ("Considerations", [(f"c{c.id}", f"{c.key} {c.title[:80]}") for c in considerations]),
        ]
