"""The card browser page (cards/browse.py does the searching)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from cards import browse
from cards.access import with_access
from cards.reviews import studied_decks

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
    }
    return render(request, "cards/browse.html", context)
