from __future__ import annotations

import os

import pytest
from django.conf import settings

from cards import content
from cards.loader import load_all_editions
from tests.factories import UserFactory


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix) -> None:
    """Name the SQLite test file after the process that runs the session. The settings name it at import, which is
    once for every run that mutmut forks from its parent: two such runs at once then shared (and destroyed) one
    database, and the failures that caused counted as killed mutants."""
    test = settings.DATABASES["default"].get("TEST", {})
    if "sqlite" in settings.DATABASES["default"]["ENGINE"] and test.get("NAME"):
        test["NAME"] = os.path.join(os.path.dirname(test["NAME"]), f"pmle-test-{os.getpid()}.sqlite3")


@pytest.fixture(autouse=True)
def _fresh_content_cache() -> None:
    """Each test starts with nothing cached of the content (the cache is the test process's own memory): a test's
    rollback takes back its content but not what it cached, and the next test reuses the same ids."""
    content.forget()


@pytest.fixture(autouse=True)
def _fast_and_quiet(settings) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.SECURE_SSL_REDIRECT = False
    # Tests log in and sign up many times from one address: login throttling is off except where a test turns it
    # on (tests/test_throttling.py), and the sign-up limit is out of reach.
    settings.AXES_ENABLED = False
    settings.SIGNUP_RATE_PER_HOUR = 10_000
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    # whitenoise indexes every file under STATIC_ROOT each time a test client starts: with a collectstatic's output
    # there (make bench, scripts/load.py, a deploy rehearsal) test_permissions.py took 33 s against 24 s. No test serves
    # the collected files (tests/test_staticfiles.py collects into a directory of its own).
    settings.STATIC_ROOT = None


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
    load_all_editions()


def pytest_report_header(config) -> str:
    return f"database: {settings.DATABASES['default']['ENGINE']}"


# --- A hand-built history for the dashboards' exact-number tests (tests/test_stats.py, tests/test_dashboard.py) ----

NEW_YORK = "America/New_York"


@pytest.fixture
def study_history(learner, outsider):
    """A New York learner (rollover 04:00) around the spring-forward change of Sunday 8 March 2026.

    Section 1 ("s1"): objective 1.1 with consideration 1.1.1 (cards a1 a2 a3) and 1.1.2 (b1 b2); objective 1.2 with
    1.2.1 (c1, and c2 suspended before it was ever seen). Section 2 ("s2"): one card d1. Every review time is local
    New York wall time; the study day comes from it. See test_stats.py for the figures this adds up to.
    """
    from datetime import date, datetime
    from zoneinfo import ZoneInfo

    from tests.factories import (
        CardFactory,
        ConsiderationFactory,
        DeckFactory,
        ObjectiveFactory,
        ProgressFactory,
        ReviewFactory,
        SectionFactory,
    )

    learner.time_zone, learner.rollover_hour = NEW_YORK, 4
    learner.save()
    zone = ZoneInfo(NEW_YORK)

    def local(*args: int) -> datetime:
        return datetime(*args, tzinfo=zone)

    deck = DeckFactory(slug="official", owner=None)
    s1 = SectionFactory(number=1, slug="s1", title="Framing")
    s2 = SectionFactory(number=2, slug="s2", title="Architecture")
    o11 = ObjectiveFactory(section=s1, position=1)
    o12 = ObjectiveFactory(section=s1, position=2)
    c111 = ConsiderationFactory(objective=o11, position=1, title="Business use cases")
    c112 = ConsiderationFactory(objective=o11, position=2, title="Success metrics")
    c121 = ConsiderationFactory(objective=o12, position=1, title="Risks")
    c211 = ConsiderationFactory(objective=ObjectiveFactory(section=s2, position=1), position=1)
    cards = {}
    for name, consideration, position in [
        ("a1", c111, 1),
        ("a2", c111, 2),
        ("a3", c111, 3),
        ("b1", c112, 1),
        ("b2", c112, 2),
        ("c1", c121, 1),
        ("c2", c121, 2),
        ("d1", c211, 1),
    ]:
        cards[name] = CardFactory(deck=deck, consideration=consideration, position=position, front=f"Card {name}?")

    def progress(name: str, **fields) -> None:
        ProgressFactory(user=learner, card=cards[name], version=1, **fields)

    progress("a1", repetitions=4, interval=25, easiness=2.2, lapses=1, due=date(2026, 4, 6))
    progress("a2", repetitions=2, interval=8, easiness=2.5, lapses=0, due=date(2026, 3, 20))
    progress("b1", repetitions=0, interval=3, easiness=1.6, lapses=2, due=date(2026, 3, 5))
    progress("b2", repetitions=5, interval=30, easiness=2.8, lapses=0, due=date(2026, 3, 13))
    progress("c2", suspended=True)
    progress("d1", repetitions=3, interval=40, easiness=2.5, lapses=0, due=date(2026, 4, 30))

    def review(name: str, at: datetime, grade: int, kind: str = "scheduled", before_interval: int = 1, **extra):
        return ReviewFactory(
            user=learner,
            card=cards[name],
            reviewed_at=at,
            grade=grade,
            kind=kind,
            before_interval=before_interval,
            **extra,
        )

    review("a1", local(2026, 3, 12, 9, 0), 4, before_interval=25)  # today, mature, passed
    review("b1", local(2026, 3, 12, 1, 30), 2, before_interval=6)  # 01:30: study day 11 March, young, failed
    review("b1", local(2026, 3, 12, 10, 0), 4, kind="drill")  # activity only
    review("a1", local(2026, 3, 12, 11, 0), 0, kind="practice")  # activity only
    review("a2", local(2026, 3, 9, 1, 30), 3, before_interval=3)  # Monday 01:30 EDT: Sunday 8 March, young, passed
    review("b2", local(2026, 3, 8, 3, 30), 5, before_interval=21)  # just after the jump: Saturday 7 March, mature
    review("a1", local(2026, 3, 4, 12, 0), 1, before_interval=30)  # EST, mature, failed
    review("a2", local(2026, 3, 2, 20, 0), 4, kind="new", before_interval=0)  # EST evening: Monday 2 March
    review("a1", local(2026, 1, 15, 12, 0), 3, before_interval=10)  # outside the 30-day window
    review("b1", local(2026, 3, 10, 12, 0), 5, undone_at=local(2026, 3, 10, 12, 1))  # undone: never counts
    review("d1", local(2026, 3, 9, 12, 0), 4, before_interval=40)  # section 2

    # Another learner's rows on the same cards must never show.
    ProgressFactory(user=outsider, card=cards["a1"], interval=30, due=date(2026, 3, 1), lapses=9)
    ReviewFactory(user=outsider, card=cards["a1"], reviewed_at=local(2026, 3, 12, 9, 30), grade=0)
    return {"cards": cards, "s1": s1, "s2": s2, "considerations": [c111, c112, c121]}
