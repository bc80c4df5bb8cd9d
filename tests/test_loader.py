"""load_pmle: idempotent, updates changed cards, adds new ones, retires removed ones, keeps learners' history."""

from __future__ import annotations

import shutil
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from cards.deckfile import CONTENT_DIR
from cards.loader import load_edition
from cards.models import Card, Consideration, Objective, Progress, Review, Section
from tests.factories import UserFactory

CARD = '''
[[card]]
key = "{key}"
consideration = "{consideration}"
front = "{front}"
back = """{back}"""
link = "https://cloud.google.com/vertex-ai/docs"
'''


def write_deck(path: Path, cards: list[dict]) -> None:
    (path / "section-1.toml").write_text("".join(CARD.format(**c) for c in cards))


@pytest.fixture
def deck_dir(tmp_path):
    shutil.copy(CONTENT_DIR / "pmle2020" / "guide.toml", tmp_path / "guide.toml")
    write_deck(
        tmp_path,
        [
            {"key": "1.1.1-a", "consideration": "1.1.1", "front": "Question A?", "back": "Answer A."},
            {"key": "1.1.1-b", "consideration": "1.1.1", "front": "Question B?", "back": "Answer B."},
            {"key": "1.1.2-c", "consideration": "1.1.2", "front": "Question C?", "back": "Answer **C**."},
        ],
    )
    return tmp_path


def test_first_load_creates_the_taxonomy_and_cards(db, deck_dir):
    report = load_edition(deck_dir=deck_dir)
    assert (report.added, report.updated, report.retired, report.unchanged) == (3, 0, 0, 0)
    assert (Section.objects.count(), Objective.objects.count(), Consideration.objects.count()) == (6, 25, 90)
    assert Card.objects.get(key="1.1.2-c").back_html == "<p>Answer <strong>C</strong>.</p>"


def test_loading_twice_changes_nothing(db, deck_dir):
    load_edition(deck_dir=deck_dir)
    before = list(Card.objects.order_by("id").values())
    report = load_edition(deck_dir=deck_dir)
    assert (report.added, report.updated, report.retired, report.unchanged, report.taxonomy_changes) == (0, 0, 0, 3, 0)
    assert list(Card.objects.order_by("id").values()) == before


def test_an_edited_file_updates_adds_and_retires_and_keeps_progress(db, deck_dir):
    load_edition(deck_dir=deck_dir)
    learner = UserFactory()
    a = Card.objects.get(key="1.1.1-a")
    b = Card.objects.get(key="1.1.1-b")
    Progress.objects.create(user=learner, card=a, repetitions=3, easiness=2.2, interval=15, due="2026-07-01")
    Progress.objects.create(user=learner, card=b, repetitions=1, interval=1, due="2026-06-11")
    Review.objects.create(
        user=learner, card=b, reviewed_at="2026-06-10T12:00Z", study_day="2026-06-10", grade=4, kind="new",
        before_repetitions=0, before_easiness=2.5, before_interval=0, before_lapses=0, before_review_count=0,
        after_repetitions=1, after_easiness=2.5, after_interval=1, after_due="2026-06-11",
    )  # fmt: skip
    write_deck(
        deck_dir,
        [
            {"key": "1.1.1-a", "consideration": "1.1.1", "front": "Question A, clearer?", "back": "Answer A."},
            {"key": "1.1.2-c", "consideration": "1.1.2", "front": "Question C?", "back": "Answer **C**."},
            {"key": "1.1.3-d", "consideration": "1.1.3", "front": "Question D?", "back": "Answer D."},
        ],
    )
    report = load_edition(deck_dir=deck_dir)
    assert (report.added, report.updated, report.retired, report.unchanged) == (1, 1, 1, 1)
    a.refresh_from_db()
    b.refresh_from_db()
    assert a.front == "Question A, clearer?" and a.id == Card.objects.get(key="1.1.1-a").id
    assert a.content_changed_at is not None  # learners see the card marked as changed
    assert Card.objects.get(key="1.1.2-c").content_changed_at is None
    assert b.retired
    progress = Progress.objects.get(user=learner, card=a)
    assert (progress.repetitions, progress.easiness, progress.interval) == (3, 2.2, 15)
    assert Review.objects.filter(card=b).count() == 1  # history of the retired card is kept
    # Bringing a retired card back un-retires it.
    write_deck(deck_dir, [{"key": "1.1.1-b", "consideration": "1.1.1", "front": "Question B?", "back": "Answer B."}])
    report = load_edition(deck_dir=deck_dir)
    assert (report.added, report.updated, report.retired) == (0, 1, 3)
    b.refresh_from_db()
    assert not b.retired


def test_admin_edits_are_kept_unless_forced(db, deck_dir, admin_client):
    load_edition(deck_dir=deck_dir)
    card = Card.objects.get(key="1.1.1-a")
    response = admin_client.post(
        f"/admin/cards/card/{card.id}/change/",
        {
            "deck": card.deck_id,
            "consideration": card.consideration_id,
            "front": "Question A, edited by an admin?",
            "back": card.back,
            "explanation": "",
            "link": card.link,
            "position": card.position,
        },
    )
    assert response.status_code == 302
    card.refresh_from_db()
    assert card.edited_in_admin and card.content_changed_at is not None
    report = load_edition(deck_dir=deck_dir)
    card.refresh_from_db()
    assert card.front == "Question A, edited by an admin?"
    assert report.kept_admin_edits == ["1.1.1-a"]
    assert "--force" in str(report)
    report = load_edition(deck_dir=deck_dir, force=True)
    card.refresh_from_db()
    assert (card.front, card.edited_in_admin, report.updated) == ("Question A?", False, 1)


def test_the_command_reports_what_it_did(db):
    out = StringIO()
    call_command("load_pmle", stdout=out)
    assert "added" in out.getvalue() and "0 updated" in out.getvalue()
    out = StringIO()
    call_command("load_pmle", stdout=out)
    assert out.getvalue().startswith("pmle-2020: cards: 0 added, 0 updated, 0 retired,")
    assert "\npmle-2024: cards: 0 added, 0 updated, 0 retired," in out.getvalue()
    assert Card.objects.filter(retired=False).count() >= 270
