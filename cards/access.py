"""Who may see and change what: the access rules for decks, cards, study groups and members, in one place.

Every view fetches these objects through the helpers below, never with a bare ``get``. Anonymous users never get
here (views are ``@login_required``, so they are sent to log in). The helpers raise ``Http404`` when the user may
not know the object exists, and ``PermissionDenied`` (403) when they may see it but not do this to it.

Decks (``deck_for_user(user, slug, need)``), for a deck owned by someone else unless said otherwise:

| need  | what it allows                           | outsider | public | member | editor | deck owner |
|-------|------------------------------------------|----------|--------|--------|--------|------------|
| view  | see the deck and its cards, clone it     | 404      | yes    | yes    | yes    | yes        |
| study | review it, suspend its cards for oneself | 404      | 403    | yes    | yes    | yes        |
| edit  | add, change, reorder and retire cards    | 404      | 403    | 403    | yes    | yes        |
| own   | rename, make public, share with a group  | 404      | 403    | 403    | 403    | yes        |
| delete | delete the deck (``deck_to_delete``)   | 404      | 404    | 404    | 404    | yes        |

"public" is anyone signed in looking at someone else's public deck; member and editor are roles in a study group
the deck is shared with (a group owner counts as an editor here). Official decks (no owner) may be viewed by
everyone signed in, studied by those who prepare for their edition (a 403 for the others, who may switch in
Settings), and changed by nobody here (staff use the admin and the deck files).

Study groups (``group_for_user(user, slug, need)``):

| need   | what it allows                                                 | outsider | member | editor | owner |
|--------|----------------------------------------------------------------|----------|--------|--------|-------|
| view   | the group page and dashboard, own privacy choices, leaving     | 404      | yes    | yes    | yes   |
| share  | share one's own decks with it (``groups_user_can_share_to``)  | 404      | no     | yes    | yes   |
| own    | rename, delete, invite links, roles, remove members, hand over | 404      | 403    | 403    | yes   |
"""

from __future__ import annotations

from typing import Literal

from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404

from accounts.models import Membership, StudyGroup, User
from cards.editions import edition_q
from cards.models import Card, Deck, DeckShare

DeckNeed = Literal["view", "study", "edit", "own"]
GroupNeed = Literal["view", "own"]
EDITING_ROLES = (Membership.Role.OWNER, Membership.Role.EDITOR)


def _shared_with(user: User, roles: tuple[str, ...] | None = None) -> QuerySet[DeckShare]:
    # One filter() call, so that the user and the role are conditions on the same membership row.
    if roles is None:
        return DeckShare.objects.filter(group__memberships__user=user)
    return DeckShare.objects.filter(group__memberships__user=user, group__memberships__role__in=roles)


def _official_studied_q(user: User) -> Q:
    """The official deck of the edition the user prepares for: never two official decks at once."""
    return Q(owner__isnull=True) & edition_q(user)


def studied_deck_q(user: User) -> Q:
    """Decks in the user's queue: their edition's official deck, their own, and those shared with their groups."""
    return _official_studied_q(user) | Q(owner=user) | Q(id__in=_shared_with(user).values("deck_id"))


def visible_decks(user: User) -> QuerySet[Deck]:
    """Every deck the user may view: the studied ones, every edition's official deck, and everyone's public decks."""
    return Deck.objects.filter(studied_deck_q(user) | Q(owner__isnull=True) | Q(is_public=True))


def with_access(decks: QuerySet[Deck], user: User) -> QuerySet[Deck]:
    """Annotate ``studies`` and ``edits`` (booleans) in the same query, for lists of decks."""
    edit_shares = _shared_with(user, EDITING_ROLES).filter(deck=OuterRef("pk"))
    study_shares = _shared_with(user).filter(deck=OuterRef("pk"))
    return decks.annotate(
        edits=Q(owner=user) | Exists(edit_shares),
        studies=_official_studied_q(user) | Q(owner=user) | Exists(study_shares),
    )


def deck_for_user(user: User, slug: str, need: DeckNeed = "view") -> Deck:
    """The deck with this slug if the user may ``need`` it; Http404 or PermissionDenied otherwise (table above)."""
    deck = with_access(visible_decks(user), user).select_related("owner").filter(slug=slug).first()
    if deck is None:
        raise Http404("No such deck.")
    if need == "view":
        return deck
    if need == "study" and not deck.studies:
        if deck.owner_id is None:
            raise PermissionDenied(
                f"This is the official deck of the {deck.title}: choose that exam in Settings to study it."
            )
        raise PermissionDenied("This is someone else's public deck: clone it to study it.")
    if need == "edit" and not deck.edits:
        raise PermissionDenied("Only the deck's owner and the editors of a group it is shared with may change it.")
    if need == "own" and deck.owner_id != user.id:
        raise PermissionDenied("Only the deck's owner may do that.")
    return deck


def deck_to_delete(user: User, slug: str) -> Deck:
    """The user's own deck with this slug, for deleting it; anyone else's deck is a 404, whoever may see it, so that
    deleting is offered and answered only to the owner."""
    deck = with_access(Deck.objects.filter(owner=user), user).filter(slug=slug).first()
    if deck is None:
        raise Http404("No such deck of yours.")
    return deck


def card_for_user(user: User, deck_slug: str, card_id: int, need: DeckNeed = "view") -> Card:
    """A card of a deck the user may ``need``; a card of another deck is a 404, whatever its own deck."""
    deck = deck_for_user(user, deck_slug, need)
    card = Card.objects.select_related("consideration").filter(deck=deck, id=card_id).first()
    if card is None:
        raise Http404("No such card in this deck.")
    card.deck = deck
    return card


def may_edit_card(user: User, card: Card) -> bool:
    """Whether the user may change this card (the "edit" row above). No query for an official or own deck's card;
    one for a deck owned by someone else, which a group the user edits in may share."""
    if card.deck.owner_id is None:
        return False
    if card.deck.owner_id == user.id:
        return True
    return _shared_with(user, EDITING_ROLES).filter(deck_id=card.deck_id).exists()


def group_for_user(user: User, slug: str, need: GroupNeed = "view") -> tuple[StudyGroup, Membership]:
    """The group and the user's membership of it if the user may ``need`` it (table above)."""
    membership = Membership.objects.select_related("group").filter(user=user, group__slug=slug).first()
    if membership is None:
        raise Http404("No such group.")
    if need == "own" and not membership.is_owner:
        raise PermissionDenied("Only the group's owner may do that.")
    return membership.group, membership


def member_of_group(group: StudyGroup, user_id: int) -> Membership:
    """Another member of a group the caller has already been allowed into; 404 if they are not a member."""
    membership = Membership.objects.select_related("user").filter(group=group, user_id=user_id).first()
    if membership is None:
        raise Http404("No such member.")
    return membership


def groups_user_can_share_to(user: User) -> QuerySet[StudyGroup]:
    return StudyGroup.objects.filter(memberships__user=user, memberships__role__in=EDITING_ROLES)
