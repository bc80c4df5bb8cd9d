"""Importing a deck file into a deck: what it would change (the preview), then all of it in one transaction.

Rows are matched to the deck's cards by key: a card's own key, or ``card-<id>`` for a card of this deck that has
none (the key an export writes for it). A row without a key gets one made from its question, so that importing the
same spreadsheet twice updates instead of duplicating. Cards of the deck that the file does not name are left
alone: an import adds and updates, it never deletes.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime

from django.db import transaction
from django.db.models import Max

from accounts.models import User
from cards import anki, deckio, images
from cards.decks import DeckError
from cards.editions import current_edition
from cards.loader import with_html
from cards.models import Card, Consideration, Deck

TEXT = ("front", "back", "explanation", "link")
FIELDS = (*TEXT, "consideration_id", "tags")


def considerations_for(user: User) -> deckio.Considerations:
    """Every edition's considerations by key and by title; a bare key means the learner's own edition."""
    by_key: dict[int, dict[str, int]] = {}
    by_title: dict[int, dict[str, int]] = {}
    rows = Consideration.objects.values_list("id", "key", "title", "objective__section__edition__year")
    for cid, key, title, year in rows:
        by_key.setdefault(year, {})[key] = cid
        by_title.setdefault(year, {})[title.lower()] = cid
    edition = user.exam_edition or current_edition()
    return deckio.Considerations(by_key, by_title, edition.year if edition else 0)


def read_file(name: str, data: bytes, user: User) -> deckio.Parsed:
    """A deck file read and validated, its format told by its content: an Anki package (a zip), a JSON deck file
    (starts with '{'), Anki's text export (starts with '#separator:' or '#html:'), else CSV.

    Raises ``deckio.FileError`` for a file that cannot be read at all.
    """
    considerations = considerations_for(user)
    left_out: list[str] = []
    if data[:4] == b"PK\x03\x04" or name.lower().endswith((".apkg", ".colpkg")):
        items, left_out, pictures = anki.read_apkg(data)
        parsed = deckio.check_items(items, considerations)
        parsed.images = pictures
    else:
        text = deckio.decode(data)
        if text.lstrip().startswith("{") or name.lower().endswith(".json"):
            parsed = deckio.read_json(text, considerations)
        elif text.startswith(("#separator:", "#html:")):
            items, left_out = anki.read_text_export(text)
            parsed = deckio.check_items(items, considerations)
        else:
            parsed = deckio.read_csv(text, considerations)
    parsed.left_out = left_out
    for image_id, data in parsed.images:  # checked as an upload is, before anything is written
        try:
            images.decode(data)
        except images.ImageRefused as refused:
            parsed.problems.append(f"image {image_id}: {refused}")
    for row in parsed.rows:
        if not row.key:
            row.key = "q-" + hashlib.sha256(row.front.encode()).hexdigest()[:16]
    keys: dict[str, str] = {}
    for row in parsed.rows:  # made keys can meet: the same question twice
        if row.key in keys:
            parsed.problems.append(f"{row.where}: the same question as {keys[row.key]}")
        keys.setdefault(row.key, row.where)
    return parsed


@dataclass
class Change:
    row: deckio.Row
    card: Card | None = None  # None: a card to add
    fields: list[str] = field(default_factory=list)  # what changes on an existing card


@dataclass
class ImportPlan:
    added: list[Change] = field(default_factory=list)
    updated: list[Change] = field(default_factory=list)
    unchanged: int = 0


def plan(deck: Deck, rows: list[deckio.Row]) -> ImportPlan:
    existing = {}
    for card in Card.objects.filter(deck=deck):
        existing[deckio.card_key(card)] = card
    result = ImportPlan()
    for row in rows:
        card = existing.get(row.key)
        if card is None:
            result.added.append(Change(row))
            continue
        changed = [name for name in FIELDS if getattr(card, name) != getattr(row, name)]
        if row.retired is not None and card.retired != row.retired:
            changed.append("retired")
        if changed:
            result.updated.append(Change(row, card, changed))
        else:
            result.unchanged += 1
    return result


@transaction.atomic
def import_rows(
    *, deck: Deck, rows: list[deckio.Row], now: datetime, pictures: list[tuple[int, bytes]] = (), user=None
) -> ImportPlan:
    """Add and update the deck's cards from validated rows, and the file's images, all or nothing; returns what
    was done. Images get ids of this site (the same picture already in the deck is reused) and the cards'
    references to them are renumbered."""
    if deck.owner_id is None:
        raise DeckError("The official deck is changed through its deck files, not here.")
    Deck.objects.select_for_update().filter(id=deck.id).first()  # one import or card edit at a time per deck
    new_ids = {old: images.upload(user=user, deck=deck, data=data).id for old, data in pictures}
    for row in rows:
        for name in ("front", "back", "explanation"):
            setattr(row, name, images.rewrite(getattr(row, name), new_ids))
    result = plan(deck, rows)
    last = deck.cards.aggregate(m=Max("position"))["m"]
    position = 0 if last is None else last + 1
    new_cards = []
    for n, change in enumerate(result.added):
        row = change.row
        card = Card(deck=deck, key=row.key, position=position + n, retired=bool(row.retired))
        for name in FIELDS:
            setattr(card, name, getattr(row, name))
        new_cards.append(with_html(card))
    Card.objects.bulk_create(new_cards, batch_size=500)
    updated = []
    for change in result.updated:
        card, row = change.card, change.row
        for name in FIELDS:  # a keyless card keeps none: its export's "card-<id>" finds it again
            setattr(card, name, getattr(row, name))
        if row.retired is not None:
            card.retired = row.retired
        if set(change.fields) & set(TEXT):
            card.content_changed_at = now  # learners see "changed since your last review"
        card.version += 1  # an editor's open form on this card is now stale
        updated.append(with_html(card))
    update_fields = [*FIELDS, "retired", "content_changed_at", "version", "updated_at"]
    for card in updated:
        card.updated_at = now
    Card.objects.bulk_update(updated, [*update_fields, "front_html", "back_html", "explanation_html"], batch_size=500)
    return result
