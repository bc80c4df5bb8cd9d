from __future__ import annotations

from django import forms
from django.urls import reverse_lazy

from accounts.models import StudyGroup
from cards.deckio import normalize_tags
from cards.models import Card, Consideration, Deck
from cards.rendering import validate_markup


class DeckForm(forms.ModelForm):
    description = forms.CharField(max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 3}))

    class Meta:
        model = Deck
        fields = ("title", "description", "is_public")
        labels = {"is_public": "Public: anyone signed in may see and clone it"}


def _live_preview(rows: int) -> forms.Textarea:
    # Each change of the text (debounced) posts the whole form to the preview endpoint, which answers with the rendered
    # partial; without JavaScript the form's own "Preview" button does the same with a full page.
    return forms.Textarea(
        attrs={
            "rows": rows,
            "hx-post": reverse_lazy("card_preview"),
            "hx-trigger": "input changed delay:300ms",  # typing, pasting, autofill, dictation
            "hx-target": "#card-preview",
            "hx-swap": "outerHTML",
            "hx-include": "closest form",
        }
    )


# A plain text box, not type="url": the browser would refuse "cloud.google.com/..." with no word of why, while the
# form adds the missing https:// itself and explains anything else it refuses.
LINK_INPUT = forms.TextInput(attrs={"inputmode": "url", "autocomplete": "url", "spellcheck": "false"})
LINK_ERROR = "Enter a web address, such as https://cloud.google.com/vertex-ai/docs (https:// may be left out)."


class ConsiderationChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Consideration) -> str:
        return f"{obj.objective.section.edition.year} · {obj.key} {obj.title}"


class CardForm(forms.ModelForm):
    consideration = ConsiderationChoiceField(
        queryset=Consideration.objects.select_related("objective__section__edition").order_by(
            "-objective__section__edition__year", "objective__section__number", "objective__position", "position"
        ),
        required=False,
        empty_label="(none: not part of the exam curriculum)",
        help_text="The exam consideration this card belongs to; optional for your own decks.",
    )
    link = forms.URLField(
        max_length=500,
        required=False,
        assume_scheme="https",
        widget=LINK_INPUT,
        error_messages={"invalid": LINK_ERROR},
        help_text="Optional: a page to read next (https:// is added if you leave it out).",
    )

    class Meta:
        model = Card
        fields = ("front", "back", "explanation", "link", "consideration", "tags")
        widgets = {"front": _live_preview(3), "back": _live_preview(6), "explanation": _live_preview(4)}
        help_texts = {
            "front": "Markdown.",
            "back": "Markdown.",
            "explanation": "Optional. Markdown.",
            "tags": "Optional: words such as 'dataflow feature-store', separated by spaces.",
        }

    def clean_tags(self) -> str:
        try:
            return normalize_tags(self.cleaned_data["tags"])
        except ValueError as error:
            raise forms.ValidationError(f"The {error}.") from None


class PreviewForm(forms.Form):
    """The text to preview, with the card's own length limits so the endpoint renders nothing unbounded."""

    front = forms.CharField(max_length=1000, required=False, strip=False, validators=[validate_markup])
    back = forms.CharField(max_length=4000, required=False, strip=False, validators=[validate_markup])
    explanation = forms.CharField(max_length=4000, required=False, strip=False, validators=[validate_markup])


class ShareForm(forms.Form):
    group = forms.ModelChoiceField(
        queryset=StudyGroup.objects.none(),
        to_field_name="slug",
        error_messages={"invalid_choice": "Choose one of your groups in which you are an owner or editor."},
    )

    def __init__(self, *args, groups=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["group"].queryset = groups if groups is not None else StudyGroup.objects.none()


class MoveForm(forms.Form):
    direction = forms.ChoiceField(choices=[("up", "Up"), ("down", "Down")])


def form_errors(form: forms.Form) -> str:
    return " ".join(str(e) for errors in form.errors.values() for e in errors)
