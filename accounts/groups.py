"""Writes to study groups and memberships: keyword-only, verb-first functions, each one transaction.

Views check the caller's role (cards/access.py) first; these functions keep what must hold for anyone: a group
always has an owner, an invite link works only until it is rotated, disabled or expired, nobody joins twice.
They raise ``GroupError`` with a message fit for the user otherwise.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction

from accounts.models import Membership, StudyGroup, User
from cards.decks import unique_slug  # one slug rule for decks and groups
from cards.models import Edition

Role = Membership.Role


class GroupError(Exception):
    """A change that must not happen, with the reason to show to the user."""


class InviteError(GroupError):
    """An invite link that does not work; ``status`` is the HTTP status to answer with."""

    def __init__(self, message: str, status: int = 404) -> None:
        super().__init__(message)
        self.status = status


def invite_digest(token: str) -> str:
    # The token carries 256 random bits, so a plain SHA-256 is enough: there is nothing to brute-force.
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def create_group(*, owner: User, name: str, description: str = "", edition: Edition | None = None) -> StudyGroup:
    group = StudyGroup.objects.create(
        name=name, description=description, edition=edition, slug=unique_slug(name, StudyGroup)
    )
    Membership.objects.create(group=group, user=owner, role=Role.OWNER)
    return group


@transaction.atomic
def rotate_invite(*, group: StudyGroup, now: datetime, valid_for: timedelta | None = None) -> str:
    """A new invite token for the group (returned once, never stored); the previous link stops working."""
    token = secrets.token_urlsafe(32)
    group.invite_digest = invite_digest(token)
    group.invite_expires_at = now + valid_for if valid_for else None
    group.save(update_fields=["invite_digest", "invite_expires_at"])
    return token


@transaction.atomic
def disable_invite(*, group: StudyGroup) -> None:
    group.invite_digest = ""
    group.invite_expires_at = None
    group.save(update_fields=["invite_digest", "invite_expires_at"])


def group_for_invite(token: str, now: datetime) -> StudyGroup:
    """The group an invite token opens, or ``InviteError``. Lookup is by digest, so timing reveals nothing."""
    if not token or len(token) > 100:
        raise InviteError("This invite link is not valid. Ask the group's owner for a new one.")
    group = StudyGroup.objects.filter(invite_digest=invite_digest(token)).first()
    if group is None:
        raise InviteError("This invite link is not valid. Ask the group's owner for a new one.")
    if group.invite_expires_at is not None and group.invite_expires_at <= now:
        raise InviteError("This invite link has expired. Ask the group's owner for a new one.", status=410)
    return group


@transaction.atomic
def join_group(*, token: str, user: User, now: datetime, share_stats: bool = True) -> Membership:
    """Join the group an invite token opens, as a member; ``GroupError`` if already in it."""
    group = group_for_invite(token, now)
    if Membership.objects.filter(group=group, user=user).exists():
        raise GroupError(f"You are already a member of {group.name}.")
    try:
        with transaction.atomic():
            return Membership.objects.create(group=group, user=user, role=Role.MEMBER, share_stats=share_stats)
    except IntegrityError:  # the same user joining from two tabs at once
        raise GroupError(f"You are already a member of {group.name}.") from None


def _lock_group(group: StudyGroup) -> None:
    """Serialise changes to one group's roles and memberships: taken first by each of them, so that a hand-over
    and a departure (or two hand-overs) run one after the other and each decides on what the other left."""
    StudyGroup.objects.select_for_update().filter(pk=group.pk).values_list("pk", flat=True).first()


def _owner_count(group: StudyGroup) -> int:
    return Membership.objects.filter(group=group, role=Role.OWNER).count()


@transaction.atomic
def leave_group(*, group: StudyGroup, user: User) -> None:
    _lock_group(group)
    membership = Membership.objects.filter(group=group, user=user).first()
    if membership is None:
        raise GroupError("You are not a member of this group.")
    if membership.is_owner and _owner_count(group) == 1:
        raise GroupError("You are the group's only owner: hand ownership to another member first, or delete the group.")
    membership.delete()


@transaction.atomic
def remove_member(*, group: StudyGroup, membership: Membership) -> None:
    _lock_group(group)
    membership = Membership.objects.filter(id=membership.id, group=group).first()
    if membership is None:
        raise GroupError("That person is not a member of this group.")
    if membership.role == Role.OWNER:
        raise GroupError("An owner cannot be removed. Owners leave by handing ownership over.")
    membership.delete()


@transaction.atomic
def change_role(*, group: StudyGroup, membership: Membership, role: str) -> Membership:
    """Make a member an editor or an editor a member; ownership moves only by ``transfer_ownership``."""
    if role not in (Role.EDITOR, Role.MEMBER):
        raise GroupError("A member's role can be editor or member; hand over ownership to make someone the owner.")
    _lock_group(group)
    current = Membership.objects.filter(id=membership.id, group=group).first()
    if current is None:
        raise GroupError("That person is not a member of this group.")
    if current.role == Role.OWNER:  # read under the lock: they may have been made owner a moment ago
        raise GroupError("The owner's role changes only by handing ownership to someone else.")
    membership.role = role
    membership.save(update_fields=["role"])
    return membership


@transaction.atomic
def transfer_ownership(*, group: StudyGroup, from_user: User, to_membership: Membership) -> None:
    """Hand the group to another member; the previous owner stays on as an editor.

    Decided under the group's lock, and checked by what the update changed: if the new owner left a moment
    before, nothing changes and the owner is told, so the group never ends without an owner.
    """
    _lock_group(group)
    current = Membership.objects.filter(group=group, user=from_user, role=Role.OWNER).first()
    if current is None:
        raise GroupError("Only the group's owner can hand it over.")
    if to_membership.group_id != group.id:
        raise GroupError("That person is not a member of this group.")
    if to_membership.id == current.id:
        raise GroupError("You already own this group.")
    if Membership.objects.filter(id=to_membership.id, group=group).update(role=Role.OWNER) != 1:
        raise GroupError("That person has just left the group. Nothing changed: you still own it.")
    current.role = Role.EDITOR
    current.save(update_fields=["role"])


@transaction.atomic
def update_privacy(*, membership: Membership, share_stats: bool, on_leaderboard: bool) -> Membership:
    membership.share_stats = share_stats
    membership.on_leaderboard = on_leaderboard
    membership.save(update_fields=["share_stats", "on_leaderboard"])
    return membership


@transaction.atomic
def delete_group(*, group: StudyGroup) -> None:
    """Delete the group, its memberships and its deck shares; the decks and everyone's history stay."""
    group.delete()
