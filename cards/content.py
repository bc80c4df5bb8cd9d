"""What every learner shares, cached: the exam decks' cards in curriculum order.

The cache (the ``content`` alias: local memory, or Redis with REDIS_URL so that several app servers share it) is
keyed by the content version, a token the database changes by trigger in the same transaction as any change to
the content. A token is random rather than counted, so that a rolled-back change, which may have cached under its
token, never shares a token with a later one. The triggers are installed by migration 0020 and again after every
``migrate``.
"""

from __future__ import annotations

import secrets

from django.core.cache import caches
from django.db import connection, connections

from cards.models import Card, Consideration, ContentVersion, Deck, Edition, Objective, Section

CONTENT_TABLES = [model._meta.db_table for model in (Card, Deck, Consideration, Objective, Section, Edition)]
_VERSION = ContentVersion._meta.db_table
_CARD, _DECK = Card._meta.db_table, Deck._meta.db_table


def version() -> int | None:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT token FROM {_VERSION} WHERE id = 1")
        row = cursor.fetchone()
    return row[0] if row else None


# The order last read by this process, with its key: nearly every request of a worker asks for the same one, and
# reading it from the cache meant unpickling (or, with Redis, fetching) about a thousand pairs each time. Callers
# only read it.
_last: tuple[str, list[tuple[int, int | None]]] | None = None


def forget() -> None:
    """Drop what this process holds of the content (tests roll back content and the token with it)."""
    global _last
    _last = None
    caches["content"].clear()


def curriculum_order(deck_ids: list[int], version: int | None) -> list[tuple[int, int | None]]:
    """(card id, section id) of every card of these exam decks that is not retired, in curriculum order
    (``CURRICULUM_ORDER``), at this content version: the query runs once per version."""
    global _last
    key = f"curriculum:{version}:{','.join(map(str, sorted(deck_ids)))}"
    last = _last
    if last is not None and last[0] == key:
        return last[1]
    cache = caches["content"]
    order = cache.get(key)
    if order is None:
        sql = (
            f"SELECT c.id, o.section_id FROM {_CARD} c"
            f" LEFT JOIN {Consideration._meta.db_table} co ON co.id = c.consideration_id"
            f" LEFT JOIN {Objective._meta.db_table} o ON o.id = co.objective_id"
            f" LEFT JOIN {Section._meta.db_table} s ON s.id = o.section_id"
            f" WHERE c.deck_id IN ({', '.join(['%s'] * len(deck_ids))}) AND c.retired = %s"
            " ORDER BY s.number ASC NULLS LAST, o.position ASC NULLS LAST, co.position ASC NULLS LAST,"
            " c.deck_id, c.position, c.id"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, [*deck_ids, False])
            order = cursor.fetchall()
        cache.set(key, order, timeout=24 * 60 * 60)  # a day: earlier versions' entries do not pile up in Redis
    _last = (key, order)
    return order


# --- The triggers ------------------------------------------------------------------------------------------------


def _sqlite_triggers() -> list[str]:
    bump = f"INSERT OR REPLACE INTO {_VERSION} (id, token) VALUES (1, random())"
    official = f"NOT EXISTS (SELECT 1 FROM {_DECK} d WHERE d.id = {{row}}.deck_id AND d.owner_id IS NOT NULL)"
    conditions = {  # (table, event): when the change touches the exam content; own decks and their cards do not
        (_CARD, "INSERT"): official.format(row="NEW"),
        (_CARD, "DELETE"): official.format(row="OLD"),
        (_CARD, "UPDATE"): f"{official.format(row='NEW')} OR {official.format(row='OLD')}",
        (_DECK, "INSERT"): "NEW.owner_id IS NULL",
        (_DECK, "DELETE"): "OLD.owner_id IS NULL",
        (_DECK, "UPDATE"): "NEW.owner_id IS NULL OR OLD.owner_id IS NULL",
    }
    statements = []
    for table in CONTENT_TABLES:
        for event in ("INSERT", "UPDATE", "DELETE"):
            when = conditions.get((table, event))
            statements.append(
                f"CREATE TRIGGER IF NOT EXISTS {table}_content_{event.lower()} AFTER {event} ON {table}"
                f"{f' WHEN {when}' if when else ''} BEGIN {bump}; END"
            )
    return statements


def _postgresql_triggers() -> list[str]:
    own_card = f"EXISTS (SELECT 1 FROM {_DECK} d WHERE d.id = {{row}}.deck_id AND d.owner_id IS NOT NULL)"
    function = f"""
CREATE OR REPLACE FUNCTION cards_content_changed() RETURNS trigger AS $$
BEGIN
    IF TG_TABLE_NAME = '{_CARD}' THEN
        IF (TG_OP = 'DELETE' OR {own_card.format(row="NEW")}) AND (TG_OP = 'INSERT' OR {own_card.format(row="OLD")})
        THEN
            RETURN NULL;
        END IF;
    ELSIF TG_TABLE_NAME = '{_DECK}' THEN
        IF (TG_OP = 'DELETE' OR NEW.owner_id IS NOT NULL) AND (TG_OP = 'INSERT' OR OLD.owner_id IS NOT NULL) THEN
            RETURN NULL;
        END IF;
    END IF;
    INSERT INTO {_VERSION} (id, token) VALUES (1, floor(random() * 9e18)::bigint)
        ON CONFLICT (id) DO UPDATE SET token = EXCLUDED.token;
    RETURN NULL;
END
$$ LANGUAGE plpgsql"""
    statements = [function]
    for table in CONTENT_TABLES:
        statements += [
            f"DROP TRIGGER IF EXISTS {table}_content ON {table}",
            f"CREATE TRIGGER {table}_content AFTER INSERT OR UPDATE OR DELETE ON {table}"
            " FOR EACH ROW EXECUTE FUNCTION cards_content_changed()",
        ]
    return statements


def _existing_tables(db) -> set[str]:
    return set(db.introspection.table_names())


def install_triggers(db) -> None:
    """The triggers that change the content version, and the version's row. Idempotent."""
    statements = _sqlite_triggers() if db.vendor == "sqlite" else _postgresql_triggers()
    with db.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)
        cursor.execute(f"SELECT 1 FROM {_VERSION} WHERE id = 1")
        if cursor.fetchone() is None:
            cursor.execute(f"INSERT INTO {_VERSION} (id, token) VALUES (1, %s)", [secrets.randbits(62)])


def drop_triggers(db) -> None:
    tables = _existing_tables(db)
    with db.cursor() as cursor:
        for table in CONTENT_TABLES:
            if db.vendor == "sqlite":
                for event in ("insert", "update", "delete"):
                    cursor.execute(f"DROP TRIGGER IF EXISTS {table}_content_{event}")
            elif table in tables:
                cursor.execute(f"DROP TRIGGER IF EXISTS {table}_content ON {table}")
        if db.vendor != "sqlite":
            cursor.execute("DROP FUNCTION IF EXISTS cards_content_changed()")


def after_migrate(using: str = "default", **kwargs) -> None:
    """After every ``migrate`` (a post_migrate receiver; the test databases too, with or without migrations): the
    triggers are back, or gone when the database was migrated back before the content version. SQLite drops a
    table's triggers when a migration rebuilds the table, so they are put back each time."""
    db = connections[using]
    if {*CONTENT_TABLES, _VERSION} <= _existing_tables(db):
        install_triggers(db)
    else:
        drop_triggers(db)
