"""Writes to learners' own decks and cards: each function is keyword-only, verb-first and one transaction.

Views check who may do what (cards/access.py) before calling these; the functions check what must hold whoever
calls them (a retired card is not edited, a deck is shared only by its owner into a group they edit) and raise
``DeckError`` with a message fit for the learner otherwise.
"""

from __future__ import annotations

import secrets
from datetime import datetime

from django.db import IntegrityError, transaction
from django.db.models import Max, ProtectedError
from django.utils.text import slugify

from accounts.models import Membership, StudyGroup, User
from cards.models import Card, Consideration, Deck, DeckShare

# What a learner reads: a change to any of these marks the card "changed since your last review".
CONTENT_FIELDS = ("front", "back", "explanation", "link")


class DeckError(Exception):
    """A write that must not happen, with the reason to show to the learner."""


def unique_slug(text: str, model: type, *, max_length: int = 100) -> str:
    """A readable slug with a random suffix: slugs are unguessable, and taken ones leak nothing about others."""
    base = slugify(text)[: max_length - 9].strip("-") or "untitled"
    while True:
        slug = f"{base}-{secrets.token_hex(4)}"
        if not model.objects.filter(slug=slug).exists():
            return slug


@transaction.atomic
def create_deck(*, owner: User, title: str, description: str = "", is_public: bool = False) -> Deck:
    return Deck.objects.create(
        owner=owner, title=title, slug=unique_slug(title, Deck), description=description, is_public=is_public
    )


def _next_position(deck: Deck) -> int:
    last = deck.cards.aggregate(m=Max("position"))["m"]
    return 0 if last is None else last + 1


@transaction.atomic
def create_card(
    *,
    deck: Deck,
    front: str,
    back: str,
    explanation: str = "",
    link: str = "",
    consideration: Consideration | None = None,
    tags: str = "",
) -> Card:
    if deck.owner_id is None:
        raise DeckError("The official deck is changed through its deck files, not here.")
    Deck.objects.select_for_update().filter(id=deck.id).first()  # two cards added at once get distinct positions
    return Card.objects.create(
        deck=deck,
        front=front,
        back=back,
        explanation=explanation,
        link=link,
        consideration=consideration,
        tags=tags,
        position=_next_position(deck),
    )


class EditConflict(DeckError):
    """The form was filled in from an older version: someone else saved in between. ``current`` is their version."""

    def __init__(self, current: Card | Deck) -> None:
        super().__init__("Someone else changed this while you were editing it; nothing of yours was saved yet.")
        self.current = current


@transaction.atomic
def update_deck(*, deck: Deck, expected_version: int | None, title: str, description: str, is_public: bool) -> Deck:
    """Change a deck's title, description and visibility, unless someone saved it since the form was filled in."""
    deck = Deck.objects.select_for_update().get(id=deck.id)
    if expected_version is not None and deck.version != expected_version:
        raise EditConflict(deck)
    deck.title, deck.description, deck.is_public = title, description, is_public
    deck.version += 1
    deck.save(update_fields=["title", "description", "is_public", "version"])
    return deck


@transaction.atomic
def update_card(
    *,
    card: Card,
    now: datetime,
    consideration: Consideration | None,
    expected_version: int | None = None,
    tags: str | None = None,
    **content: str,
) -> Card:
    """Change a card's text and consideration. Only a change to what learners read sets ``content_changed_at``.

    With ``expected_version`` (the version the form was filled in from), a card saved by someone else since then
    raises ``EditConflict`` instead of silently reverting their change; the check is made on the locked row.
    """
    card = Card.objects.select_for_update().select_related("deck").get(id=card.id)
    if expected_version is not None and card.version != expected_version:
        raise EditConflict(card)
    if card.retired:
        raise DeckError("This card is retired: its text is kept as it was for the history. Add a new card instead.")
    if card.deck.owner_id is None:
        raise DeckError("The official deck is changed through its deck files, not here.")
    unknown = set(content) - set(CONTENT_FIELDS)
    if unknown:
        raise TypeError(f"update_card() got unexpected fields {sorted(unknown)}")
    changed = [name for name, value in content.items() if getattr(card, name) != value]
    for name in changed:
        setattr(card, name, content[name])
    fields = list(changed)
    if changed:
        card.content_changed_at = now
        fields.append("content_changed_at")
    if card.consideration_id != (consideration.id if consideration else None):
        card.consideration = consideration
        fields.append("consideration")
    if tags is not None and card.tags != tags:
        card.tags = tags
        fields.append("tags")
    if fields:
        card.version += 1
        card.save(update_fields=[*fields, "updated_at", "version"])
    return card


