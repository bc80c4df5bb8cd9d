"""Request bodies bounded and UTF-8, card HTML that cannot borrow the app's chrome, private and Vary headers,
and no production start with a weak secret key."""

from __future__ import annotations

import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import RequestDataTooBig
from django.db import connection
from django.test.client import MULTIPART_CONTENT, Client, encode_multipart
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import User
from cards.models import Card
from cards.rendering import render_markdown
from pmle.middleware import MAX_REQUEST_BYTES, BoundedUploadHandler
from pmle.secretkey import weakness
from tests.factories import CardFactory, DeckFactory

ROOT = Path(__file__).resolve().parent.parent
HTMX = {"HTTP_HX_REQUEST": "true"}

# --- Bodies -----------------------------------------------------------------------------------------------------


def test_a_body_over_5_mb_is_refused_before_it_is_read(client, db):
    big = b"x" * (MAX_REQUEST_BYTES + 1)
    body = encode_multipart("BoUnDaRy", {"username": "a", "file": _file(big)})
    response = client.generic("POST", reverse("signup"), body, content_type="multipart/form-data; boundary=BoUnDaRy")
    assert response.status_code == 413
    assert not User.objects.exists()


def _file(data: bytes):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("big.bin", data)


def test_file_parts_are_counted_whatever_the_declared_length():
    handler = BoundedUploadHandler()
    handler.receive_data_chunk(b"x" * MAX_REQUEST_BYTES, 0)
    with pytest.raises(RequestDataTooBig):
        handler.receive_data_chunk(b"x", MAX_REQUEST_BYTES)


def test_a_small_multipart_form_still_works(client, db):
    data = {
        "username": "ada",
        "email": "a@example.com",
        "password1": "a long pass phrase",
        "password2": "a long pass phrase",
    }
    response = client.post(reverse("signup"), data, content_type=MULTIPART_CONTENT)
    assert response.status_code == 302


def test_form_data_that_is_not_utf8_is_refused_and_saves_nothing(learner, learner_client):
    card = CardFactory(deck=DeckFactory(owner=learner), front="Original?")
    url = reverse("card_edit", args=[card.deck.slug, card.id])
    body = "front=%FF%FEbad&back=b&version=0"
    response = learner_client.generic("POST", url, body, content_type="application/x-www-form-urlencoded")
    assert response.status_code == 400
    assert Card.objects.get(id=card.id).front == "Original?"
    multipart = encode_multipart("BoUnDaRy", {"back": "b", "version": "0"}).replace(
        b'name="back"\r\n\r\nb', b'name="back"\r\n\r\n\xff\xfe'
    )
    response = learner_client.generic("POST", url, multipart, content_type="multipart/form-data; boundary=BoUnDaRy")
    assert response.status_code == 400
    assert Card.objects.get(id=card.id).front == "Original?"


def test_a_query_string_that_is_not_utf8_is_refused(learner_client):
    assert learner_client.get(reverse("review") + "?card=%FF").status_code == 400


def test_utf8_text_is_kept_exactly(learner, learner_client):
    card = CardFactory(deck=DeckFactory(owner=learner), front="Original?")
    url = reverse("card_edit", args=[card.deck.slug, card.id])
    data = {"front": "Qu'est-ce que l'entropie croisée ? ≤ 🙂", "back": "b", "version": 0}
    assert learner_client.post(url, data).status_code == 302
    assert Card.objects.get(id=card.id).front == data["front"]


# --- Card HTML and the app's own chrome --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "markup",
    [
        '<p class="message error">Your account is locked</p>',
        '<div class="messages"><span class="message success">Saved</span></div>',
        '<span class="button primary">Log in again</span>',
        '<code class="notice">x</code>',
        '<div class="flashcard front">fake</div>',
    ],
)
def test_card_html_cannot_use_the_apps_own_classes(markup):
    assert set(re.findall(r'class="([^"]*)"', render_markdown(markup))) <= {""}


def test_highlighted_code_keeps_its_classes():
    html = render_markdown("```python\nimport os\n```")
    assert 'class="highlight"' in html and 'class="kn"' in html


# --- Headers -----------------------------------------------------------------------------------------------------


def test_a_learners_pages_are_private_and_vary_on_htmx(learner, learner_client):
    CardFactory(deck=DeckFactory(owner=learner))
    for extra in ({}, HTMX):
        response = learner_client.get(reverse("review"), **extra)
        assert "private" in response["Cache-Control"]
        assert "HX-Request" in response["Vary"]


def test_views_are_handed_the_user_itself_with_no_query_added(learner, learner_client, db):
    CardFactory(deck=DeckFactory(owner=learner))
    response = learner_client.get(reverse("review"))
    # Not AuthenticationMiddleware's lazy stand-in, through which every attribute read costs three calls.
    assert type(response.wsgi_request.user) is User
    assert response.wsgi_request.user == learner
    with CaptureQueriesContext(connection) as queries:
        anonymous = Client().get(reverse("login"))
    assert anonymous.status_code == 200
    assert type(anonymous.wsgi_request.user) is AnonymousUser
    assert not [q for q in queries if "django_session" in q["sql"] or User._meta.db_table in q["sql"]]


# --- The secret key ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("key", "reason"),
    [
        ("short-key", "characters"),
        ("ab" * 40, "different characters"),
        ("dev-only-insecure-key-do-not-use-in-production", "characters"),
        ("x" * 60, "different characters"),
    ],
)
def test_weak_keys_are_named_weak(key, reason):
    assert reason in weakness(key, ROOT)


def test_a_key_written_in_the_repository_is_weak(tmp_path):
    key = secrets.token_urlsafe(50)
    assert weakness(key, tmp_path) == ""
    (tmp_path / "README.md").write_text(f"DJANGO_SECRET_KEY={key}")
    assert "repository" in weakness(key, tmp_path)


def _start(key: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_") and k != "DATABASE_URL"}
    env = clean | {"DJANGO_DEBUG": "0", "DJANGO_SECRET_KEY": key, "DJANGO_ALLOWED_HOSTS": "cards.example.com"}
    code = "import pmle.wsgi"
    return subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)


def test_production_refuses_to_start_with_a_weak_key_and_starts_with_a_strong_one():
    for weak in ("test-only-secret-key-not-for-production", "z" * 64):
        result = _start(weak)
        assert result.returncode != 0
        assert "DJANGO_SECRET_KEY is too weak" in result.stderr
    result = _start(secrets.token_urlsafe(50))
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize(
    ("value", "kept"),
    [
        ("/browse/?q=x", True),
        ("0", False),
        ("home", False),
        ("//evil.example/", False),
        ("https://evil.example/", False),
    ],
)
def test_next_is_kept_only_as_a_path_on_this_site(rf, value, kept):
    """A bare word would be taken by ``redirect`` for a view name (a 500), a host for somewhere else."""
    from pmle.nexturl import safe_next

    assert safe_next(rf.post("/", {"next": value})) == (value if kept else None)
