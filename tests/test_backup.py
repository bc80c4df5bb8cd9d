"""manage.py backup, then a restore into a fresh database that finds every review (SQLite, and PostgreSQL when
the suite runs there)."""

from __future__ import annotations

import sqlite3
import subprocess
import uuid

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from cards.models import Review
from tests.factories import CardFactory, DeckFactory, ReviewFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)  # the backup reads committed rows, as it does in production


def reviews_in_the_database() -> set[tuple]:
    return set(Review.objects.values_list("id", "user_id", "card_id", "grade"))


@pytest.fixture
def history():
    user = UserFactory()
    cards = [CardFactory(deck=DeckFactory(owner=user)) for _ in range(3)]
    for n in range(25):
        ReviewFactory(user=user, card=cards[n % 3], grade=n % 6)
    return reviews_in_the_database()


def restored_reviews(path, vendor: str) -> set[tuple]:
    query = "SELECT id, user_id, card_id, grade FROM cards_review"
    if vendor == "sqlite":
        fresh = path.with_name("restored.sqlite3")
        fresh.write_bytes(path.read_bytes())  # the documented restore: the file becomes the database
        with sqlite3.connect(fresh) as db:
            return set(db.execute(query).fetchall())
    params = connection.settings_dict
    name = f"pmle_restore_{uuid.uuid4().hex[:8]}"
    base = ["-h", params.get("HOST") or "127.0.0.1", "-U", params.get("USER") or "postgres"]
    subprocess.run(["createdb", *base, name], check=True)
    try:
        subprocess.run(["pg_restore", "--no-owner", *base, "-d", name, str(path)], check=True)
        out = subprocess.run(
            ["psql", *base, "-d", name, "-At", "-F", ",", "-c", query], check=True, capture_output=True
        )
        return {tuple(int(v) for v in line.split(",")) for line in out.stdout.decode().splitlines() if line}
    finally:
        subprocess.run(["dropdb", *base, name], check=True)


def test_a_backup_restored_into_a_fresh_database_has_every_review(history, tmp_path):
    target = tmp_path / "backup.bin"
    call_command("backup", output=str(target), stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert len(history) == 25
    assert restored_reviews(target, connection.vendor) == history


def test_a_backup_never_overwrites_a_file(tmp_path, db):
    target = tmp_path / "exists.bin"
    target.write_text("keep me")
    with pytest.raises(CommandError, match="exists already"):
        call_command("backup", output=str(target))
    assert target.read_text() == "keep me"
