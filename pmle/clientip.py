"""The client's address, for login throttling and per-address rate limits."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str:
    """REMOTE_ADDR, or behind a trusted proxy (``DJANGO_BEHIND_PROXY``) the X-Forwarded-For entry that proxy added.

    Entries left of it are written by the client and could be anything, so they are never trusted.
    """
    if settings.BEHIND_PROXY:
        hops = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
        if len(hops) >= settings.PROXY_HOPS:
            return hops[-settings.PROXY_HOPS][:64]
    return request.META.get("REMOTE_ADDR", "")[:64]
