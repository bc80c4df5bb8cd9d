from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.groups import invite_digest, rotate_invite
from accounts.models import Membership, StudyGroup, User
from cards import group_stats
from cards.models import Card, Deck, DeckShare, Progress, Review
from cards.reviews import Scope
from tests.factories import (
    CardFactory,
    ConsiderationFactory,
    DeckFactory,
    DeckShareFactory,
    MembershipFactory,
    ObjectiveFactory,
    SectionFactory,
    StudyGroupFactory,
    UserFactory,
)

NOON = datetime(2026, 6, 10, 12, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOON, tick=False) as traveller:
        yield traveller


@pytest.fixture
def owner(db):
    return UserFactory(username="owner")


@pytest.fixture
def group(owner):
    group = StudyGroupFactory(name="Team", slug="team")
    MembershipFactory(group=group, user=owner, role="owner")
    return group


def join(group: StudyGroup, username: str, role: str = "member", **choices) -> User:
    return MembershipFactory(group=group, user=UserFactory(username=username), role=role, **choices).user


def role_of(group: StudyGroup, user: User) -> str | None:
    return Membership.objects.filter(group=group, user=user).values_list("role", flat=True).first()


# Creating and editing -------------------------------------------------------------------------------------------


def test_creating_a_group_makes_the_creator_its_owner(owner, client):
    client.force_login(owner)
    response = client.post(reverse("group_create"), {"name": "ML study club", "description": "Tuesdays."})
    group = StudyGroup.objects.get()
    assert response.url == reverse("group_detail", args=[group.slug])
    assert group.slug.startswith("ml-study-club-")
    assert role_of(group, owner) == "owner"
    assert client.get(reverse("group_list")).context["memberships"][0].member_count == 1


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"name": "x" * 101}, "at most 100 characters"),
        ({"name": ""}, "required"),
        ({"name": "ok", "description": "x" * 2001}, "at most 2000"),
    ],
)
def test_bad_group_forms_get_a_400_and_change_nothing(owner, group, client, data, message):
    client.force_login(owner)
    for url in (reverse("group_create"), reverse("group_edit", args=["team"])):
        response = client.post(url, data)
        assert response.status_code == 400
        assert message in response.content.decode()
    assert list(StudyGroup.objects.values_list("name", flat=True)) == ["Team"]


def test_deleting_needs_the_groups_name_and_keeps_the_decks(owner, group, client):
    deck = DeckFactory(owner=owner)
    DeckShareFactory(deck=deck, group=group)
    client.force_login(owner)
    response = client.post(reverse("group_delete", args=["team"]), {"confirm": "team"})
    assert response.status_code == 400
    assert "type its name exactly" in response.content.decode()
    assert StudyGroup.objects.exists()
    response = client.post(reverse("group_delete", args=["team"]), {"confirm": "Team"})
    assert response.url == reverse("group_list")
    assert not StudyGroup.objects.exists() and not DeckShare.objects.exists()
    assert Deck.objects.filter(id=deck.id).exists()


# Invites --------------------------------------------------------------------------------------------------------


def test_the_owner_creates_an_invite_link_shown_once_and_only_its_digest_is_stored(owner, group, client):
    client.force_login(owner)
    response = client.post(reverse("group_invite", args=["team"]), {"valid_for": "7"})
    assert response.url == reverse("group_detail", args=["team"])
    page = client.get(response.url)
    link = page.context["new_invite_link"]
    token = link.rstrip("/").rsplit("/", 1)[1]
    assert link == f"http://testserver/groups/join/{token}/"
    assert len(token) >= 43  # 32 random bytes
    group.refresh_from_db()
    assert group.invite_digest == invite_digest(token) and token not in group.invite_digest
    assert group.invite_expires_at == NOON + timedelta(days=7)
    assert link in page.content.decode()
    assert client.get(response.url).context["new_invite_link"] is None  # shown once


