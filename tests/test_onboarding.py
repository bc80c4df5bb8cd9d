"""An invite link opened while logged out: the login and sign-up pages name the group, every way between them keeps
the invite (``next``), and a new member lands on the join page, not home."""

from __future__ import annotations

import html
import re
from datetime import UTC, datetime
from urllib.parse import quote

import pytest
import time_machine
from django.urls import reverse

from accounts.groups import rotate_invite
from tests.factories import MembershipFactory, StudyGroupFactory, UserFactory

NOON = datetime(2026, 6, 10, 12, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOON, tick=False):
        yield


@pytest.fixture
def invite(db) -> str:
    group = StudyGroupFactory(name="Vertex Crew", slug="vertex-crew")
    MembershipFactory(group=group, user=UserFactory(username="organiser"), role="owner")
    return reverse("group_join", args=[rotate_invite(group=group, now=NOON)])


def hrefs(page: str, path: str) -> list[str]:
    """Every link on the page to ``path`` (with its query string), unescaped."""
    return [html.unescape(h) for h in re.findall(rf'href="({re.escape(path)}[^"]*)"', page)]


def with_next(path: str, next_url: str) -> str:
    return f"{path}?next={quote(next_url, safe='/')}"


def test_an_invite_opened_logged_out_lands_on_a_login_page_that_names_the_group(client, invite):
    response = client.get(invite)
    assert response.status_code == 302
    page = client.get(response.url).content.decode()
    assert "Vertex Crew" in page
    assert f'name="next" value="{invite}"' in page


@pytest.mark.parametrize("start", ["login", "signup"])
def test_every_link_between_login_and_sign_up_keeps_the_invite(client, invite, start):
    page = client.get(reverse(start), {"next": invite}).content.decode()
    other = "signup" if start == "login" else "login"
    links = hrefs(page, reverse(other))
    assert links, f"no link to {other}"
    for link in links:  # the header's and the page's own
        assert link == with_next(reverse(other), invite)


def test_the_sign_up_page_names_the_group_and_sends_the_new_member_to_the_join_page(client, invite):
    page = client.get(reverse("signup"), {"next": invite}).content.decode()
    assert "Vertex Crew" in page
    assert f'name="next" value="{invite}"' in page
    response = client.post(
        reverse("signup"),
        {
            "username": "newcomer",
            "email": "n@example.com",
            "password1": "a long pass phrase",
            "password2": "a long pass phrase",
            "next": invite,
        },
    )
    assert response.url == invite
    assert "Join Vertex Crew" in client.get(invite).content.decode()


@pytest.mark.parametrize("start", ["login", "signup"])
@pytest.mark.parametrize("bad", ["https://evil.example/", "//evil.example/x", "javascript:alert(1)"])
def test_a_next_to_another_site_is_dropped_from_the_links(client, db, start, bad):
    response = client.get(reverse(start), {"next": bad})
    assert response.status_code == 200
    page = response.content.decode()
    assert "evil.example" not in page and "javascript:" not in page
    other = "signup" if start == "login" else "login"
    assert all(link == reverse(other) for link in hrefs(page, reverse(other)))


@pytest.mark.parametrize("start", ["login", "signup"])
def test_a_dead_or_unknown_invite_in_next_names_no_group(client, db, start):
    for next_url in ["/groups/join/not-a-token/", "/groups/join/" + "x" * 300 + "/", "/decks/", "/no/such/page/"]:
        response = client.get(reverse(start), {"next": next_url})
        assert response.status_code == 200
        assert 'class="invited"' not in response.content.decode()
