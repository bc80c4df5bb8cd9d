"""Password reset by email, which never tells whether an account exists; an email address for every learner."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.urls import reverse

from accounts.models import User
from tests.factories import UserFactory

PASSWORD = "a long pass phrase"


def page_text(response) -> str:
    """The page without its per-response secrets (CSRF token, CSP nonce)."""
    return re.sub(r'(nonce|value|content)="[^"]*"|"X-CSRFToken": "[^"]*"', "", response.content.decode())


def ask_reset(client, email: str):
    return client.post(reverse("password_reset"), {"email": email}, follow=True)


def test_a_reset_mails_a_link_that_sets_a_new_password(client, db):
    UserFactory(username="ada", email="ada@example.com")
    response = ask_reset(client, "ada@example.com")
    assert response.status_code == 200
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["ada@example.com"]
    link = re.search(r"https?://[^/\s]+(/accounts/password/reset/\S+/)", mail.outbox[0].body).group(1)
    form = client.get(link, follow=True)
    assert form.status_code == 200
    done = client.post(
        form.redirect_chain[-1][0], {"new_password1": "n3w pass phrase!", "new_password2": "n3w pass phrase!"}
    )
    assert done.status_code == 302
    assert User.objects.get(username="ada").check_password("n3w pass phrase!")


def test_the_reset_answer_is_the_same_whether_or_not_an_account_exists(client, db):
    UserFactory(username="ada", email="ada@example.com")
    known = ask_reset(client, "ada@example.com")
    unknown = ask_reset(client, "nobody@example.com")
    assert known.redirect_chain == unknown.redirect_chain
    assert page_text(known) == page_text(unknown)
    assert "If an account uses that address" in unknown.content.decode()
    assert len(mail.outbox) == 1  # only the real account got mail


def test_a_used_or_forged_reset_link_says_it_does_not_work(client, db):
    user = UserFactory()
    response = client.get(reverse("password_reset_confirm", args=["MQ", "forged-token"]))
    assert "This link does not work" in response.content.decode()
    assert User.objects.get(id=user.id).check_password("correct horse battery")


def test_reset_requests_are_limited_per_address(client, db, settings):
    settings.SIGNUP_RATE_PER_HOUR = 2
    for _ in range(2):
        assert ask_reset(client, "x@example.com").status_code == 200
    assert client.post(reverse("password_reset"), {"email": "x@example.com"}).status_code == 429


def test_sign_up_requires_an_email_address(client, db):
    data = {"username": "noemail", "password1": PASSWORD, "password2": PASSWORD}
    response = client.post(reverse("signup"), data)
    assert response.status_code == 400
    assert not User.objects.filter(username="noemail").exists()


def test_sign_up_may_say_a_username_is_taken(client, db):
    UserFactory(username="ada")
    data = {"username": "ada", "email": "a2@example.com", "password1": PASSWORD, "password2": PASSWORD}
    assert "already exists" in client.post(reverse("signup"), data).content.decode()


@pytest.mark.parametrize("next_url", ["", "/review/"])
def test_a_learner_without_an_email_is_asked_for_one_at_login(client, db, next_url):
    UserFactory(username="old", email="")
    data = {"username": "old", "password": "correct horse battery"} | ({"next": next_url} if next_url else {})
    response = client.post(reverse("login"), data)
    assert response.status_code == 302
    assert response.url.startswith(reverse("email_required"))
    page = client.get(response.url)
    assert "Add your email address" in page.content.decode()
    assert client.post(reverse("email_required"), {"email": "bad", "next": next_url}).status_code == 400
    saved = client.post(reverse("email_required"), {"email": "old@example.com", "next": next_url})
    assert saved.url == (next_url or reverse("home"))
    assert User.objects.get(username="old").email == "old@example.com"


def test_a_learner_with_an_email_logs_in_straight_through(client, db):
    UserFactory(username="ada")
    response = client.post(reverse("login"), {"username": "ada", "password": "correct horse battery"})
    assert response.url == reverse("home")
