from __future__ import annotations

import functools

from django.core.signals import setting_changed
from django.dispatch import receiver
from django.http import HttpRequest
from django.templatetags.static import static
from django.urls import get_script_prefix, reverse
from django_htmx.jinja import htmx_script

# The header's links, on every page (templates/base.html).
NAV = (
    "home",
    "review",
    "deck_list",
    "card_browser",
    "exams_home",
    "leeches",
    "group_list",
    "preferences",
    "logout",
    "login",
    "signup",
)


@functools.cache
def _nav(script_prefix: str) -> dict[str, str]:
    return {name: reverse(name) for name in NAV}


def nav(request: HttpRequest) -> dict:
    """The header's links, reversed once per process (and URL prefix, which ``reverse`` reads): as a dozen
    ``{% url %}`` tags on every page they cost about a twentieth of a review page's time."""
    return {"nav": _nav(get_script_prefix())}


# The files every page loads (templates/base.html).
ASSETS = {"css": "css/app.css", "icon": "img/icon.svg", "js": "js/app.js"}


@functools.cache
def _assets() -> dict[str, str]:
    urls = {name: static(path) for name, path in ASSETS.items()}
    urls["htmx"] = htmx_script()  # django-htmx's script tag: htmx, and its debugging helper with DEBUG on
    return urls


def assets(request: HttpRequest) -> dict:
    """The URLs of the style sheet, the scripts and the icon, worked out once per process: as four ``{% static %}``
    tags they cost about 2% of a review page's instructions, though the storage already keeps each file's hashed
    name (pmle/staticfiles.py). Django fixes a relative STATIC_URL's prefix on its first use, so no prefix here."""
    return {"assets": _assets()}


@receiver(setting_changed)
def _forget_urls(*, setting: str, **kwargs) -> None:
    """A test that changes the URLs, the static files or DEBUG sees its own links."""
    if setting in {"ROOT_URLCONF", "STATIC_URL", "STORAGES", "DEBUG", "FORCE_SCRIPT_NAME"}:
        _nav.cache_clear()
        _assets.cache_clear()
