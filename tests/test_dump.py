"""manage.py dump_pmle: the official decks written back from the database into their data files, so that an edit
made in admin goes back into the files, and loading what was written changes nothing."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from cards.deckfile import CONTENT_DIR, check_cards, read_cards, read_guide
from cards.loader import load_edition
from cards.models import Card


def test_dumping_and_loading_again_changes_nothing_and_keeps_an_admin_edit(official_deck, tmp_path):
    card = Card.objects.filter(deck__edition__slug="pmle-2024", retired=False).order_by("position")[5]
    card.front = "An admin's question, with 'quotes', ''' three of them, and a\ttab?"
    card.explanation = "- a first point\n- a second, with a trailing quote'"
    card.tags = "admin-edit vertex-ai"
    card.edited_in_admin = True
    card.save()

    out = io.StringIO()
    call_command("dump_pmle", out=str(tmp_path), stdout=out)
    assert "pmle-2024: 349 cards written" in out.getvalue() and "pmle-2020: 387 cards written" in out.getvalue()

    for folder in ("pmle2020", "pmle2024"):
        report = load_edition(deck_dir=tmp_path / folder)
        assert (report.added, report.updated, report.retired, report.taxonomy_changes) == (0, 0, 0, 0), str(report)
        assert report.kept_admin_edits == []  # the files now say what admin said
    written = {c.key: c for c in read_cards(tmp_path / "pmle2024")}
    assert written[card.key].front == card.front and written[card.key].explanation == card.explanation
    assert written[card.key].tags == ("admin-edit", "vertex-ai")
    # Everything the files held and the database does not (the kind of card, what it carries) is kept.
    for before in read_cards(CONTENT_DIR / "pmle2024"):
        after = written[before.key]
        assert (after.kind, after.carries, after.consideration, after.link) == (
            before.kind, before.carries, before.consideration, before.link
        )  # fmt: skip


def test_the_written_files_pass_the_deck_checker(official_deck, tmp_path):
    call_command("dump_pmle", out=str(tmp_path), stdout=io.StringIO())
    previous = read_cards(tmp_path / "pmle2020")
    assert check_cards(previous, read_guide(tmp_path / "pmle2020")) == []
    assert check_cards(read_cards(tmp_path / "pmle2024"), read_guide(tmp_path / "pmle2024"), previous=previous) == []


def test_an_unknown_edition_is_refused(official_deck, tmp_path):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="No edition 'pmle-1999'"):
        call_command("dump_pmle", edition="pmle-1999", out=str(tmp_path))
