from __future__ import annotations

from django import forms


class GradeForm(forms.Form):
    # Upper bounds keep out-of-range numbers from reaching the database as overflowing query parameters.
    card = forms.IntegerField(
        min_value=1, max_value=2**63 - 1, error_messages={"required": "Which card? The form had no card."}
    )
    version = forms.IntegerField(
        min_value=0, max_value=2**31 - 1, error_messages={"required": "The form is missing its version."}
    )
    quality = forms.IntegerField(
        min_value=0,
        max_value=5,
        error_messages={
            "required": "Choose a grade from 0 to 5.",
            "invalid": "The grade must be a whole number from 0 to 5.",
            "min_value": "The grade must be a whole number from 0 to 5.",
            "max_value": "The grade must be a whole number from 0 to 5.",
        },
    )

    def error_text(self) -> str:
        return " ".join(str(e) for errors in self.errors.values() for e in errors)


class MoreForm(forms.Form):
    count = forms.IntegerField(
        min_value=1,
        max_value=200,
        initial=10,
        label="New cards",
        error_messages={"min_value": "Ask for at least 1 card.", "max_value": "At most 200 more a day."},
    )


class CardActionForm(forms.Form):
    """Suspend or bury the card on screen: the card and the version the screen was shown with."""

    card = GradeForm.base_fields["card"]
    version = GradeForm.base_fields["version"]
    action = forms.ChoiceField(choices=[("suspend", "Suspend"), ("bury", "Bury until tomorrow")])

    error_text = GradeForm.error_text


class LeechReportForm(forms.Form):
    note = forms.CharField(
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="What makes it hard: ambiguous, two facts in one, out of date?",
    )


class SpreadForm(forms.Form):
    days = forms.IntegerField(
        min_value=2,
        max_value=30,
        initial=7,
        error_messages={"min_value": "At least 2 days.", "max_value": "At most 30 days."},
    )


class VacationForm(forms.Form):
    start = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}), label="First day away")
    end = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}), label="Last day away")
