"""Who sees what: every URL that shows or changes a group, a deck, a card or a member, against the whole cast.

Anonymous visitors are sent to log in; outsiders get 404 (they learn nothing about what exists); members get 403
for what only editors or owners may do. A refused request changes nothing in the database.
"""

from __future__ import annotations

import operator
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from accounts.groups import rotate_invite
from accounts.models import Membership, StudyGroup
from cards.models import Card, Deck, DeckShare, Progress, Review
from tests.factories import (
    CardFactory,
    DeckFactory,
    DeckShareFactory,
    MembershipFactory,
    StudyGroupFactory,
    UserFactory,
)

ROLES = ("anonymous", "outsider", "member", "editor", "owner")
LOGIN = "login"  # expected: a redirect to the login page
NOON = datetime(2026, 6, 10, 12, 0, tzinfo=UTC)


@dataclass
class World:
    users: dict[str, Any]
    group: StudyGroup
    other_group: StudyGroup
    deck: Deck
    private_deck: Deck
    public_deck: Deck
    card: Card
    target: Any  # a plain member the owner can act on
    token: str


@pytest.fixture
def world(db) -> World:
    owner, editor, member = (
        UserFactory(username="owner"),
        UserFactory(username="editor"),
        UserFactory(username="member"),
    )
    outsider, target = UserFactory(username="outsider"), UserFactory(username="target")
    group = StudyGroupFactory(name="Team", slug="team")
    for user, role in ((owner, "owner"), (editor, "editor"), (member, "member"), (target, "member")):
        MembershipFactory(group=group, user=user, role=role)
    other_group = StudyGroupFactory(name="Other team", slug="other-team")
    MembershipFactory(group=other_group, user=owner, role="owner")
    deck = DeckFactory(slug="team-deck", title="Team deck", owner=owner)
    DeckShareFactory(deck=deck, group=group)
    card = CardFactory(deck=deck, position=0)
    CardFactory(deck=deck, position=1)
    private_deck = DeckFactory(slug="private-deck", owner=owner)
    CardFactory(deck=private_deck)
    public_deck = DeckFactory(slug="public-deck", owner=owner, is_public=True)
    CardFactory(deck=public_deck)
    token = rotate_invite(group=group, now=timezone.now())
    users = {"owner": owner, "editor": editor, "member": member, "outsider": outsider}
    return World(users, group, other_group, deck, private_deck, public_deck, card, target, token)


def row(url: str, *args, method: str = "get", data: dict | None = None, expect: tuple) -> tuple:
    return (url, args, method, data or {}, dict(zip(ROLES, expect, strict=True)))


