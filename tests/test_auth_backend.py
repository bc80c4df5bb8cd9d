"""The sign-in backend (accounts/backends.py) and the migration that moved signed-in sessions onto it."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.models import Session
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.forms.models import model_to_dict
from django.urls import reverse

from accounts.backends import PATH, LearnerBackend
from accounts.models import User
from pmle.sessions import SessionStore
from tests.factories import UserFactory


def test_the_learner_is_loaded_exactly_as_the_orm_loads_them(db):
    learner = UserFactory(exam_date=date(2027, 3, 1), last_login=datetime(2026, 5, 1, 8, 30, tzinfo=UTC))
    loaded = LearnerBackend().get_user(learner.pk)
    expected = User.objects.get(pk=learner.pk)
    fields = [f.attname for f in User._meta.concrete_fields]
    assert [getattr(loaded, f) for f in fields] == [getattr(expected, f) for f in fields]
    assert model_to_dict(loaded) == model_to_dict(expected)
    assert loaded._state.adding is False and loaded._state.db == "default"  # saves update, not insert
    assert isinstance(loaded.exam_date, date) and loaded.is_active is True


def test_an_unknown_or_inactive_learner_is_nobody(db):
    learner = UserFactory(is_active=False)
    assert LearnerBackend().get_user(learner.pk) is None
    assert LearnerBackend().get_user(learner.pk + 1000) is None


def test_signing_in_names_this_backend_and_a_deactivated_learner_is_signed_out(client, db):
    learner = UserFactory(username="ada")
    learner.set_password("a long pass phrase")
    learner.save()
    response = client.post(reverse("login"), {"username": "ada", "password": "a long pass phrase"})
    assert response.status_code == 302
    assert client.session[BACKEND_SESSION_KEY] == PATH
    assert client.get(reverse("review")).status_code == 200
    User.objects.filter(pk=learner.pk).update(is_active=False)
    assert client.get(reverse("review")).status_code == 302  # to the login page


def _session(data: dict) -> str:
    store = SessionStore()
    store.update(data)
    store.create()
    return store.session_key


@pytest.mark.django_db(transaction=True)
def test_sessions_signed_in_before_the_new_backend_stay_signed_in(client):
    executor = MigrationExecutor(connection)
    executor.migrate([("accounts", "0005_scheduler_choice")])
    learner = UserFactory()  # the User table is the same before and after
    old = "django.contrib.auth.backends.ModelBackend"
    signed_in = _session(
        {SESSION_KEY: str(learner.pk), BACKEND_SESSION_KEY: old, HASH_SESSION_KEY: learner.get_session_auth_hash()}
    )
    anonymous = _session({"theme": "dark"})
    Session.objects.create(
        session_key="x" * 32, session_data="not signed", expire_date=datetime(2099, 1, 1, tzinfo=UTC)
    )

    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
    assert SessionStore(signed_in)[BACKEND_SESSION_KEY] == PATH
    assert dict(SessionStore(anonymous).items()) == {"theme": "dark"}
    assert Session.objects.get(session_key="x" * 32).session_data == "not signed"  # left as it was
    client.cookies["sessionid"] = signed_in
    assert client.get(reverse("review")).status_code == 200

    executor = MigrationExecutor(connection)  # and back: the sessions name ModelBackend again
    executor.migrate([("accounts", "0005_scheduler_choice")])
    assert SessionStore(signed_in)[BACKEND_SESSION_KEY] == old
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
