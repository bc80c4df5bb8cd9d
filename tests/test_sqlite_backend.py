"""The SQLite backend (pmle/sqlite): Django's, with each query text's placeholders converted once per process."""

from __future__ import annotations

import sqlite3

from django.db.backends.sqlite3.base import SQLiteCursorWrapper as DjangoCursor

from pmle.sqlite.base import SQLiteCursorWrapper, _qmark


def test_queries_run_as_on_djangos_backend_and_each_text_is_converted_once():
    connection = sqlite3.connect(":memory:")
    ours, django = connection.cursor(factory=SQLiteCursorWrapper), connection.cursor(factory=DjangoCursor)
    query = "SELECT %s, %s || '%%', '%%s' WHERE %s > 0"  # %% is a literal percent sign, %%s a literal %s
    assert ours.execute(query, [1, "a", 2]).fetchall() == django.execute(query, [1, "a", 2]).fetchall()
    assert ours.execute(query, [1, "a", 2]).fetchall() == [(1, "a%", "%s")]
    named = "SELECT %(x)s, %(y)s"  # Django's "pyformat" style still goes through Django's own conversion
    assert ours.execute(named, {"x": 3, "y": "b"}).fetchall() == [(3, "b")]
    assert ours.execute("SELECT 4").fetchall() == [(4,)]

    before = _qmark.cache_info()
    for _ in range(3):
        ours.execute("SELECT %s + %s", [2, 3])
    after = _qmark.cache_info()
    assert (after.misses - before.misses, after.hits - before.hits) == (1, 2)


def test_the_site_runs_on_it_when_it_runs_on_sqlite(db):
    from django.db import connection

    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            assert isinstance(cursor.cursor, SQLiteCursorWrapper)
    else:
        assert connection.vendor == "postgresql"
