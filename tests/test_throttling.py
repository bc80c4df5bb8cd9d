"""Login throttling (django-axes) on the site and the admin, and the per-address sign-up limit."""

from __future__ import annotations

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from tests.factories import UserFactory

PASSWORD = "correct horse battery"


@pytest.fixture
def throttled(settings):
    settings.AXES_ENABLED = True


@pytest.fixture
def ada(db):
    user = UserFactory(username="ada", is_staff=True, is_superuser=True)
    user.set_password(PASSWORD)
    user.save()
    return user


def log_in(client, url: str, password: str, **meta):
    return client.post(url, {"username": "ada", "password": password}, **meta)


@pytest.mark.parametrize("url", ["/accounts/login/", "/admin/login/"])
def test_ten_wrong_passwords_lock_the_username_out_for_fifteen_minutes_with_a_message(client, ada, throttled, url):
    for _ in range(9):
        assert log_in(client, url, "wrong").status_code == 200
    refused = log_in(client, url, "wrong")  # the tenth failure
    assert refused.status_code == 429
    refused = log_in(client, url, PASSWORD)  # then even the right password is refused
    assert refused.status_code == 429
    assert "refused for 15 minutes" in refused.content.decode()
    assert "_auth_user_id" not in client.session
    with time_machine.travel(timezone.now() + timezone.timedelta(minutes=16)):
        assert log_in(client, url, PASSWORD).status_code == 302


def test_the_lockout_is_per_address(client, ada, throttled):
    for _ in range(10):
        log_in(client, "/accounts/login/", "wrong", REMOTE_ADDR="10.0.0.1")
    assert log_in(client, "/accounts/login/", PASSWORD, REMOTE_ADDR="10.0.0.1").status_code == 429
    assert log_in(client, "/accounts/login/", PASSWORD, REMOTE_ADDR="10.0.0.2").status_code == 302


def test_a_successful_login_clears_the_failures(client, ada, throttled):
    for _ in range(9):
        log_in(client, "/accounts/login/", "wrong")
    assert log_in(client, "/accounts/login/", PASSWORD).status_code == 302
    client.logout()
    for _ in range(9):
        log_in(client, "/accounts/login/", "wrong")
    assert log_in(client, "/accounts/login/", PASSWORD).status_code == 302


def test_sign_up_is_limited_per_address(client, db, settings):
    settings.SIGNUP_RATE_PER_HOUR = 2
    for n in range(2):
        data = {"username": f"u{n}", "email": f"u{n}@example.com", "password1": PASSWORD, "password2": PASSWORD}
        assert client.post(reverse("signup"), data).status_code == 302
        client.logout()
    data = {"username": "u9", "email": "u9@example.com", "password1": PASSWORD, "password2": PASSWORD}
    response = client.post(reverse("signup"), data)
    assert response.status_code == 429
    assert "Too many accounts" in response.content.decode()
    assert not User.objects.filter(username="u9").exists()
    other = client.post(reverse("signup"), data, REMOTE_ADDR="10.9.9.9")
    assert other.status_code == 302


@pytest.mark.parametrize(
    ("behind_proxy", "forwarded", "expected"),
    [
        (False, "6.6.6.6", "127.0.0.1"),  # no proxy: the header is the client's own and ignored
        (True, "6.6.6.6, 1.2.3.4", "1.2.3.4"),  # the proxy's entry, not what the client wrote before it
        (True, "", "127.0.0.1"),
    ],
)
def test_the_address_counted_is_the_one_the_trusted_proxy_saw(rf, settings, behind_proxy, forwarded, expected):
    from pmle.clientip import client_ip

    settings.BEHIND_PROXY, settings.PROXY_HOPS = behind_proxy, 1
    request = rf.get("/", HTTP_X_FORWARDED_FOR=forwarded) if forwarded else rf.get("/")
    assert client_ip(request) == expected
