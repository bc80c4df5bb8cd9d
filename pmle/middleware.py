from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import resolve_url
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django_htmx.http import HttpResponseClientRedirect

# Everything is served from our own origin; no inline scripts (htmx's own inline indicator styles are turned off
# in base.html through htmx-config, so style-src needs no 'unsafe-inline' either).
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)


def content_security_policy(get_response: Callable[[HttpRequest], HttpResponse]):
    def middleware(request: HttpRequest) -> HttpResponse:
        response = get_response(request)
        response.setdefault("Content-Security-Policy", CSP)
        return response

    return middleware


NOT_SAVED = "Your session had expired, so your last {what} was not saved. Log in, and you are back where you were."


def _page_to_return_to(request: HttpRequest) -> str | None:
    """The page the learner was on: htmx's HX-Current-URL, else the Referer; only a path on this site."""
    for header in ("HTTP_HX_CURRENT_URL", "HTTP_REFERER"):
        url = request.META.get(header, "")
        if url and url_has_allowed_host_and_scheme(url, {request.get_host()}, request.is_secure()):
            parts = urlsplit(url)
            return parts.path + (f"?{parts.query}" if parts.query else "")
    return None


def expired_session_redirect(get_response: Callable[[HttpRequest], HttpResponse]):
    """When a request needs a login it no longer has, send the learner to log in and back to their page.

    ``login_required`` alone answers with a redirect to the login page whose ``next`` is the URL requested: htmx
    follows it and swaps the login page into the card panel, and after logging in a POST-only URL answers 405. So
    an HTMX request gets ``HX-Redirect`` (the whole page goes to the login page), a POST of either kind comes back
    to the page it was sent from, and the learner is told that what they sent was not saved.
    """

    def middleware(request: HttpRequest) -> HttpResponse:
        response = get_response(request)
        login_url = resolve_url(settings.LOGIN_URL)
        if response.status_code != 302 or request.user.is_authenticated:
            return response
        if not response.get("Location", "").startswith(login_url):
            return response
        if request.method == "GET" and not request.htmx:
            return response  # the ordinary case: next is the page asked for, which works after logging in
        page = _page_to_return_to(request)
        if page is None and request.method == "GET":
            page = request.get_full_path()
        target = f"{login_url}?{urlencode({'next': page})}" if page else login_url
        if request.method != "GET":
            what = "grade" if "grade" in request.path else "change"
            messages.warning(request, NOT_SAVED.format(what=what))
        if request.htmx:
            return HttpResponseClientRedirect(target)
        response["Location"] = target
        return response

    return middleware