@transaction.atomic
def reorder_cards(*, deck: Deck, card_ids: list[int]) -> None:
    """Number the deck's active cards in the given order; ids not given keep their relative order after them."""
    cards = list(Card.objects.select_for_update().filter(deck=deck, retired=False).order_by("position", "id"))
    by_id = {card.id: card for card in cards}
    if len(set(card_ids)) != len(card_ids) or not set(card_ids) <= by_id.keys():
        raise DeckError("That order names cards that are not active cards of this deck.")
    ordered = [by_id[i] for i in card_ids] + [card for card in cards if card.id not in set(card_ids)]
    moved = []
    for position, card in enumerate(ordered):
        if card.position != position:
            card.position = position
            moved.append(card)
    # bulk_update skips Card.save(): positions are not text, so nothing needs re-rendering.
    Card.objects.bulk_update(moved, ["position"])


def move_card(*, card: Card, offset: int) -> None:
    """Move an active card up (-1) or down (+1) among its deck's active cards; at either end nothing changes."""
    if card.retired:
        raise DeckError("This card is retired: it has no place in the deck any more.")
    ids = list(
        Card.objects.filter(deck_id=card.deck_id, retired=False).order_by("position", "id").values_list("id", flat=True)
    )
    index = ids.index(card.id)
    target = min(max(index + offset, 0), len(ids) - 1)
    ids.insert(target, ids.pop(index))
    reorder_cards(deck=card.deck, card_ids=ids)


@transaction.atomic
def retire_card(*, card: Card) -> Card:
    """Stop everyone studying a card; its reviews and progress stay, so history and statistics are kept."""
    card = Card.objects.select_for_update().get(id=card.id)
    if card.retired:
        raise DeckError("This card is already retired.")
    card.retired = True
    card.save(update_fields=["retired", "updated_at"])
    return card


@transaction.atomic
def restore_card(*, card: Card) -> Card:
    """Bring a retired card back: learners keep the progress they had on it."""
    card = Card.objects.select_for_update().get(id=card.id)
    if not card.retired:
        raise DeckError("This card is not retired.")
    card.retired = False
    card.save(update_fields=["retired", "updated_at"])
    return card


@transaction.atomic
def delete_deck(*, deck: Deck) -> None:
    """Delete an own deck, its cards and everyone's progress and reviews of them. Refused while a group shares it
    (its members study it), and when its exam questions are in someone's quiz results (which keep them)."""
    deck = Deck.objects.select_for_update().get(id=deck.id)
    if deck.shares.exists():
        raise DeckError("A group studies this deck: stop sharing it first, then delete it.")
    try:
        with transaction.atomic():
            deck.delete()
    except ProtectedError:
        raise DeckError(
            "Its exam questions are in quiz results that learners keep, so it cannot be deleted: retire its cards."
        ) from None


@transaction.atomic
def clone_deck(*, deck: Deck, owner: User) -> Deck:
    """Copy a deck's active cards (never anyone's progress) into a new private deck of ``owner``."""
    title = f"{deck.title} (copy)"[: Deck._meta.get_field("title").max_length]
    copy = Deck.objects.create(
        owner=owner, title=title, slug=unique_slug(deck.title, Deck), description=deck.description
    )
    cards = deck.cards.filter(retired=False).order_by("position", "id")
    Card.objects.bulk_create(
        [
            # bulk_create skips save(), so the rendered HTML is copied along with the text it was rendered from.
            Card(
                deck=copy,
                consideration_id=card.consideration_id,
                front=card.front,
                back=card.back,
                explanation=card.explanation,
                link=card.link,
                tags=card.tags,
                position=position,
                front_html=card.front_html,
                back_html=card.back_html,
                explanation_html=card.explanation_html,
            )
            for position, card in enumerate(cards)
        ]
    )
    return copy


@transaction.atomic
def share_deck(*, deck: Deck, group: StudyGroup, user: User) -> DeckShare:
    """Share ``user``'s own deck with a group they own or edit: its members then study it too."""
    if deck.owner_id != user.id:
        raise DeckError("You can only share decks you own. Clone this deck first to share your copy.")
    role = Membership.objects.filter(group=group, user=user).values_list("role", flat=True).first()
    if role not in (Membership.Role.OWNER, Membership.Role.EDITOR):
        raise DeckError("You can only share decks with groups in which you are an owner or editor.")
    if DeckShare.objects.filter(deck=deck, group=group).exists():
        raise DeckError(f"This deck is already shared with {group.name}.")
    try:
        with transaction.atomic():
            return DeckShare.objects.create(deck=deck, group=group, shared_by=user)
    except IntegrityError:
        raise DeckError(f"This deck is already shared with {group.name}.") from None


@transaction.atomic
def unshare_deck(*, deck: Deck, group: StudyGroup) -> None:
    """Stop sharing: members keep their history, but the deck's cards leave their queues."""
    deleted, _ = DeckShare.objects.filter(deck=deck, group=group).delete()
    if not deleted:
        raise DeckError(f"This deck is not shared with {group.name}.")