L = LOGIN
# (url name, args as World attribute paths, method, data, expected status for anonymous/outsider/member/editor/owner)
MATRIX = [
    # Decks
    row("deck_list", expect=(L, 200, 200, 200, 200)),
    row("deck_create", expect=(L, 200, 200, 200, 200)),
    row("deck_create", method="post", data={"title": "New deck"}, expect=(L, 302, 302, 302, 302)),
    row("card_preview", method="post", data={"front": "**x**"}, expect=(L, 200, 200, 200, 200)),
    row("deck_detail", "deck.slug", expect=(L, 404, 200, 200, 200)),
    row("deck_detail", "private_deck.slug", expect=(L, 404, 404, 404, 200)),
    row("deck_detail", "public_deck.slug", expect=(L, 200, 200, 200, 200)),
    row("deck_edit", "deck.slug", expect=(L, 404, 403, 403, 200)),
    row("deck_edit", "deck.slug", method="post", data={"title": "Renamed"}, expect=(L, 404, 403, 403, 302)),
    row("deck_edit", "public_deck.slug", expect=(L, 403, 403, 403, 200)),
    row("deck_clone", "deck.slug", method="post", expect=(L, 404, 302, 302, 302)),
    row("deck_clone", "private_deck.slug", method="post", expect=(L, 404, 404, 404, 302)),
    row("deck_clone", "public_deck.slug", method="post", expect=(L, 302, 302, 302, 302)),
    row("deck_share", "deck.slug", method="post", data={"group": "other-team"}, expect=(L, 404, 403, 403, 302)),
    row("deck_unshare", "deck.slug", method="post", data={"group": "team"}, expect=(L, 404, 403, 403, 302)),
    row("deck_review", "deck.slug", expect=(L, 404, 200, 200, 200)),
    row("deck_review", "private_deck.slug", expect=(L, 404, 404, 404, 200)),
    row("deck_review", "public_deck.slug", expect=(L, 403, 403, 403, 200)),
    row(
        "deck_grade",
        "deck.slug",
        method="post",
        data={"card": "card.id", "version": 0, "quality": 4},
        expect=(L, 404, 302, 302, 302),
    ),
    row("deck_undo", "deck.slug", method="post", expect=(L, 404, 302, 302, 302)),
    row("deck_study_more", "deck.slug", method="post", data={"count": 3}, expect=(L, 404, 302, 302, 302)),
    row("deck_study_more", "public_deck.slug", method="post", data={"count": 3}, expect=(L, 403, 403, 403, 302)),
    row(
        "deck_card_action",
        "deck.slug",
        method="post",
        data={"card": "card.id", "version": 0, "action": "bury"},
        expect=(L, 404, 302, 302, 302),
    ),
    # Cards
    row("deck_export_json", "deck.slug", expect=(L, 404, 200, 200, 200)),
    row("deck_export_json", "private_deck.slug", expect=(L, 404, 404, 404, 200)),
    row("deck_export_csv", "deck.slug", expect=(L, 404, 200, 200, 200)),
    row("deck_export_csv", "public_deck.slug", expect=(L, 200, 200, 200, 200)),
    row("deck_export_apkg", "private_deck.slug", expect=(L, 404, 404, 404, 200)),
    row("image_upload", "deck.slug", method="post", expect=(L, 404, 403, 400, 400)),  # no file: said so
    row("deck_import", "deck.slug", expect=(L, 404, 403, 200, 200)),
    row("deck_import", "private_deck.slug", expect=(L, 404, 404, 404, 200)),
    row("deck_import", "deck.slug", method="post", expect=(L, 404, 403, 400, 400)),  # no file: the form says so
    row("deck_import_confirm", "deck.slug", method="post", expect=(L, 404, 403, 302, 302)),  # nothing pending
    row("card_create", "deck.slug", expect=(L, 404, 403, 200, 200)),
    row("card_create", "deck.slug", method="post", data={"front": "Q?", "back": "A."}, expect=(L, 404, 403, 302, 302)),
    row("card_create", "public_deck.slug", expect=(L, 403, 403, 403, 200)),
    row("card_edit", "deck.slug", "card.id", expect=(L, 404, 403, 200, 200)),
    row(
        "card_edit",
        "deck.slug",
        "card.id",
        method="post",
        data={"front": "New?", "back": "New."},
        expect=(L, 404, 403, 302, 302),
    ),
    row("card_move", "deck.slug", "card.id", method="post", data={"direction": "down"}, expect=(L, 404, 403, 302, 302)),
    row("card_retire", "deck.slug", "card.id", expect=(L, 404, 403, 200, 200)),  # the confirmation without JS
    row("card_retire", "deck.slug", "card.id", method="post", expect=(L, 404, 403, 302, 302)),
    row("card_restore", "deck.slug", "card.id", method="post", expect=(L, 404, 403, 400, 400)),  # not retired
    # Deleting a deck: only its owner knows the page exists; a deck a group shares is refused (400).
    row("deck_delete", "deck.slug", expect=(L, 404, 404, 404, 200)),
    row("deck_delete", "deck.slug", method="post", expect=(L, 404, 404, 404, 400)),
    row("deck_delete", "public_deck.slug", expect=(L, 404, 404, 404, 200)),
    row("deck_delete", "private_deck.slug", method="post", expect=(L, 404, 404, 404, 302)),
    row("card_suspend", "deck.slug", "card.id", method="post", expect=(L, 404, 302, 302, 302)),
    row("card_unsuspend", "deck.slug", "card.id", method="post", expect=(L, 404, 302, 302, 302)),
    # Groups
    row("group_list", expect=(L, 200, 200, 200, 200)),
    row("group_create", expect=(L, 200, 200, 200, 200)),
    row("group_create", method="post", data={"name": "Study buddies"}, expect=(L, 302, 302, 302, 302)),
    row("group_detail", "group.slug", expect=(L, 404, 200, 200, 200)),
    row("group_edit", "group.slug", expect=(L, 404, 403, 403, 200)),
    row("group_edit", "group.slug", method="post", data={"name": "Renamed"}, expect=(L, 404, 403, 403, 302)),
    row("group_delete", "group.slug", method="post", data={"confirm": "Team"}, expect=(L, 404, 403, 403, 302)),
    row("group_invite", "group.slug", method="post", data={"valid_for": "7"}, expect=(L, 404, 403, 403, 302)),
    row("group_invite_disable", "group.slug", method="post", expect=(L, 404, 403, 403, 302)),
    row("group_transfer", "group.slug", method="post", data={"user": "target.id"}, expect=(L, 404, 403, 403, 302)),
    row("group_leave", "group.slug", method="post", expect=(L, 404, 302, 302, 400)),
    row("group_privacy", "group.slug", method="post", data={"share_stats": "on"}, expect=(L, 404, 302, 302, 302)),
    # Members
    row(
        "member_role", "group.slug", "target.id", method="post", data={"role": "editor"}, expect=(L, 404, 403, 403, 302)
    ),
    row("member_remove", "group.slug", "target.id", method="post", expect=(L, 404, 403, 403, 302)),
    # Invites: the link itself is the secret, so anyone signed in who holds it may use it.
    row("group_join", "token", expect=(L, 200, 200, 200, 200)),
    row("group_join", "token", method="post", expect=(L, 302, 302, 302, 302)),
]


