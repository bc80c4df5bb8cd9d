from __future__ import annotations

import pytest
from django.conf import settings

from cards.loader import load_official_deck
from tests.factories import UserFactory


@pytest.fixture(autouse=True)
def _fast_and_quiet(settings) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.SECURE_SSL_REDIRECT = False
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture
def learner(db):
    return UserFactory(username="learner")


@pytest.fixture
def member(db):
    return UserFactory(username="member")


@pytest.fixture
def outsider(db):
    return UserFactory(username="outsider")


@pytest.fixture
def staff(db):
    return UserFactory(username="staff", is_staff=True, is_superuser=True)


@pytest.fixture
def learner_client(client, learner):
    client.force_login(learner)
    return client


@pytest.fixture
def official_deck(db):
    """The real taxonomy and official deck, loaded from the repository's data files."""
    load_official_deck()


def pytest_report_header(config) -> str:
    return f"database: {settings.DATABASES['default']['ENGINE']}"
