from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

ROOT = Path(__file__).resolve().parent.parent


def test_healthz_answers_with_a_database_round_trip(client, db, django_assert_num_queries):
    with django_assert_num_queries(1):
        response = client.get(reverse("healthz"))
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_healthz_answers_a_probe_by_ip_over_plain_http_without_touching_the_session(client, db, settings):
    """Load balancers probe the server by its address, over HTTP behind the proxy that terminates TLS."""
    settings.SECURE_SSL_REDIRECT = True
    settings.ALLOWED_HOSTS = ["pmle.example.com"]
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/healthz", HTTP_HOST="10.0.0.7:8000")
    assert (response.status_code, response.json()) == (200, {"status": "ok"})
    assert [q["sql"] for q in queries.captured_queries] == ["SELECT 1"]
    assert response["Cache-Control"] == "no-store" and "sessionid" not in response.cookies
    assert len(response["X-Request-ID"]) == 32
    refused = Client(raise_request_exception=False).get("/", HTTP_HOST="10.0.0.7:8000")
    assert refused.status_code == 400  # every other page still checks the host (its error page once failed: a 500)
    assert client.post("/healthz", HTTP_HOST="pmle.example.com", secure=True).status_code == 405


def test_pages_carry_a_strict_content_security_policy(client, db):
    response = client.get(reverse("login"))
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert response["X-Frame-Options"] == "DENY"


def test_no_template_has_an_inline_script_or_style():
    for path in (ROOT / "templates").rglob("*.html"):
        text = path.read_text()
        assert "<script>" not in text and "<script " not in text.replace("<script src=", ""), path
        assert "style=" not in text, path


def test_csrf_is_enforced(learner, db):
    client = Client(enforce_csrf_checks=True)
    client.force_login(learner)
    response = client.post(reverse("undo"))
    assert response.status_code == 403


def _manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_") and k != "DATABASE_URL"}
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=clean | env, capture_output=True, text=True, timeout=60
    )


def test_production_refuses_the_development_secret_key():
    result = _manage("check")
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stderr


def test_check_deploy_is_clean_in_production_mode():
    result = _manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DJANGO_DEBUG="0",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),  # a key written here would be refused: it is in the repository
        DJANGO_ALLOWED_HOSTS="cards.example.com",
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_a_get_on_a_post_only_address_shows_the_apps_page(learner_client):
    response = learner_client.get("/accounts/logout/")
    assert response.status_code == 405
    assert "This address takes a form's button" in response.content.decode()
    assert "POST" in response["Allow"]


def test_the_favicon_is_the_apps_icon(client, db):
    response = client.get("/favicon.ico")
    assert response.status_code == 301 and response.url.endswith("img/icon.svg")


def test_small_words_on_group_pages_and_admin(learner_client, learner):
    from cards.models import Progress
    from tests.factories import MembershipFactory, StudyGroupFactory

    group = StudyGroupFactory(slug="words")
    MembershipFactory(group=group, user=learner, role="member")
    assert "You are a member." in learner_client.get("/groups/words/").content.decode()
    assert Progress._meta.verbose_name_plural == "progress"
