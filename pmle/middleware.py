from __future__ import annotations

from collections.abc import Callable
from urllib.parse import unquote_to_bytes, urlsplit

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.middleware import get_user
from django.core.exceptions import RequestDataTooBig
from django.core.files.uploadhandler import FileUploadHandler
from django.http import HttpRequest, HttpResponse
from django.shortcuts import resolve_url
from django.utils.cache import patch_cache_control, patch_vary_headers
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


def health_check(get_response: Callable[[HttpRequest], HttpResponse]):
    """Answer ``GET /healthz`` before the rest of the stack: a load balancer's probe needs no session, user, CSRF or
    messages, often names the server by its IP (a host ALLOWED_HOSTS refuses) and speaks plain HTTP behind the
    proxy (which SECURE_SSL_REDIRECT would redirect)."""
    from cards.views import healthz

    def middleware(request: HttpRequest) -> HttpResponse:
        if request.path_info == "/healthz" and request.method == "GET":
            response = healthz(request)
            response["Cache-Control"] = "no-store"
            response["X-Content-Type-Options"] = "nosniff"
            return response
        return get_response(request)

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
        if response.status_code != 302 or request.user.is_authenticated:
            return response
        login_url = resolve_url(settings.LOGIN_URL)
        if not response.get("Location", "").startswith(f"{login_url}?next="):
            return response  # not login_required's redirect (logging out also ends on the login page)
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


MAX_REQUEST_BYTES = 5 * 1024 * 1024  # the largest request body the site accepts: a card is a few kilobytes


def bounded_request_body(get_response: Callable[[HttpRequest], HttpResponse]):
    """Refuse bodies over 5 MB before anything reads them (413), and form data that is not UTF-8 (400).

    Django reads multipart file parts to disk whatever their size and decodes form data with replacement
    characters; text that was not UTF-8 would be stored as U+FFFD. Files (deck imports) are bytes: their
    encoding is the importer's business.
    """

    def middleware(request: HttpRequest) -> HttpResponse:
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return HttpResponse("Bad Content-Length.", status=400, content_type="text/plain")
        if length > MAX_REQUEST_BYTES:
            return HttpResponse("That request is too large (at most 5 MB).", status=413, content_type="text/plain")
        if not _is_utf8(request):
            return HttpResponse("The request is not valid UTF-8.", status=400, content_type="text/plain")
        return get_response(request)

    return middleware


def _is_utf8(request: HttpRequest) -> bool:
    try:
        unquote_to_bytes(request.META.get("QUERY_STRING", "").replace("+", " ")).decode("utf-8")
        if request.method in {"POST", "PUT", "PATCH"}:
            content_type = request.META.get("CONTENT_TYPE", "")
            if content_type.startswith("application/x-www-form-urlencoded"):
                unquote_to_bytes(request.body.replace(b"+", b" ")).decode("utf-8")
            elif content_type.startswith("multipart/form-data"):
                # The multipart parser has already replaced bad bytes; a replacement character in a field means
                # the browser sent something that was not UTF-8 (no form here has reason to contain one).
                return not any("\ufffd" in value for values in request.POST.lists() for value in values[1])
    except UnicodeDecodeError:
        return False
    return True


class BoundedUploadHandler(FileUploadHandler):
    """Counts the bytes of every file part of a request and stops at 5 MB, whatever Content-Length said
    (a chunked body has none)."""

    def __init__(self, request: HttpRequest | None = None) -> None:
        super().__init__(request)
        self.total = 0

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes:
        self.total += len(raw_data)
        if self.total > MAX_REQUEST_BYTES:
            raise RequestDataTooBig("A file part exceeded 5 MB.")
        return raw_data

    def file_complete(self, file_size: int) -> None:
        return None


def resolved_user(get_response: Callable[[HttpRequest], HttpResponse]):
    """``request.user`` as the user itself rather than the lazy stand-in AuthenticationMiddleware leaves: every
    request reads it anyway (``private_pages`` after the view, when no one did before), and each attribute read
    through the stand-in costs three Python calls, about 55 times on a review page. The same cached lookup
    (``django.contrib.auth.middleware.get_user``): no query is added, none is moved out of the request."""

    def middleware(request: HttpRequest) -> HttpResponse:
        request.user = get_user(request)
        return get_response(request)

    return middleware


def private_pages(get_response: Callable[[HttpRequest], HttpResponse]):
    """A signed-in learner's pages are theirs: no shared cache may keep them. A URL that answers HTMX with a
    fragment and browsers with the page says so (Vary: HX-Request), so no cache hands one for the other."""

    def middleware(request: HttpRequest) -> HttpResponse:
        response = get_response(request)
        if getattr(request, "user", None) is not None and request.user.is_authenticated:
            patch_cache_control(response, private=True)
        if response.get("Content-Type", "").startswith("text/html"):
            patch_vary_headers(response, ["HX-Request"])
        return response

    return middleware


def method_not_allowed_page(get_response: Callable[[HttpRequest], HttpResponse]):
    """A GET on a POST-only address (a bookmarked /accounts/logout/) shows the app's page, not a blank 405."""
    from django.template.loader import render_to_string

    def middleware(request: HttpRequest) -> HttpResponse:
        response = get_response(request)
        if response.status_code == 405 and not response.content and not getattr(request, "htmx", False):
            response.content = render_to_string("405.html", request=request)
            response["Content-Type"] = "text/html; charset=utf-8"
        return response

    return middleware


def debug_not_found_page(get_response: Callable[[HttpRequest], HttpResponse]):
    """Under ``DJANGO_DEBUG=1`` (``make run``) Django answers a 404 with its technical page, whose inline styles the
    Content-Security-Policy blocks: a bare, unstyled list of URL patterns. Show the app's own 404 page instead, as
    production does. Without debug this does nothing (Django already renders templates/404.html)."""
    from django.http import Http404, HttpResponseNotFound
    from django.template.loader import render_to_string
    from django.urls import Resolver404, resolve

    def not_found(request: HttpRequest) -> HttpResponse:
        return HttpResponseNotFound(render_to_string("404.html", request=request))

    def middleware(request: HttpRequest) -> HttpResponse:
        if settings.DEBUG:
            try:
                resolve(request.path_info, getattr(request, "urlconf", None))
            except Resolver404:
                return not_found(request)  # CommonMiddleware, outside this one, still adds a missing slash
        return get_response(request)

    def process_exception(request: HttpRequest, exception: Exception) -> HttpResponse | None:
        return not_found(request) if settings.DEBUG and isinstance(exception, Http404) else None

    middleware.process_exception = process_exception
    return middleware
