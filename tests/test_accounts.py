from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse

from accounts.models import User


def test_sign_up_logs_the_new_learner_in_with_default_preferences(client, db):
    response = client.post(
        reverse("signup"),
        {
            "username": "ada",
            "email": "ada@example.com",
            "password1": "a long pass phrase",
            "password2": "a long pass phrase",
        },
    )
    assert response.status_code == 302
    assert response.url == reverse("home")
    user = User.objects.get(username="ada")
    assert (user.time_zone, user.rollover_hour, user.new_cards_per_day, user.max_reviews_per_day) == ("UTC", 4, 20, 200)
    assert client.get(reverse("home")).status_code == 200


def test_sign_up_honours_a_safe_next_and_ignores_an_unsafe_one(client, db):
    data = {
        "username": "bo",
        "email": "b@example.com",
        "password1": "a long pass phrase",
        "password2": "a long pass phrase",
    }
    response = client.post(reverse("signup") + "?next=/review/", data)
    assert response.url == "/review/"
    client.logout()
    response = client.post(reverse("signup") + "?next=https://evil.example/", data | {"username": "cy"})
    assert response.url == reverse("home")


def test_sign_up_with_mismatched_passwords_creates_nothing(client, db):
    response = client.post(reverse("signup"), {"username": "x", "password1": "a long pass phrase", "password2": "no"})
    assert response.status_code == 400
    assert "didn’t match" in response.content.decode() or "didn't match" in response.content.decode()
    assert not User.objects.exists()


SIGN_UP = {
    "username": "zed",
    "email": "z@example.com",
    "password1": "a long pass phrase",
    "password2": "a long pass phrase",
}


def test_sign_up_takes_a_time_zone_and_offers_it_for_detection(client, db):
    page = client.get(reverse("signup")).content.decode()
    assert 'name="time_zone"' in page and "data-detect-zone" in page
    response = client.post(reverse("signup"), SIGN_UP | {"time_zone": "Europe/Paris"})
    assert response.status_code == 302
    assert User.objects.get(username="zed").time_zone == "Europe/Paris"


def test_sign_up_with_an_unknown_time_zone_is_a_400_and_creates_nothing(client, db):
    response = client.post(reverse("signup"), SIGN_UP | {"time_zone": "Mars/Olympus_Mons"})
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()
    assert "data-detect-zone" not in response.content.decode()  # the learner's own choice is not overridden
    assert not User.objects.exists()


def test_settings_offer_detection_only_while_the_zone_is_the_default(client, learner):
    client.force_login(learner)
    assert "data-detect-zone" in client.get(reverse("preferences")).content.decode()
    learner.time_zone = "Asia/Tokyo"
    learner.save()
    page = client.get(reverse("preferences")).content.decode()
    assert "data-detect-zone" not in page and '<option value="Asia/Tokyo" selected>' in page


def test_log_in_and_log_out_by_post(client, learner):
    response = client.post(reverse("login"), {"username": "learner", "password": "correct horse battery"})
    assert response.status_code == 302
    assert client.get(reverse("home")).status_code == 200
    assert client.get(reverse("logout")).status_code == 405  # logging out needs a POST
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert client.get(reverse("home")).status_code == 302


def test_wrong_password_is_refused(client, learner):
    response = client.post(reverse("login"), {"username": "learner", "password": "nope"})
    assert response.status_code == 200
    assert "correct username and password" in response.content.decode()


def test_preferences_are_saved(learner, learner_client):
    data = {"time_zone": "Europe/Berlin", "rollover_hour": 3, "new_cards_per_day": 10, "max_reviews_per_day": 100}
    data |= {"own_new_share": 40, "exam_date": "2027-02-03", "plan_days_before": 10, "leech_threshold": 6}
    data |= {"scheduler": "sm2", "desired_retention": "0.85", "compact_grades": "on"}
    response = learner_client.post(reverse("preferences"), data | {"suspend_leeches": "on"})
    assert response.status_code == 302
    learner.refresh_from_db()
    assert (learner.time_zone, learner.rollover_hour, learner.new_cards_per_day, learner.max_reviews_per_day) == (
        "Europe/Berlin",
        3,
        10,
        100,
    )
    assert (learner.own_new_share, learner.exam_date, learner.plan_days_before) == (40, date(2027, 2, 3), 10)
    assert (learner.leech_threshold, learner.suspend_leeches) == (6, True)
    assert (learner.scheduler, learner.desired_retention, learner.compact_grades) == ("sm2", 0.85, True)


@pytest.mark.parametrize(
    "bad",
    [
        {"time_zone": "Mars/Olympus"},
        {"rollover_hour": 24},
        {"rollover_hour": -1},
        {"new_cards_per_day": 501},
        {"max_reviews_per_day": 0},
        {"max_reviews_per_day": "many"},
        {"scheduler": "sm17"},
        {"desired_retention": "0.5"},
        {"desired_retention": "0.99"},
        {"desired_retention": "high"},
    ],
)
def test_invalid_preferences_get_400_and_change_nothing(learner, learner_client, bad):
    data = {"time_zone": "UTC", "rollover_hour": 4, "new_cards_per_day": 20, "max_reviews_per_day": 200}
    data = data | {"scheduler": "fsrs", "desired_retention": "0.9"} | bad
    response = learner_client.post(reverse("preferences"), data)
    assert response.status_code == 400
    assert 'class="errorlist"' in response.content.decode()
    learner.refresh_from_db()
    assert (learner.time_zone, learner.rollover_hour, learner.new_cards_per_day) == ("UTC", 4, 20)
    assert (learner.scheduler, learner.desired_retention) == ("sm2", 0.9)


def test_preferences_need_login(client, db):
    assert client.get(reverse("preferences")).status_code == 302


def test_change_password(learner, learner_client):
    response = learner_client.post(
        reverse("password_change"),
        {
            "old_password": "correct horse battery",
            "new_password1": "another long phrase",
            "new_password2": "another long phrase",
        },
    )
    assert response.status_code == 302
    learner.refresh_from_db()
    assert learner.check_password("another long phrase")
