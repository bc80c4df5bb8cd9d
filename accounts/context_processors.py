from __future__ import annotations

from urllib.parse import urlsplit

from django.http import HttpRequest
from django.urls import Resolver404, resolve
from django.utils import timezone

from accounts import groups
from accounts.models import StudyGroup
from pmle.nexturl import safe_next


def login_next(request: HttpRequest) -> dict:
    """For a logged-out visitor: where logging in or signing up should lead (``next``, kept only when it stays on
    this site), and the group when that is an invite link, so that the header's links and the login and sign-up
    pages keep the invite and name the group."""
    user = getattr(request, "user", None)
    if user is None or user.is_authenticated:  # no user: refused before authentication ran (a bad Host header)
        return {}
    target = safe_next(request)
    if not target:
        return {"login_next": ""}
    return {"login_next": target, "invited_group": _invited_group(target)}


def _invited_group(target: str) -> StudyGroup | None:
    try:
        match = resolve(urlsplit(target).path)
    except Resolver404:
        return None
    if match.url_name != "group_join":
        return None
    try:
        return groups.group_for_invite(match.kwargs["token"], timezone.now())
    except groups.InviteError:
        return None
