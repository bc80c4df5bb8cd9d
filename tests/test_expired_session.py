"""A request whose session has expired: the learner logs in and comes back to their page, told what was lost."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from cards.models import Review
from tests.factories import CardFactory, DeckFactory

HTMX = {"HTTP_HX_REQUEST": "true", "HTTP_HX_CURRENT_URL": "http://testserver/review/?card=7"}


def next_of(url: str) -> str | None:
    values = parse_qs(urlsplit(url).query).get("next")
    return values[0] if values else None


def test_an_htmx_grade_without_a_session_redirects_the_page_to_log_in_and_back(client, learner):
    card = CardFactory(deck=DeckFactory(owner=learner))
    response = client.post(reverse("grade"), {"card": card.id, "version": 0, "quality": 4}, **HTMX)
    assert response.status_code == 200
    target = response["HX-Redirect"]
    assert target.startswith(reverse("login"))
    assert next_of(target) == "/review/?card=7"
    assert not Review.objects.exists()
    page = client.get(target)
    assert "your last grade was not saved" in page.content.decode()


def test_a_plain_grade_without_a_session_comes_back_to_the_review_page_not_a_405(client, learner):
    card = CardFactory(deck=DeckFactory(owner=learner))
    response = client.post(
        reverse("grade"), {"card": card.id, "version": 0, "quality": 4}, HTTP_REFERER="http://testserver/review/"
    )
    assert response.status_code == 302
    assert next_of(response.url) == "/review/"
    logged_in = client.post(response.url, {"username": "learner", "password": "correct horse battery"}, follow=True)
    assert logged_in.status_code == 200
    assert logged_in.redirect_chain[-1][0] == "/review/"


def test_a_post_from_another_site_is_not_a_place_to_come_back_to(client, learner):
    response = client.post(reverse("undo"), HTTP_REFERER="https://evil.example/x")
    assert response.url == reverse("login")


def test_an_ordinary_page_still_asks_to_log_in_and_come_back(client, db):
    response = client.get(reverse("review"))
    assert response.status_code == 302 and next_of(response.url) == reverse("review")


def test_logging_out_is_not_taken_for_an_expired_session(learner_client):
    response = learner_client.post(reverse("logout"), follow=True)
    assert response.redirect_chain[-1][0] == reverse("login")
    assert "was not saved" not in response.content.decode()


def test_a_session_past_its_expiry_is_not_read_and_another_learners_is_never_read(client, learner, member):
    """The session store reads its row in plain SQL (pmle/sessions.py): only the request's own key, only unexpired."""
    other = Client()
    other.force_login(member)  # another learner's live session in the same table
    client.force_login(learner)
    assert client.get(reverse("home")).status_code == 200
    Session.objects.filter(session_key=client.cookies["sessionid"].value).update(
        expire_date=timezone.now() - timedelta(seconds=1)
    )
    response = client.get(reverse("home"))
    assert response.status_code == 302 and response.url.startswith(reverse("login"))
    client.cookies["sessionid"] = "not-a-session-key-of-anyone-here"
    assert client.get(reverse("home")).status_code == 302
    assert other.get(reverse("home")).status_code == 200
