"""The card browser page (cards/browse.py does the searching)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from cards import browse, marks
from cards.access import with_access
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
    }
    return render(request, "cards/browse.html", context)


class FlagForm(forms.Form):
    flag = forms.TypedChoiceField(choices=Progress.Flag.choices, coerce=int)


@login_required
@require_POST
def flag_card(request: HttpRequest, card_id: int) -> HttpResponse:
    """Set one's own flag on a card, then back to the page the form was on (the browser, with its filter)."""
    form = FlagForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose a flag: none, red, orange, green or blue.")
        return redirect(safe_next(request) or "card_browser")
    try:
        progress = marks.set_flag(user=request.user, card_id=card_id, flag=form.cleaned_data["flag"])
    except Card.DoesNotExist:
        raise Http404("No such card in your reviews.") from None
    label = progress.get_flag_display().lower()
    messages.success(request, "Flag removed." if not progress.flag else f"Flagged {label}.")
    return redirect(safe_next(request) or "card_browser")
