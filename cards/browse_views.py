"""The card browser page (cards/browse.py does the searching)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.defaultfilters import pluralize
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from cards import browse, marks
from cards import bulk as bulk_changes
from cards.access import with_access
from cards.deck_forms import form_errors
from cards.decks import DeckError
from cards.marks import suspend_card, unsuspend_card
from cards.models import Card, Progress
from cards.reviews import studied_decks
from pmle.nexturl import safe_next

PER_PAGE = 50
PRACTICE_MAX = 100  # the cards a practice session of a filter takes (the URL holds their ids)


@login_required
@require_GET
def card_browser(request: HttpRequest) -> HttpResponse:
    form = browse.BrowseForm(request.GET, user=request.user)
    if not form.is_valid():
        return render(request, "cards/browse.html", {"form": form}, status=400)
    cards = browse.browse(request.user, form.cleaned_data)
    page = Paginator(cards, PER_PAGE).get_page(request.GET.get("page"))
    editable = set(
        with_access(studied_decks(request.user), request.user).filter(edits=True).values_list("id", flat=True)
    )
    practice_ids = list(cards.filter(my_suspended=False).values_list("id", flat=True)[:PRACTICE_MAX])
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": form,
        "page": page,
        "editable": editable,
        "practice_ids": practice_ids,
        "query": query.urlencode(),
        "practice_max": PRACTICE_MAX,
        "flags": Progress.Flag.choices,
        "bulk_actions": BulkForm.ACTIONS,
        "bulk_decks": bulk_changes.editable_decks(request.user).order_by("title") if editable else [],
    }
    return render(request, "cards/browse.html", context)


def _refused(request: HttpRequest, message: str) -> HttpResponse:
    """A 400 page that says what was wrong and leads back to the browser with its filter; nothing changed."""
    context = {"error": message, "next": safe_next(request) or ""}
    return render(request, "cards/bulk_preview.html", context, status=400)


class FlagForm(forms.Form):
    flag = forms.TypedChoiceField(choices=Progress.Flag.choices, coerce=int)


@login_required
@require_POST
def flag_card(request: HttpRequest, card_id: int) -> HttpResponse:
    """Set one's own flag on a card, then back to the page the form was on (the browser, with its filter)."""
    form = FlagForm(request.POST)
    if not form.is_valid():
        return _refused(request, "Choose a flag: none, red, orange, green or blue.")
    try:
        progress = marks.set_flag(user=request.user, card_id=card_id, flag=form.cleaned_data["flag"])
    except Card.DoesNotExist:
        raise Http404("No such card in your reviews.") from None
    label = progress.get_flag_display().lower()
    messages.success(request, "Flag removed." if not progress.flag else f"Flagged {label}.")
    return redirect(safe_next(request) or "card_browser")


class BulkForm(forms.Form):
    ACTIONS = [
        ("tag", "Add a tag"),
        ("untag", "Remove a tag"),
        ("move", "Move to deck"),
        ("retire", "Retire"),
        ("replace", "Find and replace"),
    ]
    action = forms.ChoiceField(choices=ACTIONS)
    card = forms.TypedMultipleChoiceField(coerce=int, choices=[], error_messages={"required": "Choose some cards."})
    tag = forms.CharField(max_length=50, required=False)
    deck = forms.CharField(max_length=100, required=False)
    find = forms.CharField(max_length=1000, required=False, strip=False)
    replace = forms.CharField(max_length=1000, required=False, strip=False)

    def __init__(self, data) -> None:
        super().__init__(data)
        # Any id may be posted; which of them the user may change is decided by cards/bulk.py, all or nothing.
        self.fields["card"].choices = [(v, v) for v in data.getlist("card") if v.isascii() and v.isdigit()][:500]


@login_required
@require_POST
def bulk(request: HttpRequest) -> HttpResponse:
    """Apply one change to the chosen cards; find and replace shows what it would change before it is confirmed."""
    form = BulkForm(request.POST)
    back = safe_next(request) or "card_browser"
    if not form.is_valid():
        return _refused(request, form_errors(form))
    data, user, now = form.cleaned_data, request.user, timezone.now()
    ids = data["card"]
    try:
        if data["action"] == "tag":
            done = bulk_changes.add_tag(user=user, card_ids=ids, tag=data["tag"], now=now)
            text = f"Tag {data['tag'].strip().lower()} added to {done} card{pluralize(done)}."
        elif data["action"] == "untag":
            done = bulk_changes.remove_tag(user=user, card_ids=ids, tag=data["tag"], now=now)
            text = f"Tag {data['tag'].strip().lower()} removed from {done} card{pluralize(done)}."
        elif data["action"] == "move":
            deck = bulk_changes.editable_decks(user).filter(slug=data["deck"]).first()
            if deck is None:
                raise DeckError("Choose a deck you may edit to move the cards into.")
            done = bulk_changes.move(user=user, card_ids=ids, deck=deck, now=now)
            text = f"{done} card{pluralize(done)} moved to {deck.title}."
        elif data["action"] == "retire":
            done = bulk_changes.retire(user=user, card_ids=ids, now=now)
            text = f"{done} card{pluralize(done)} retired (history kept; restore them from their deck page)."
        elif "confirm" not in request.POST:
            changes = bulk_changes.replacements(user, ids, data["find"], data["replace"])
            context = {"changes": changes, "form": form, "ids": ids, "next": safe_next(request) or ""}
            return render(request, "cards/bulk_preview.html", context)
        else:
            done = bulk_changes.find_and_replace(
                user=user, card_ids=ids, find=data["find"], replace=data["replace"], now=now
            )
            text = f"Replaced in {done} card{pluralize(done)}."
    except (DeckError, ValueError) as error:
        return _refused(request, str(error))
    messages.success(request, text)
    return redirect(back)


@login_required
@require_POST
def suspend(request: HttpRequest, card_id: int) -> HttpResponse:
    """Suspend (or unsuspend) one's own studying of a card from the browser; its schedule is kept."""
    if request.POST.get("suspended") not in ("0", "1"):
        return _refused(request, "Say whether to suspend the card or not.")
    change = suspend_card if request.POST["suspended"] == "1" else unsuspend_card
    try:
        change(user=request.user, card_id=card_id)
    except Card.DoesNotExist:
        raise Http404("No such card in your reviews.") from None
    messages.success(request, "Suspended for you." if request.POST["suspended"] == "1" else "Back in your reviews.")
    return redirect(safe_next(request) or "card_browser")
