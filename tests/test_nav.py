"""The header's links (pmle/context_processors.py) and the review screen's URLs: reversed once per process and URL
prefix."""

from __future__ import annotations

import re

from django.templatetags.static import static
from django.test import override_settings
from django.urls import clear_script_prefix, reverse, set_script_prefix

from pmle.context_processors import NAV
from tests.factories import CardFactory, DeckFactory


def _header_links(html: str) -> list[str]:
    header = html[html.index("<header") : html.index("</header>")]
    return re.findall(r'(?:href|action)="([^"]+)"', header)


def test_the_header_links_every_part_of_the_site(client, learner):
    client.force_login(learner)
    signed_in = _header_links(client.get(reverse("review")).content.decode())
    assert signed_in == [reverse(name) for name in NAV if name not in ("login", "signup")]
    client.logout()
    assert _header_links(client.get(reverse("login")).content.decode()) == [
        reverse(n) for n in ("home", "login", "signup")
    ]


def test_under_a_url_prefix_the_header_links_carry_it_and_without_one_they_do_not(client, learner):
    client.force_login(learner)
    page = reverse("review")
    set_script_prefix("/pmle/")  # as the WSGI handler does for an app mounted at /pmle (the test client does not)
    try:
        response = client.get(page)
        prefixed = _header_links(response.content.decode())
    finally:
        clear_script_prefix()
    assert response.status_code == 200
    assert prefixed and all(link.startswith("/pmle/") for link in prefixed)
    assert prefixed[1] == "/pmle/review/"
    plain = _header_links(client.get(reverse("review")).content.decode())
    assert plain[1] == "/review/"


def _review_forms(html: str) -> list[str]:
    panel = html[html.index('id="card-panel"') :]
    return re.findall(r'(?:action|hx-post)="([^"]+)"', panel)


def test_the_review_screens_own_urls_follow_the_scope_and_the_url_prefix(client, learner):
    """The review screen's URL is reversed once per process, scope and prefix (cards/views.py ``_reversed``)."""
    deck = DeckFactory(owner=learner, edition=None)
    CardFactory(deck=deck)
    client.force_login(learner)
    deck_page = reverse("deck_review", args=[deck.slug])
    set_script_prefix("/pmle/")
    try:
        prefixed = _review_forms(client.get(deck_page).content.decode())
    finally:
        clear_script_prefix()
    assert f"/pmle{deck_page}undo/" in prefixed and all(url.startswith("/pmle/") for url in prefixed)
    assert f"{deck_page}undo/" in _review_forms(client.get(deck_page).content.decode())
    everything = _review_forms(client.get(reverse("review")).content.decode())
    assert f"{reverse('review')}undo/" in everything and f"{deck_page}undo/" not in everything


def _asset_links(html: str) -> list[str]:
    head = html[: html.index("</head>")]
    return re.findall(r'(?:href|src)="([^"]+)"', head)


def test_every_page_loads_its_assets_from_the_static_url_in_force(client, learner):
    """The asset URLs are worked out once per process (pmle/context_processors.py ``assets``), and again when a
    test changes the static files' settings."""
    client.force_login(learner)
    page = reverse("review")
    expected = [static(path) for path in ("css/app.css", "img/icon.svg", "django_htmx/htmx-2.min.js", "js/app.js")]
    assert _asset_links(client.get(page).content.decode()) == expected
    with override_settings(STATIC_URL="/assets/"):
        moved = _asset_links(client.get(page).content.decode())
    assert moved == [link.replace("/static/", "/assets/", 1) for link in expected]
    assert _asset_links(client.get(page).content.decode()) == expected
