"""Changes to many cards at once, chosen in the card browser: add or remove a tag, move to another deck, retire,
find and replace. Only cards of decks the user may edit (their own, and decks shared with a group where they are
an editor), never the official deck's; all of a selection or none of it, in one transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max

from accounts.models import User
from cards.access import with_access
from cards.deckio import LIMITS, normalize_tags
from cards.decks import DeckError
from cards.models import Card, Deck
from cards.rendering import validate_markup

TEXT_FIELDS = ("front", "back", "explanation")
MAX_SELECTION = 500


def editable_decks(user: User):
    return with_access(Deck.objects.filter(owner__isnull=False), user).filter(edits=True)


def _chosen(user: User, card_ids: list[int], *, lock: bool) -> list[Card]:
    if not card_ids:
        raise DeckError("Choose at least one card.")
    if len(set(card_ids)) > MAX_SELECTION:
        raise DeckError(f"Choose at most {MAX_SELECTION} cards at a time.")
    cards = Card.objects.filter(id__in=set(card_ids), retired=False, deck__in=editable_decks(user))
    if lock:
        cards = cards.select_for_update()
    cards = list(cards.order_by("deck_id", "position", "id"))
    missing = len(set(card_ids)) - len(cards)
    if missing:
        raise DeckError(f"{missing} of the chosen cards cannot be changed by you (or are retired): nothing changed.")
    return cards


def _save(cards: list[Card], fields: list[str]) -> None:
    for card in cards:
        card.version += 1  # an editor's open form on the card is now stale
    Card.objects.bulk_update(cards, [*fields, "version", "updated_at"])


@transaction.atomic
def add_tag(*, user: User, card_ids: list[int], tag: str, now: datetime) -> int:
    tag = normalize_tags(tag)  # ValueError for a malformed tag
    if not tag or " " in tag:
        raise ValueError("Give one tag.")
    cards = _chosen(user, card_ids, lock=True)
    for card in cards:
        card.tags, card.updated_at = normalize_tags([*card.tags.split(), tag]), now
    _save(cards, ["tags"])
    return len(cards)


@transaction.atomic
def remove_tag(*, user: User, card_ids: list[int], tag: str, now: datetime) -> int:
    cards = _chosen(user, card_ids, lock=True)
    for card in cards:
        card.tags, card.updated_at = " ".join(t for t in card.tags.split() if t != tag.strip().lower()), now
    _save(cards, ["tags"])
    return len(cards)


@transaction.atomic
def move(*, user: User, card_ids: list[int], deck: Deck, now: datetime) -> int:
    """Move the cards to the end of another deck the user edits; learners' progress stays with each card."""
    if not editable_decks(user).filter(id=deck.id).exists():
        raise DeckError("Move cards only into a deck you may edit.")
    Deck.objects.select_for_update().filter(id=deck.id).first()
    cards = _chosen(user, card_ids, lock=True)
    last = deck.cards.aggregate(m=Max("position"))["m"]
    start = 0 if last is None else last + 1
    for n, card in enumerate(c for c in cards if c.deck_id != deck.id):
        card.deck, card.position, card.updated_at = deck, start + n, now
    _save(cards, ["deck", "position"])
    return len(cards)


@transaction.atomic
def retire(*, user: User, card_ids: list[int], now: datetime) -> int:
    cards = _chosen(user, card_ids, lock=True)
    for card in cards:
        card.retired, card.updated_at = True, now
    _save(cards, ["retired"])
    return len(cards)


@dataclass
class Replacement:
    card: Card
    field: str
    before: str
    after: str


def replacements(user: User, card_ids: list[int], find: str, replace: str) -> list[Replacement]:
    """What a find-and-replace would change (the preview), checked: ValueError names a field it would break."""
    if not find:
        raise ValueError("Give the text to find.")
    changes = []
    for card in _chosen(user, card_ids, lock=False):
        for name in TEXT_FIELDS:
            before = getattr(card, name)
            if find in before:
                after = before.replace(find, replace)
                if name != "explanation" and not after.strip():
                    raise ValueError(f"The {name} of “{card.front[:60]}” would be empty.")
                if len(after) > LIMITS[name]:
                    raise ValueError(f"The {name} of “{card.front[:60]}” would pass {LIMITS[name]:,} characters.")
                try:
                    validate_markup(after)
                except ValidationError as error:
                    raise ValueError(f"The {name} of “{card.front[:60]}”: {error.messages[0]}") from None
                changes.append(Replacement(card, name, before, after))
    return changes


@transaction.atomic
def find_and_replace(*, user: User, card_ids: list[int], find: str, replace: str, now: datetime) -> int:
    """Replace in the questions, answers and explanations of the chosen cards; returns the cards changed."""
    _chosen(user, card_ids, lock=True)
    changed: dict[int, Card] = {}
    for change in replacements(user, card_ids, find, replace):  # checked again on the locked rows
        card = changed.setdefault(change.card.id, change.card)
        setattr(card, change.field, change.after)
    for card in changed.values():
        card.content_changed_at = now
        card.version += 1
        card.save()  # renders the HTML again
    return len(changed)
