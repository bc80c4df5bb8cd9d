"""Learners' own decks and cards: list, create, edit, reorder, retire, suspend, clone and share.

Every deck and card is fetched through cards/access.py; every write goes through cards/decks.py (or, for a
learner's own progress, cards/reviews.py).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.models import StudyGroup
from cards import decks
from cards.access import (
    card_for_user,
    deck_for_user,
    deck_to_delete,
    groups_user_can_share_to,
    visible_decks,
    with_access,
)
from cards.deck_forms import CardForm, DeckForm, MoveForm, PreviewForm, ShareForm, form_errors
from cards.marks import suspend_card, unsuspend_card
from cards.models import Card, Deck, LeechReport, Progress
from cards.rendering import render_markdown
from pmle import ratelimit
from pmle.converters import ID_RE
from pmle.nexturl import safe_next


@dataclass
class CardRow:
    card: Card
    suspended: bool
    changed: bool  # the text changed since this learner last reviewed the card


@login_required
@require_GET
def deck_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    active = Count("cards", filter=Q(cards__retired=False))
    rows = list(
        with_access(visible_decks(user), user)
        .select_related("owner")
        .annotate(card_count=active)
        .order_by("title", "id")
    )
    context = {
        "own": [d for d in rows if d.owner_id == user.id],
        "official": [d for d in rows if d.owner_id is None],
        "shared": [d for d in rows if d.owner_id not in (None, user.id) and d.studies],
        "public": [d for d in rows if d.owner_id not in (None, user.id) and not d.studies],
    }
    return render(request, "decks/list.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def deck_create(request: HttpRequest) -> HttpResponse:
    form = DeckForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        if not form.is_valid():
            return render(request, "decks/deck_form.html", {"form": form}, status=400)
        deck = decks.create_deck(owner=request.user, **form.cleaned_data)
        messages.success(request, "Deck created. Add its first card.")
        return redirect("card_create", deck.slug)
    return render(request, "decks/deck_form.html", {"form": form})


def _card_rows(request: HttpRequest, deck: Deck) -> list[CardRow]:
    cards = list(deck.cards.filter(retired=False).select_related("consideration").order_by("position", "id"))
    progress = {
        p.card_id: p
        for p in Progress.objects.filter(user=request.user, card__deck=deck).only(
            "card_id", "suspended", "last_reviewed_at"
        )
    }
    rows = []
    for card in cards:
        p = progress.get(card.id)
        reviewed = p.last_reviewed_at if p else None
        changed = bool(card.content_changed_at and reviewed and card.content_changed_at > reviewed)
        rows.append(CardRow(card=card, suspended=bool(p and p.suspended), changed=changed))
    return rows


def _render_deck(request: HttpRequest, deck: Deck, *, partial: bool = False, status: int = 200) -> HttpResponse:
    user = request.user
    context = {"deck": deck, "rows": _card_rows(request, deck), "is_owner": deck.owner_id == user.id}
    context["retired"] = list(deck.cards.filter(retired=True).order_by("position", "id")) if deck.edits else []
    if partial:
        return render(request, "decks/detail.html#card-list", context, status=status)
    # Editors see what learners reported as leeches on this deck's cards, with their notes.
    context["leech_reports"] = (
        list(LeechReport.objects.filter(card__deck=deck).select_related("card", "reporter")[:100]) if deck.edits else []
    )
    # A deck's owner sees every group it is shared with; others only the groups they belong to.
    shares = deck.shares.select_related("group").order_by("group__name")
    if not context["is_owner"]:
        shares = shares.filter(group__memberships__user=user)
    context["shares"] = list(shares)
    if context["is_owner"]:
        context["share_form"] = ShareForm(groups=groups_user_can_share_to(user).exclude(deck_shares__deck=deck))
    return render(request, "decks/detail.html", context, status=status)


def _after_card_change(request: HttpRequest, deck: Deck) -> HttpResponse:
    if request.htmx:
        return _render_deck(request, deck, partial=True)
    return redirect("deck_detail", deck.slug)


@login_required
@require_GET
def deck_detail(request: HttpRequest, slug: str) -> HttpResponse:
    return _render_deck(request, deck_for_user(request.user, slug, "view"))


@login_required
@require_http_methods(["GET", "POST"])
def deck_edit(request: HttpRequest, slug: str) -> HttpResponse:
    deck = deck_for_user(request.user, slug, "own")
    form = DeckForm(request.POST if request.method == "POST" else None, instance=deck)
    context = {"form": form, "deck": deck, "version": deck.version}
    if request.method == "POST":
        expected = _posted_version(request)
        context["version"] = expected
        if expected is _BAD_VERSION or not form.is_valid():
            return render(request, "decks/deck_form.html", context, status=400)
        try:
            decks.update_deck(deck=deck, expected_version=expected, **form.cleaned_data)
        except decks.EditConflict as conflict:
            messages.error(request, CONFLICT_MESSAGE)
            context |= {"conflict": conflict.current, "version": conflict.current.version}
            return render(request, "decks/deck_form.html", context, status=409)
        messages.success(request, "Deck saved.")
        return redirect("deck_detail", deck.slug)
    return render(request, "decks/deck_form.html", context)


CONFLICT_MESSAGE = (
    "Changed by someone else while you were editing: your changes were not saved. Their version is shown beside "
    "yours; keep what you want in the form and save again."
)
_BAD_VERSION = object()


def _posted_version(request: HttpRequest) -> int | None | object:
    """The version an edit form was filled in from; None for a form from before versions (no check), and
    ``_BAD_VERSION`` for anything that is not a plain number (a 400)."""
    value = request.POST.get("version")
    if value is None:
        return None
    if not ID_RE.fullmatch(value) or int(value) > 2**31 - 1:
        return _BAD_VERSION
    return int(value)


@login_required
@require_POST
def deck_clone(request: HttpRequest, slug: str) -> HttpResponse:
    copy = decks.clone_deck(deck=deck_for_user(request.user, slug, "view"), owner=request.user)
    messages.success(request, "Cloned: this copy is yours to change. Your progress on the original is unaffected.")
    return redirect("deck_detail", copy.slug)


def _share_form(request: HttpRequest, deck: Deck, groups) -> ShareForm | HttpResponse:
    form = ShareForm(request.POST, groups=groups)
    if form.is_valid():
        return form
    messages.error(request, form_errors(form))
    return _render_deck(request, deck, status=400)


@login_required
@require_POST
def deck_share(request: HttpRequest, slug: str) -> HttpResponse:
    deck = deck_for_user(request.user, slug, "own")
    # Any group the user belongs to is accepted here, so that sharing with a group one only studies in gets the
    # clear message from share_deck rather than a bare "invalid choice".
    form = _share_form(request, deck, StudyGroup.objects.filter(memberships__user=request.user))
    if isinstance(form, HttpResponse):
        return form
    group = form.cleaned_data["group"]
    try:
        decks.share_deck(deck=deck, group=group, user=request.user)
    except decks.DeckError as error:
        messages.error(request, str(error))
        return _render_deck(request, deck, status=400)
    messages.success(request, f"Shared with {group.name}: its members study it from now on.")
    return redirect("deck_detail", deck.slug)


@login_required
@require_POST
def deck_unshare(request: HttpRequest, slug: str) -> HttpResponse:
    deck = deck_for_user(request.user, slug, "own")
    form = _share_form(request, deck, StudyGroup.objects.filter(deck_shares__deck=deck))
    if isinstance(form, HttpResponse):
        return form
    decks.unshare_deck(deck=deck, group=form.cleaned_data["group"])
    messages.success(request, f"No longer shared with {form.cleaned_data['group'].name}.")
    return redirect("deck_detail", deck.slug)


def _render_card_form(
    request: HttpRequest,
    deck: Deck,
    form: CardForm,
    card: Card | None = None,
    *,
    status: int = 200,
    conflict: Card | None = None,
) -> HttpResponse:
    preview = PreviewForm(request.POST if request.method == "POST" else None)
    if request.method != "POST" and card is not None:
        preview = PreviewForm({"front": card.front, "back": card.back, "explanation": card.explanation})
    context = {"deck": deck, "form": form, "card": card, "preview": _rendered(preview), "conflict": conflict}
    context["next"] = safe_next(request) or ""  # the review screen's edit link comes back to the same card
    if card is not None:
        posted = _posted_version(request) if request.method == "POST" else None
        version = posted if isinstance(posted, int) else card.version
        context["version"] = conflict.version if conflict else version
    return render(request, "decks/card_form.html", context, status=status)


def _rendered(preview: PreviewForm) -> dict[str, str]:
    if not preview.is_bound or not preview.is_valid():
        return {}
    return {name: render_markdown(preview.cleaned_data[name]) for name in ("front", "back", "explanation")}


@login_required
@require_http_methods(["GET", "POST"])
def card_create(request: HttpRequest, slug: str) -> HttpResponse:
    deck = deck_for_user(request.user, slug, "edit")
    form = CardForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        if "preview" in request.POST:
            return _render_card_form(request, deck, form)
        if not form.is_valid():
            return _render_card_form(request, deck, form, status=400)
        try:
            decks.create_card(deck=deck, **form.cleaned_data)
        except decks.DeckError as error:
            messages.error(request, str(error))
            return _render_card_form(request, deck, form, status=400)
        messages.success(request, "Card added.")
        return redirect("card_create" if "add_another" in request.POST else "deck_detail", deck.slug)
    return _render_card_form(request, deck, form)


@login_required
@require_http_methods(["GET", "POST"])
def card_edit(request: HttpRequest, slug: str, card_id: int) -> HttpResponse:
    card = card_for_user(request.user, slug, card_id, "edit")
    deck = card.deck
    if card.retired:
        messages.error(request, "This card is retired: its text is kept as it was for the history.")
        return _render_deck(request, deck, status=400)
    form = CardForm(request.POST if request.method == "POST" else None, instance=card)
    if request.method == "POST":
        if "preview" in request.POST:
            return _render_card_form(request, deck, form, card)
        expected = _posted_version(request)
        if expected is _BAD_VERSION or not form.is_valid():
            return _render_card_form(request, deck, form, card, status=400)
        data = form.cleaned_data
        try:
            decks.update_card(
                card=card,  # update_card re-reads the row (locked), so the form's changes to ``card`` are not saved
                now=timezone.now(),
                consideration=data["consideration"],
                expected_version=expected,
                tags=data["tags"],
                **{name: data[name] for name in decks.CONTENT_FIELDS},
            )
        except decks.EditConflict as conflict:
            messages.error(request, CONFLICT_MESSAGE)
            return _render_card_form(request, deck, form, card, status=409, conflict=conflict.current)
        except decks.DeckError as error:
            messages.error(request, str(error))
            return _render_deck(request, deck, status=400)
        messages.success(request, "Card saved: everyone studying this deck sees the new text.")
        return redirect(safe_next(request) or reverse("deck_detail", args=[deck.slug]))
    return _render_card_form(request, deck, form, card)


def _card_action(request: HttpRequest, slug: str, card_id: int, need: str, action, success: str) -> HttpResponse:
    card = card_for_user(request.user, slug, card_id, need)
    try:
        action(card)
    except decks.DeckError as error:
        messages.error(request, str(error))
        if request.htmx:
            return _render_deck(request, card.deck, partial=True, status=400)
        return _render_deck(request, card.deck, status=400)
    except Card.DoesNotExist:
        messages.error(request, "That card is retired or not one you study.")
        return _render_deck(request, card.deck, partial=bool(request.htmx), status=404)
    if success:
        messages.success(request, success)
    return _after_card_change(request, card.deck)


@login_required
@require_POST
def card_move(request: HttpRequest, slug: str, card_id: int) -> HttpResponse:
    form = MoveForm(request.POST)
    if not form.is_valid():
        card = card_for_user(request.user, slug, card_id, "edit")  # 404/403 before saying what is wrong
        messages.error(request, "Move the card up or down.")
        return _render_deck(request, card.deck, partial=bool(request.htmx), status=400)
    offset = -1 if form.cleaned_data["direction"] == "up" else 1
    return _card_action(request, slug, card_id, "edit", lambda c: decks.move_card(card=c, offset=offset), "")


@login_required
@require_http_methods(["GET", "POST"])
def card_retire(request: HttpRequest, slug: str, card_id: int) -> HttpResponse:
    """GET: the confirmation without JavaScript (the deck page's Retire opens it; with htmx, a confirm dialog asks
    instead and posts straight here). POST: retire the card."""
    if request.method == "GET":
        card = card_for_user(request.user, slug, card_id, "edit")
        if card.retired:
            messages.info(request, "That card is already retired.")
            return redirect("deck_detail", card.deck.slug)
        learners = Progress.objects.filter(card=card).count()
        return render(request, "decks/card_retire.html", {"card": card, "deck": card.deck, "learners": learners})
    return _card_action(
        request,
        slug,
        card_id,
        "edit",
        lambda c: decks.retire_card(card=c),
        "Card retired; its history is kept. Retired cards can be restored from the end of this page.",
    )


@login_required
@require_POST
def card_restore(request: HttpRequest, slug: str, card_id: int) -> HttpResponse:
    return _card_action(
        request, slug, card_id, "edit", lambda c: decks.restore_card(card=c), "Card restored: it is studied again."
    )


@login_required
@require_http_methods(["GET", "POST"])
def deck_delete(request: HttpRequest, slug: str) -> HttpResponse:
    """A page that says what deleting the deck loses (its cards, the learners' progress on them), whose form deletes
    it; refused while a group shares it."""
    deck = deck_to_delete(request.user, slug)
    cards = deck.cards.order_by("retired", "position", "id")
    learners = Progress.objects.filter(card__deck=deck).values("user_id").distinct().count()
    others = Progress.objects.filter(card__deck=deck).exclude(user=request.user).values("user_id").distinct().count()
    shares = list(deck.shares.select_related("group").order_by("group__name"))
    context = {
        "deck": deck,
        "cards": list(cards[:50]),
        "card_count": cards.count(),
        "learners": learners,
        "others": others,
        "shares": shares,
    }
    if request.method == "POST":
        try:
            decks.delete_deck(deck=deck)
        except decks.DeckError as error:
            messages.error(request, str(error))
            return render(request, "decks/deck_delete.html", context, status=400)
        messages.success(request, f"Deleted “{deck.title}” and its {context['card_count']} cards.")
        return redirect("deck_list")
    return render(request, "decks/deck_delete.html", context)


@login_required
@require_POST
def card_suspend(request: HttpRequest, slug: str, card_id: int) -> HttpResponse:
    action = lambda c: suspend_card(user=request.user, card_id=c.id)  # noqa: E731
    return _card_action(request, slug, card_id, "study", action, "Suspended for you: it stays out of your queue.")


@login_required
@require_POST
def card_unsuspend(request: HttpRequest, slug: str, card_id: int) -> HttpResponse:
    action = lambda c: unsuspend_card(user=request.user, card_id=c.id)  # noqa: E731
    return _card_action(request, slug, card_id, "study", action, "Back in your queue.")


@login_required
@require_POST
def card_preview(request: HttpRequest) -> HttpResponse:
    """The live preview: the same sanitised rendering as the review screen, for the text typed so far."""
    if not ratelimit.allow("preview", request.user.pk, limit=settings.PREVIEW_RATE_PER_MINUTE):
        message = "Too many previews in a minute: the preview pauses for a moment. Your text is not lost."
        return render(request, "decks/card_form.html#card-preview", {"preview_error": message}, status=429)
    preview = PreviewForm(request.POST)
    if not preview.is_valid():
        return render(request, "decks/card_form.html#card-preview", {"preview_error": form_errors(preview)}, status=400)
    return render(request, "decks/card_form.html#card-preview", {"preview": _rendered(preview)})
