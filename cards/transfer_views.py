"""Decks in and out as files: export (JSON, CSV, Anki) for anyone who may view a deck; import, with a preview, into
a deck the user may edit. The formats are cards/deckio.py and cards/anki.py; the writing is cards/imports.py."""

from __future__ import annotations

import secrets
from base64 import b64decode, b64encode

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cards import anki, deckio, images, imports
from cards.access import deck_for_user
from cards.decks import DeckError
from cards.models import Deck, Progress

SHOWN = 50  # problems and changes listed on the page; the counts cover all


class ImportForm(forms.Form):
    file = forms.FileField(
        help_text="A deck file from here (.json), a spreadsheet saved as CSV, an Anki package (.apkg) or Anki's "
        "'Notes in Plain Text' export."
    )


@login_required
@require_GET
def deck_export(request: HttpRequest, slug: str, fmt: str) -> HttpResponse:
    deck = deck_for_user(request.user, slug, "view")
    cards = deck.cards.select_related("consideration__objective__section__edition").order_by("position", "id")
    if fmt == "json":
        schedules = _schedules(request.user, deck) if request.GET.get("schedule") == "1" else None
        body = deckio.to_json(deck, cards, schedules, images.for_export(deck))
        response = HttpResponse(body, content_type="application/json; charset=utf-8")
    elif fmt == "apkg":
        response = HttpResponse(anki.to_apkg(deck, cards), content_type="application/octet-stream")
    else:
        response = HttpResponse(deckio.to_csv(cards), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{deck.slug}.{fmt}"'
    return response


def _schedules(user, deck: Deck) -> dict[int, dict]:
    """The learner's own scheduling of the deck's cards, for an export that keeps it."""
    rows = Progress.objects.filter(user=user, card__deck=deck).values(
        "card_id", "due", "interval", "easiness", "repetitions", "lapses", "review_count", "suspended", "flag"
    )
    return {row.pop("card_id"): row | {"due": row["due"].isoformat() if row["due"] else None} for row in rows}


def _session_key(deck: Deck) -> str:
    return f"import:{deck.id}"


@login_required
@require_http_methods(["GET", "POST"])
def deck_import(request: HttpRequest, slug: str) -> HttpResponse:
    """Upload a file: every row is checked before anything is written; a clean file shows what it would change."""
    deck = deck_for_user(request.user, slug, "edit")
    form = ImportForm(request.POST or None, request.FILES or None)
    context = {"deck": deck, "form": form}
    if request.method == "GET" or deck.is_official:  # the page explains that the official deck has its files
        return render(request, "decks/import.html", context, status=400 if request.method == "POST" else 200)
    if not form.is_valid():
        return render(request, "decks/import.html", context, status=400)
    upload = form.cleaned_data["file"]
    data = upload.read()
    try:
        parsed = imports.read_file(upload.name, data, request.user)
    except deckio.FileError as error:
        context["file_error"] = str(error)
        return render(request, "decks/import.html", context, status=400)
    if parsed.problems:
        context |= {"problems": parsed.problems[:SHOWN], "problem_count": len(parsed.problems)}
        return render(request, "decks/import.html", context, status=400)
    token = secrets.token_urlsafe(16)
    request.session[_session_key(deck)] = {"token": token, "name": upload.name, "data": b64encode(data).decode()}
    change = imports.plan(deck, parsed.rows)
    context |= {"plan": change, "token": token, "name": upload.name, "left_out": parsed.left_out[:SHOWN]}
    context["image_count"] = len(parsed.images)
    context["more_left_out"] = len(parsed.left_out) - SHOWN
    context |= {"added": change.added[:SHOWN], "updated": change.updated[:SHOWN]}
    context |= {"more_added": len(change.added) - SHOWN, "more_updated": len(change.updated) - SHOWN}
    return render(request, "decks/import_preview.html", context)


@login_required
@require_POST
def deck_import_confirm(request: HttpRequest, slug: str) -> HttpResponse:
    """Import the file previewed (kept in the session), checked again: nothing from the page itself is trusted."""
    deck = deck_for_user(request.user, slug, "edit")
    pending = request.session.get(_session_key(deck))
    if not pending or not secrets.compare_digest(pending["token"], request.POST.get("token", "")):
        messages.error(request, "That import was already done or has expired: choose the file again.")
        return redirect("deck_import", deck.slug)
    try:
        parsed = imports.read_file(pending["name"], b64decode(pending["data"]), request.user)
    except deckio.FileError as error:  # only if the taxonomy changed in between
        messages.error(request, str(error))
        return redirect("deck_import", deck.slug)
    if parsed.problems:
        messages.error(request, "The file no longer checks out: " + parsed.problems[0])
        return redirect("deck_import", deck.slug)
    try:
        done = imports.import_rows(
            deck=deck, rows=parsed.rows, now=timezone.now(), pictures=parsed.images, user=request.user
        )
    except DeckError as error:
        messages.error(request, str(error))
        return redirect("deck_detail", deck.slug)
    del request.session[_session_key(deck)]
    messages.success(
        request, f"Imported: {len(done.added)} added, {len(done.updated)} updated, {done.unchanged} unchanged."
    )
    return redirect("deck_detail", deck.slug)