def test_rotating_the_link_invalidates_the_old_one(owner, group, client):
    old = rotate_invite(group=group, now=NOON)
    client.force_login(owner)
    client.post(reverse("group_invite", args=["team"]), {"valid_for": "never"})
    client.force_login(UserFactory(username="newcomer"))
    response = client.get(reverse("group_join", args=[old]))
    assert response.status_code == 404
    assert "not valid" in response.content.decode()
    assert client.post(reverse("group_join", args=[old])).status_code == 404
    assert Membership.objects.filter(group=group).count() == 1


def test_an_expired_link_gets_a_410_with_a_clear_message(owner, group, client, frozen):
    token = rotate_invite(group=group, now=NOON, valid_for=timedelta(days=1))
    frozen.move_to(NOON + timedelta(days=1, seconds=1))
    client.force_login(UserFactory(username="late"))
    for response in (client.get(reverse("group_join", args=[token])), client.post(reverse("group_join", args=[token]))):
        assert response.status_code == 410
        assert "has expired" in response.content.decode()
    assert Membership.objects.filter(group=group).count() == 1


@pytest.mark.parametrize("token", ["nonsense", "x" * 101, "-"])
def test_an_invalid_token_gets_a_404_with_a_clear_message(owner, group, client, token):
    rotate_invite(group=group, now=NOON)
    client.force_login(UserFactory(username="guess"))
    response = client.post(reverse("group_join", args=[token]))
    assert response.status_code == 404
    assert "This invite link is not valid" in response.content.decode()
    assert Membership.objects.filter(group=group).count() == 1


def test_a_disabled_link_no_longer_works(owner, group, client):
    token = rotate_invite(group=group, now=NOON)
    client.force_login(owner)
    client.post(reverse("group_invite_disable", args=["team"]))
    client.force_login(UserFactory(username="newcomer"))
    assert client.get(reverse("group_join", args=[token])).status_code == 404


def test_a_new_person_signs_up_through_the_link_and_lands_in_the_group(owner, group, client):
    token = rotate_invite(group=group, now=NOON)
    join_url = reverse("group_join", args=[token])
    response = client.get(join_url)
    assert response.url == f"{reverse('login')}?next={join_url}"
    login_page = client.get(response.url).content.decode()
    assert f"{reverse('signup')}?next={join_url}" in login_page.replace("%2F", "/")
    response = client.post(
        reverse("signup"),
        {
            "username": "newcomer",
            "email": "n@example.com",
            "password1": "a long pass phrase",
            "password2": "a long pass phrase",
            "next": join_url,
        },
    )
    assert response.url == join_url
    page = client.get(join_url)
    assert page.status_code == 200 and "Join Team" in page.content.decode()
    assert not Membership.objects.filter(user__username="newcomer").exists()  # a GET joins nobody
    response = client.post(join_url, {"share_stats": "on"})
    assert response.url == reverse("group_detail", args=["team"])
    membership = Membership.objects.get(user__username="newcomer")
    assert (membership.group, membership.role, membership.share_stats) == (group, "member", True)


def test_joining_twice_changes_nothing(owner, group, client):
    token = rotate_invite(group=group, now=NOON)
    member = join(group, "member")
    client.force_login(member)
    assert "already a member" in client.get(reverse("group_join", args=[token])).content.decode()
    response = client.post(reverse("group_join", args=[token]))
    assert response.url == reverse("group_detail", args=["team"])
    assert "already a member" in client.get(response.url).content.decode()
    assert Membership.objects.filter(group=group, user=member).count() == 1


def test_joining_without_the_checkbox_keeps_ones_figures_private(owner, group, client):
    token = rotate_invite(group=group, now=NOON)
    client.force_login(UserFactory(username="shy"))
    client.post(reverse("group_join", args=[token]))
    assert not Membership.objects.get(user__username="shy").share_stats


# Leaving, removing, roles, handing over --------------------------------------------------------------------------


def test_a_member_leaves_and_the_groups_decks_leave_their_queue(owner, group, client):
    member = join(group, "member")
    deck = DeckFactory(owner=owner)
    CardFactory(deck=deck)
    DeckShareFactory(deck=deck, group=group)
    assert Scope().cards(member).filter(deck=deck).exists()
    client.force_login(member)
    response = client.post(reverse("group_leave", args=["team"]))
    assert response.url == reverse("group_list")
    assert role_of(group, member) is None
    assert not Scope().cards(member).filter(deck=deck).exists()