def _resolve(world: World, value: Any) -> Any:
    """'deck.slug' -> world.deck.slug; other values pass through."""
    if not isinstance(value, str) or value.split(".")[0] not in World.__dataclass_fields__:
        return value
    obj: Any = world
    for part in value.split("."):
        obj = getattr(obj, part)
    return obj


def _fingerprint() -> tuple:
    """Everything these URLs can change, so that a refused request can be shown to have changed nothing."""
    return (
        list(StudyGroup.objects.order_by("id").values_list("id", "name", "invite_digest", "invite_expires_at")),
        list(Membership.objects.order_by("id").values_list("id", "role", "share_stats", "on_leaderboard")),
        list(Deck.objects.order_by("id").values_list("id", "title", "is_public")),
        list(DeckShare.objects.order_by("id").values_list("deck_id", "group_id")),
        list(Card.objects.order_by("id").values_list("id", "front", "position", "retired")),
        list(Progress.objects.order_by("id").values_list("id", "suspended", "version")),
        Review.objects.count(),
    )


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOON, tick=False):
        yield


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(
    ("name", "args", "method", "data", "expected"), MATRIX, ids=[f"{r[2]}-{r[0]}-{'-'.join(r[1])}" for r in MATRIX]
)
def test_permission_matrix(client, world, role, name, args, method, data, expected) -> None:
    if role != "anonymous":
        client.force_login(world.users[role])
    url = reverse(name, args=[_resolve(world, a) for a in args])
    before = _fingerprint()
    response = getattr(client, method)(url, {k: _resolve(world, v) for k, v in data.items()})
    want = expected[role]
    if want == LOGIN:
        assert response.status_code == 302
        assert response.url.startswith(reverse("login"))
        assert _fingerprint() == before
        return
    assert response.status_code == want, response.content.decode()[:500]
    if want >= 400:
        assert _fingerprint() == before
    if want == 302:
        assert not response.url.startswith(reverse("login"))


def test_the_matrix_covers_every_url_of_decks_and_groups() -> None:
    from accounts import group_urls
    from cards import deck_urls

    names = {p.name for p in deck_urls.urlpatterns} | {p.name for p in group_urls.urlpatterns}
    assert names == {r[0] for r in MATRIX}


def test_an_outsider_sees_the_same_404_for_a_group_that_does_not_exist(client, world) -> None:
    client.force_login(world.users["outsider"])
    real = client.get(reverse("group_detail", args=["team"]))
    missing = client.get(reverse("group_detail", args=["no-such-team"]))
    assert real.status_code == missing.status_code == 404
    assert _without_csrf(real.content) == _without_csrf(missing.content)


def _without_csrf(html: bytes) -> bytes:
    html = re.sub(rb'"X-CSRFToken": "[^"]+"', b"", html)
    return re.sub(rb'name="csrfmiddlewaretoken" value="[^"]+"', b"", html)


@pytest.mark.parametrize(
    ("role", "need", "outcome"),
    [
        ("outsider", "view", "404"),
        ("member", "view", "ok"),
        ("member", "own", "403"),
        ("editor", "own", "403"),
        ("owner", "own", "ok"),
    ],
)
def test_group_for_user_follows_the_table(world, role, need, outcome) -> None:
    from django.core.exceptions import PermissionDenied
    from django.http import Http404

    from cards.access import group_for_user

    raised = {"404": Http404, "403": PermissionDenied}
    if outcome == "ok":
        group, membership = group_for_user(world.users[role], "team", need)
        assert (group, membership.user) == (world.group, world.users[role])
    else:
        with pytest.raises(raised[outcome]):
            group_for_user(world.users[role], "team", need)


@pytest.mark.parametrize(
    ("role", "name", "args", "message"),
    [
        ("member", "deck_review", ["public_deck.slug"], "This is someone else's public deck: clone it to study it."),
        (
            "member",
            "card_edit",
            ["deck.slug", "card.id"],
            "Only the deck's owner and the editors of a group it is shared with may change it.",
        ),
        ("editor", "deck_edit", ["deck.slug"], "Only the deck's owner may do that."),
        ("editor", "group_edit", ["group.slug"], "Only the group's owner may do that."),
    ],
)
def test_a_403_says_who_may_do_it(client, world, role, name, args, message) -> None:
    """The 403 page shows the access rule's own sentence, so a learner knows why and whom to ask."""
    client.force_login(world.users[role])
    values = [operator.attrgetter(path)(world) for path in args]
    response = client.get(reverse(name, args=values))
    assert response.status_code == 403
    assert f"<p>{escape(message)}</p>" in response.content.decode()
