from __future__ import annotations

from django import forms
from django.contrib.auth.forms import UserCreationForm

from accounts.models import Membership, StudyGroup, User
from cards.models import Edition

DEFAULT_TIME_ZONE = User._meta.get_field("time_zone").default
ZONE_HELP = "Study days start at your rollover hour in this zone."


def detect_time_zone(field: forms.Field) -> None:
    """Mark the select for static/js/app.js, which fills in the browser's zone (and says so) while it is the default."""
    field.widget.attrs["data-detect-zone"] = "true"


class SignupForm(UserCreationForm):
    class Meta:
        model = User
        fields = ("username", "email", "time_zone")
        labels = {"time_zone": "Time zone"}

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # Required: without it a forgotten password cannot be reset. Not unique, so that sign-up reveals nothing
        # about which addresses have accounts (a reset mails every account on the address).
        self.fields["email"].required = True
        self.fields["email"].help_text = "For resetting your password; never shown to anyone."
        zone = self.fields["time_zone"]
        zone.required = False  # left out (an old form, a script): the default, as before the field existed
        zone.help_text = ZONE_HELP
        if not self.is_bound:
            detect_time_zone(zone)

    def clean_time_zone(self) -> str:
        return self.cleaned_data.get("time_zone") or DEFAULT_TIME_ZONE


class EmailForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ("email",)
        help_texts = {"email": "For resetting your password if you forget it; never shown to anyone."}

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["email"].required = True


class PreferencesForm(forms.ModelForm):
    class Meta:
        model = User
        fields = (
            "time_zone",
            "rollover_hour",
            "new_cards_per_day",
            "max_reviews_per_day",
            "own_new_share",
            "exam_date",
            "plan_days_before",
            "leech_threshold",
            "suspend_leeches",
            "scheduler",
            "desired_retention",
            "compact_grades",
        )
        labels = {
            "time_zone": "Time zone",
            "rollover_hour": "New study day starts at (hour)",
            "new_cards_per_day": "New cards per day",
            "max_reviews_per_day": "Maximum reviews per day",
            "own_new_share": "Share of new cards for your own and groups' decks (%)",
            "exam_date": "Exam date",
            "plan_days_before": "See every card at least this many days before the exam",
            "leech_threshold": "A card becomes a leech after this many lapses",
            "suspend_leeches": "Suspend leeches (otherwise they are only flagged)",
            "scheduler": "Scheduler",
            "desired_retention": "Desired retention (FSRS)",
            "compact_grades": "Four grade buttons (Again, Hard, Good, Easy)",
        }
        widgets = {
            "exam_date": forms.DateInput(attrs={"type": "date"}),
            "desired_retention": forms.NumberInput(attrs={"step": "0.01", "min": "0.7", "max": "0.97"}),
        }

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["time_zone"].help_text = ZONE_HELP
        # Only a zone nobody chose yet is filled in from the browser: a zone someone saved is never changed for them.
        if not self.is_bound and self.instance.time_zone == DEFAULT_TIME_ZONE:
            detect_time_zone(self.fields["time_zone"])


class ExamDateForm(forms.Form):
    exam_date = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))


class EditionChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Edition) -> str:
        return f"{obj.title}{' (the exam as taken now)' if obj.is_current else ''}"


class EditionForm(forms.Form):
    edition = EditionChoiceField(
        queryset=Edition.objects.all(),
        to_field_name="slug",
        empty_label=None,
        label="Exam you prepare for",
        error_messages={"invalid_choice": "Choose one of the exam guide editions listed."},
    )


class StudyGroupForm(forms.ModelForm):
    edition = EditionChoiceField(
        queryset=Edition.objects.all(),
        to_field_name="slug",
        required=False,
        empty_label="The exam as taken now (follows new editions)",
        label="Exam the group prepares for",
        help_text="The group dashboard shows this edition's sections; members preparing for another are marked.",
    )

    class Meta:
        model = StudyGroup
        fields = ("name", "description", "edition")
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}


INVITE_VALIDITY = {"1": 1, "7": 7, "30": 30, "never": None}


class InviteForm(forms.Form):
    valid_for = forms.ChoiceField(
        label="Link valid for",
        choices=[("1", "1 day"), ("7", "7 days"), ("30", "30 days"), ("never", "until I rotate or disable it")],
        initial="7",
    )

    def days(self) -> int | None:
        return INVITE_VALIDITY[self.cleaned_data["valid_for"]]


class RoleForm(forms.Form):
    role = forms.ChoiceField(
        choices=[(Membership.Role.EDITOR, "Editor"), (Membership.Role.MEMBER, "Member")],
        error_messages={"invalid_choice": "A role is editor or member; ownership is handed over separately."},
    )


class TransferForm(forms.Form):
    user = forms.IntegerField(
        min_value=1, max_value=2**63 - 1, error_messages={"required": "Choose the member to hand the group to."}
    )


class PrivacyForm(forms.ModelForm):
    class Meta:
        model = Membership
        fields = ("share_stats", "on_leaderboard")
        labels = {
            "share_stats": "Show my figures to the group",
            "on_leaderboard": "Put me on the weekly leaderboard",
        }


class JoinForm(forms.Form):
    share_stats = forms.BooleanField(
        required=False, initial=False, label="Show my figures (due cards, reviews, mastery) to the group"
    )