def test_the_last_owner_cannot_leave_without_handing_over(owner, group, client):
    member = join(group, "member")
    client.force_login(owner)
    response = client.post(reverse("group_leave", args=["team"]))
    assert response.status_code == 400
    assert "only owner" in response.content.decode()
    assert role_of(group, owner) == "owner"
    response = client.post(reverse("group_transfer", args=["team"]), {"user": member.id})
    assert response.url == reverse("group_detail", args=["team"])
    assert (role_of(group, member), role_of(group, owner)) == ("owner", "editor")
    assert client.post(reverse("group_leave", args=["team"])).status_code == 302
    assert role_of(group, owner) is None


@pytest.mark.parametrize(
    ("data", "message"),
    [({"user": "999999"}, "Only a member"), ({"user": "x"}, "Choose the member"), ({}, "Choose the member")],
)
def test_handing_over_to_a_non_member_gets_a_400(owner, group, client, data, message):
    client.force_login(owner)
    response = client.post(reverse("group_transfer", args=["team"]), data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert role_of(group, owner) == "owner"


def test_handing_over_to_oneself_gets_a_400(owner, group, client):
    client.force_login(owner)
    response = client.post(reverse("group_transfer", args=["team"]), {"user": owner.id})
    assert response.status_code == 400
    assert "already own" in response.content.decode()


def test_the_owner_removes_a_member_but_cannot_remove_an_owner(owner, group, client):
    member = join(group, "member")
    co_owner = join(group, "co", role="owner")
    outsider = UserFactory(username="outsider")
    client.force_login(owner)
    response = client.post(reverse("member_remove", args=["team", co_owner.id]))
    assert response.status_code == 400
    assert "An owner cannot be removed" in response.content.decode()
    assert client.post(reverse("member_remove", args=["team", owner.id])).status_code == 400
    assert client.post(reverse("member_remove", args=["team", outsider.id])).status_code == 404
    assert client.post(reverse("member_remove", args=["team", member.id])).status_code == 302
    assert [role_of(group, u) for u in (owner, co_owner, member)] == ["owner", "owner", None]


def test_making_a_member_an_editor_lets_them_edit_the_groups_decks(owner, group, client):
    member = join(group, "member")
    deck = DeckFactory(owner=owner, slug="shared")
    DeckShareFactory(deck=deck, group=group)
    client.force_login(member)
    assert client.get(reverse("card_create", args=["shared"])).status_code == 403
    client.force_login(owner)
    client.post(reverse("member_role", args=["team", member.id]), {"role": "editor"})
    client.force_login(member)
    assert client.post(reverse("card_create", args=["shared"]), {"front": "F", "back": "B"}).status_code == 302
    assert Card.objects.filter(deck=deck).count() == 1


@pytest.mark.parametrize("role", ["owner", "admin", ""])
def test_a_role_other_than_editor_or_member_gets_a_400(owner, group, client, role):
    member = join(group, "member")
    client.force_login(owner)
    response = client.post(reverse("member_role", args=["team", member.id]), {"role": role})
    assert response.status_code == 400
    assert role_of(group, member) == "member"


def test_the_owners_own_role_is_not_changed_by_the_role_form(owner, group, client):
    client.force_login(owner)
    response = client.post(reverse("member_role", args=["team", owner.id]), {"role": "member"})
    assert response.status_code == 400
    assert "handing ownership" in response.content.decode()
    assert role_of(group, owner) == "owner"


def test_one_membership_per_user_and_group_and_valid_roles_hold_in_the_database(owner, group):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        Membership.objects.create(group=group, user=owner, role="member")
    with pytest.raises(IntegrityError), transaction.atomic():
        Membership.objects.create(group=group, user=UserFactory(), role="admin")


# The dashboard --------------------------------------------------------------------------------------------------


def review(user: User, card: Card, at: datetime, grade: int = 4, kind: str = "scheduled", undone: bool = False):
    return Review.objects.create(
        user=user,
        card=card,
        reviewed_at=at,
        study_day=at.date(),
        grade=grade,
        kind=kind,
        undone_at=at if undone else None,
        before_repetitions=1,
        before_easiness=2.5,
        before_interval=1,
        before_lapses=0,
        before_review_count=1,
        after_repetitions=2,
        after_easiness=2.5,
        after_interval=6,
    )


def progress(user: User, card: Card, *, interval: int, due: date | None, suspended: bool = False) -> Progress:
    return Progress.objects.create(user=user, card=card, interval=interval, due=due, suspended=suspended, repetitions=1)


@pytest.fixture
def team(owner, group):
    """Two sections; official cards o1-o4 (section 1) and o5-o6 (section 2); a shared deck with d1 (section 1: it
    counts for due cards and reviews, never for mastery, an exam figure of the official deck) and a card without a
    consideration; bob's unshared personal card b1 (section 1), which the group never counts.

    alice (the owner, UTC) and bob (Kiritimati, UTC+14, rollover 0: already on 11 June) share their figures; carol
    hides hers but is on the leaderboard, as is alice."""
    alice = owner
    Membership.objects.filter(user=alice).update(on_leaderboard=True)
    bob = join(group, "bob")
    User.objects.filter(id=bob.id).update(time_zone="Pacific/Kiritimati", rollover_hour=0)
    carol = join(group, "carol", share_stats=False, on_leaderboard=True)
    s1, s2 = SectionFactory(number=1), SectionFactory(number=2)
    c1 = ConsiderationFactory(objective=ObjectiveFactory(section=s1))
    c2 = ConsiderationFactory(objective=ObjectiveFactory(section=s2))
    official = DeckFactory(owner=None)
    o = [None] + [CardFactory(deck=official, consideration=c1 if n <= 4 else c2) for n in range(1, 7)]
    shared = DeckFactory(owner=alice)
    DeckShareFactory(deck=shared, group=group)
    d1 = CardFactory(deck=shared, consideration=c1)
    loose = CardFactory(deck=shared, consideration=None)
    b1 = CardFactory(deck=DeckFactory(owner=bob), consideration=c1)
    alices_own = CardFactory(deck=DeckFactory(owner=alice), consideration=c1)

    progress(alice, o[1], interval=30, due=date(2026, 6, 20))  # mature, not due
    progress(alice, o[2], interval=21, due=date(2026, 6, 10))  # mature, due today
    progress(alice, o[3], interval=2, due=date(2026, 6, 1), suspended=True)  # suspended: never due
    progress(alice, o[4], interval=1, due=date(2026, 6, 11))  # due tomorrow for alice
    progress(alice, o[5], interval=3, due=date(2026, 6, 9))  # due
    progress(alice, loose, interval=40, due=date(2026, 6, 1))  # due; mature but in no section
    progress(bob, o[1], interval=1, due=date(2026, 6, 11))  # due: bob's today is 11 June
    progress(bob, o[4], interval=6, due=date(2026, 6, 12))
    progress(bob, d1, interval=100, due=date(2026, 6, 11))  # due, mature
    progress(bob, o[6], interval=21, due=date(2026, 7, 1))  # mature
    progress(bob, b1, interval=50, due=date(2026, 6, 1))  # not the group's card
    progress(carol, o[1], interval=50, due=date(2026, 6, 1))

    june_9 = datetime(2026, 6, 9, 12, tzinfo=UTC)
    review(alice, o[2], june_9, grade=4)
    review(alice, o[5], june_9, grade=2)
    review(alice, o[1], datetime(2026, 6, 8, 12, tzinfo=UTC), kind="new")
    review(alice, o[1], datetime(2026, 5, 25, 12, tzinfo=UTC), grade=5)  # 16 days ago: retention, not the week
    review(alice, o[1], datetime(2026, 5, 1, 12, tzinfo=UTC), grade=0)  # 40 days ago: nothing
    review(alice, o[4], june_9, grade=0, undone=True)  # undone: nothing
    review(alice, alices_own, june_9, grade=0)  # her personal deck: nothing
    review(bob, o[1], datetime(2026, 6, 10, 11, tzinfo=UTC), grade=5)
    review(bob, b1, june_9, grade=0)  # his personal deck: nothing
    for _ in range(5):
        review(carol, o[1], june_9, grade=3)
    return alice, bob, carol


def figures(row: group_stats.MemberFigures) -> tuple:
    cells = [(c.mastered, c.total, c.percent, c.level) for c in row.mastery]
    return (row.membership.user.username, row.private, row.due, row.reviews_7d, row.retention, cells)


def test_the_dashboard_shows_each_members_figures_by_exam_section(group, team):
    alice, bob, carol = team
    dashboard = group_stats.group_dashboard(group, alice, timezone.now())
    assert [s.number for s in dashboard.sections] == [1, 2]
    assert [figures(row) for row in dashboard.members] == [
        ("owner", False, 3, 3, 67, [(2, 4, 50, 3), (0, 2, 0, 0)]),
        ("bob", False, 2, 1, 100, [(0, 4, 0, 0), (1, 2, 50, 3)]),
        ("carol", True, 0, 0, None, []),
    ]
    assert [(m.user.username, n) for m, n in dashboard.leaderboard] == [("carol", 5), ("owner", 3)]


def test_practice_grades_buy_no_place_on_the_leaderboard_nor_reviews_in_7_days(client, group, team):
    alice, bob, _ = team
    Membership.objects.filter(user=bob).update(on_leaderboard=True)
    card = Card.objects.filter(deck__owner=None).first()
    for _ in range(20):
        review(bob, card, datetime(2026, 6, 10, 10, tzinfo=UTC), grade=5, kind="practice")
    client.force_login(alice)
    dashboard = client.get(reverse("group_detail", args=["team"])).context["dashboard"]
    assert [(m.user.username, n) for m, n in dashboard.leaderboard] == [("carol", 5), ("owner", 3), ("bob", 1)]
    assert dashboard.members[1].reviews_7d == 1


def test_a_hidden_member_sees_their_own_figures(group, team):
    _, _, carol = team
    dashboard = group_stats.group_dashboard(group, carol, timezone.now())
    assert [row.private for row in dashboard.members] == [False, False, False]
    assert figures(dashboard.members[2]) == ("carol", False, 1, 5, 100, [(1, 4, 25, 2), (0, 2, 0, 0)])


def test_the_group_page_renders_the_heatmap_and_private_members(client, group, team):
    alice, _, _ = team
    client.force_login(alice)
    html = client.get(reverse("group_detail", args=["team"])).content.decode()
    assert '<td class="heat heat-3" title="Section 1: 2 of 4 cards mastered">50%</td>' in html
    assert '<td class="heat heat-3" title="Section 2: 1 of 2 cards mastered">50%</td>' in html
    assert '<td colspan="5" class="private">private</td>' in html
    assert "style=" not in html and "<script>" not in html


def test_hiding_ones_figures_and_joining_the_leaderboard_through_the_form(client, group, team):
    _, bob, _ = team
    client.force_login(bob)
    response = client.post(reverse("group_privacy", args=["team"]), {"on_leaderboard": "on"})
    assert response.url == reverse("group_detail", args=["team"])
    membership = Membership.objects.get(group=group, user=bob)
    assert (membership.share_stats, membership.on_leaderboard) == (False, True)
    client.force_login(team[0])
    dashboard = client.get(reverse("group_detail", args=["team"])).context["dashboard"]
    assert dashboard.members[1].private
    assert ("bob", 1) in [(m.user.username, n) for m, n in dashboard.leaderboard]


def test_a_member_without_reviews_and_a_section_without_cards_show_zeros(client, group, team):
    alice, _, _ = team
    SectionFactory(number=3)  # nothing in the group's curriculum files under it yet
    join(group, "dan", on_leaderboard=True)
    dashboard = group_stats.group_dashboard(group, alice, timezone.now())
    dan = dashboard.members[-1]
    assert (dan.reviews_7d, dan.scheduled_30d, dan.passed_30d, dan.retention) == (0, 0, 0, None)
    assert [(m.user.username, n) for m, n in dashboard.leaderboard] == [("carol", 5), ("owner", 3), ("dan", 0)]
    assert [(cell.mastered, cell.total) for cell in dashboard.members[0].mastery][2] == (0, 0)
    client.force_login(alice)
    html = client.get(reverse("group_detail", args=["team"])).content.decode()
    assert '<td class="heat heat-0" title="Section 3: 0 of 0 cards mastered">0%</td>' in html
    dans_row = re.search(r'<tr class="member-row" data-member="dan">(.*?)</tr>', html, flags=re.S).group(1)
    assert '<td class="num week">0</td>' in dans_row
    assert '<li><strong>dan</strong> <span class="muted">0 reviews</span></li>' in html


def test_a_private_member_preparing_for_another_exam_is_still_marked_so(client, group, team):
    from tests.factories import edition_2020

    alice, _, carol = team  # carol hides her figures
    User.objects.filter(id=carol.id).update(exam_edition=edition_2020())
    carols = group_stats.group_dashboard(group, alice, timezone.now()).members[2]
    assert (carols.private, carols.other_edition) == (True, edition_2020())
    client.force_login(alice)
    html = client.get(reverse("group_detail", args=["team"])).content.decode()
    carols_row = re.search(r'<tr class="member-row" data-member="carol">(.*?)</tr>', html, flags=re.S).group(1)
    assert "prepares for the 2020 exam" in carols_row and 'class="private">private</td>' in carols_row


def test_the_curriculum_leaves_out_the_official_deck_of_another_edition(group, team):
    from tests.factories import edition_2020

    alice, bob, _ = team
    old = CardFactory(deck=DeckFactory(owner=None, edition=edition_2020()), consideration=None)
    assert not group_stats.group_curriculum(group).filter(id=old.id).exists()
    progress(bob, old, interval=30, due=date(2026, 6, 11))
    review(bob, old, datetime(2026, 6, 10, 10, tzinfo=UTC), grade=5)
    bobs = group_stats.group_dashboard(group, alice, timezone.now()).members[1]
    assert (bobs.membership.user, bobs.due, bobs.reviews_7d, bobs.scheduled_30d) == (bob, 2, 1, 1)


def _user_ids_read(sql: str, table: str) -> set[int]:
    match = re.search(rf'"{table}"\."user_id" IN \(([^)]*)\)', sql)
    assert match, sql
    return {int(n) for n in match.group(1).split(",")}


def test_the_dashboard_does_not_even_read_private_members_or_outsiders_rows(group, team):
    """The figures are keyed by member, so others' rows would not show; but they are not to be read at all."""
    alice, bob, carol = team  # carol hides her figures but is on the leaderboard: only her reviews are read
    stranger = UserFactory(username="stranger")
    card = Card.objects.filter(deck__owner=None).first()
    progress(stranger, card, interval=30, due=date(2026, 6, 10))
    review(stranger, card, datetime(2026, 6, 9, 12, tzinfo=UTC))
    with CaptureQueriesContext(connection) as ctx:
        group_stats.group_dashboard(group, alice, timezone.now())
    sql = {table: next(q["sql"] for q in ctx.captured_queries if f'FROM "{table}"' in q["sql"]) for table in
           ("cards_progress", "cards_review")}  # fmt: skip
    assert _user_ids_read(sql["cards_progress"], "cards_progress") == {alice.id, bob.id}
    assert _user_ids_read(sql["cards_review"], "cards_review") == {alice.id, bob.id, carol.id}


def _crowd(group: StudyGroup, members: int) -> None:
    """``members`` more members, each with progress and reviews on the group's cards."""
    consideration = ConsiderationFactory()
    deck = DeckFactory(owner=None)
    cards = [CardFactory(deck=deck, consideration=consideration) for _ in range(3)]
    for n in range(members):
        user = join(group, f"crowd{n}", on_leaderboard=n % 2 == 0, share_stats=n % 3 != 0)
        for card in cards:
            progress(user, card, interval=n * 5, due=date(2026, 6, 10) + timedelta(days=n - 2))
            review(user, card, datetime(2026, 6, 9, 12, tzinfo=UTC))


@pytest.mark.parametrize("members", [1, 12])
def test_the_dashboard_takes_five_queries_whatever_the_number_of_members(
    owner, group, members, django_assert_num_queries
):
    _crowd(group, members)
    with django_assert_num_queries(5):  # members, sections, card totals, progress, reviews
        dashboard = group_stats.group_dashboard(group, owner, timezone.now())
    assert len(dashboard.members) == members + 1


@pytest.mark.parametrize("members", [1, 12])
def test_the_group_page_takes_a_fixed_number_of_queries(owner, group, client, members, django_assert_num_queries):
    _crowd(group, members)
    deck = DeckFactory(owner=owner)
    DeckShareFactory(deck=deck, group=group)
    client.force_login(owner)
    # session, user, my membership, the dashboard's five, shared mock exams (none here), the shared decks
    with django_assert_num_queries(10):
        response = client.get(reverse("group_detail", args=["team"]))
    assert response.status_code == 200


# Numbers too large for the database -------------------------------------------------------------------------------


def test_an_id_too_large_for_the_database_is_a_404_in_a_path_and_a_400_in_a_form(owner, group, client):
    member = join(group, "mia")
    client.force_login(owner)
    huge = "9" * 20
    assert client.post(f"/groups/team/members/{huge}/role/", {"role": "editor"}).status_code == 404
    assert client.post(f"/groups/team/members/{huge}/remove/").status_code == 404
    response = client.post(reverse("group_transfer", args=["team"]), {"user": huge})
    assert response.status_code == 400
    assert (role_of(group, owner), role_of(group, member)) == ("owner", "member")


def test_the_dashboard_lists_members_in_the_order_they_joined(owner, group):
    join(group, "late")
    early = join(group, "early")
    Membership.objects.filter(user=early).update(joined_at=NOON - timedelta(days=30))
    Membership.objects.filter(user=owner).update(joined_at=NOON - timedelta(days=10))
    dashboard = group_stats.group_dashboard(group, owner, NOON)
    assert [m.membership.user.username for m in dashboard.members] == ["early", "owner", "late"]


def test_a_member_of_two_groups_gets_the_group_the_address_names(owner, group, client):
    other = StudyGroupFactory(name="Other", slug="other")
    MembershipFactory(group=other, user=owner, role="member")
    client.force_login(owner)
    assert client.get(reverse("group_detail", args=["other"])).context["group"] == other
    assert client.get(reverse("group_detail", args=["team"])).context["group"] == group


def test_a_member_who_may_not_manage_or_own_is_told_why(group, client):
    client.force_login(join(group, "plain"))
    response = client.get(reverse("group_edit", args=["team"]))
    assert response.status_code == 403
    assert "Only the group&#x27;s owner may do that." in response.content.decode()


def test_a_retired_official_card_is_not_in_the_curriculum_nor_in_mastery_totals(group, team):
    alice, _, _ = team
    section = group_stats.group_dashboard(group, alice, timezone.now()).sections[0]
    consideration = ConsiderationFactory(objective=ObjectiveFactory(section=section, position=2))
    retired = CardFactory(deck=DeckFactory(owner=None), consideration=consideration, retired=True)
    assert not group_stats.group_curriculum(group).filter(id=retired.id).exists()
    cells = group_stats.group_dashboard(group, alice, timezone.now()).members[0].mastery
    assert [(cell.mastered, cell.total) for cell in cells] == [(2, 4), (0, 2)]


def test_a_group_without_sections_yet_still_marks_a_member_preparing_for_another_exam(owner, group):
    from tests.factories import edition_2020

    User.objects.filter(id=owner.id).update(exam_edition=edition_2020())
    dashboard = group_stats.group_dashboard(group, owner, NOON)
    assert (dashboard.edition, dashboard.sections) == (None, [])
    assert dashboard.members[0].other_edition == edition_2020()
