"""The daily queue's hottest queries, in SQL (cards/reviews.py builds the queue from them).

Each one replaces an ORM query that cost more to build than to run; tests/test_queue_sql.py checks each against
the ORM version it replaces. Dates are passed as the database compares them (SQLite keeps ISO text).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from django.db import DEFAULT_DB_ALIAS, connection, connections
from django.db.models import Count, Q
from django.db.models.base import ModelState

from accounts.models import User
from cards import content
from cards.models import Card, Consideration, DayCounts, Deck, ExtraNewCards, Objective, Progress, Review, Section

if TYPE_CHECKING:
    from cards.reviews import Scope


def rows(sql: str, params: list) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def day(value: date) -> date | str:
    """A date as the database compares it (SQLite keeps ISO text)."""
    return connection.ops.adapt_datefield_value(value)


def as_date(value: date | str | None) -> date | None:
    return date.fromisoformat(value) if isinstance(value, str) else value


def placeholders(values: list) -> str:
    return ", ".join(["%s"] * len(values))


@dataclass(frozen=True)
class Today:
    """What the queue needs of a learner's day so far, counted by the database: a long day is a few numbers (and the
    grades of the cards graded below 4, if any), not hundreds of rows read on every screen."""

    scheduled: int  # scheduled reviews graded today: the review limit counts them
    new: int  # new cards graded today: the new-card limit counts them
    extra_new: int  # more new cards asked for today in this scope ("study more")
    last_review_id: int | None  # what undo would take back
    drill: list[int]  # cards whose latest grade today (practice aside) is below 4, the longest-waiting first


def today_so_far(user: User, scope_key: str, today: date) -> Today:
    """One query for the day's counts (one DayCounts row), the latest review and today's extra new cards; a second
    only on a day with a grade below 4, for those cards' grades."""
    day_params = [user.id, day(today)]
    ((scheduled, new, low, last_id, extra),) = rows(
        _TODAY, [*day_params, *Review.UNGRADED, *day_params, scope_key, *day_params]
    )
    drill = []
    if low:
        latest: dict[int, int] = {}
        for card_id, grade in rows(_LOW, [*day_params, *_GRADED, *day_params, *_GRADED]):
            latest.pop(card_id, None)
            latest[card_id] = grade
        drill = [card_id for card_id, grade in latest.items() if grade < 4]
    return Today(scheduled or 0, new or 0, extra or 0, last_id, drill)


_GRADED = (Review.Kind.SCHEDULED, Review.Kind.NEW, Review.Kind.DRILL)  # practice and log entries aside
_OF_THE_DAY = "r.user_id = %s AND r.study_day = %s AND r.undone_at IS NULL"
_COUNTS = DayCounts._meta.db_table
_TODAY = (
    "SELECT n.scheduled, n.new, n.low,"
    f" (SELECT r.id FROM {Review._meta.db_table} r WHERE {_OF_THE_DAY} AND r.kind NOT IN (%s, %s)"
    " ORDER BY r.reviewed_at DESC, r.id DESC LIMIT 1),"
    f" (SELECT x.count FROM {ExtraNewCards._meta.db_table} x"
    " WHERE x.user_id = %s AND x.study_day = %s AND x.scope = %s)"  # unique together: one row at most
    f" FROM (SELECT 1) AS one LEFT JOIN {_COUNTS} n ON n.user_id = %s AND n.study_day = %s"
)


def count_grade(review: Review, *, undone: bool = False) -> None:
    """Count a grade in its study day's DayCounts, or take back an undone one: called in the transaction that
    writes the review or undoes it, so that the counts and the reviews never disagree. Practice grades and the
    log's entries count towards no limit."""
    if review.kind not in _GRADED:
        return
    scheduled, new, low = (
        int(review.kind == Review.Kind.SCHEDULED),
        int(review.kind == Review.Kind.NEW),
        int(review.grade < 4),
    )
    where = [review.user_id, day(review.study_day)]
    with this_connection().cursor() as cursor:
        if undone:
            cursor.execute(_UNCOUNT, [scheduled, new, low, *where])
        else:
            cursor.execute(_COUNT, [*where, scheduled, new, low])


def recount_days(user_id: int) -> None:
    """Count every study day of a learner again from their reviews still standing, as count_grade would have: for
    histories written in bulk (the tests' and the benchmarks' seeds) rather than grade by grade."""
    days = (
        Review.objects.filter(user_id=user_id, undone_at__isnull=True, kind__in=_GRADED)
        .values("study_day")
        .annotate(
            scheduled=Count("id", filter=Q(kind=Review.Kind.SCHEDULED)),
            new=Count("id", filter=Q(kind=Review.Kind.NEW)),
            low=Count("id", filter=Q(grade__lt=4)),
        )
        .order_by()
    )
    DayCounts.objects.filter(user_id=user_id).delete()
    DayCounts.objects.bulk_create(DayCounts(user_id=user_id, **counts) for counts in days)


_COUNT = (
    f"INSERT INTO {_COUNTS} (user_id, study_day, scheduled, new, low) VALUES (%s, %s, %s, %s, %s)"
    f" ON CONFLICT (user_id, study_day) DO UPDATE SET scheduled = {_COUNTS}.scheduled + excluded.scheduled,"
    f" new = {_COUNTS}.new + excluded.new, low = {_COUNTS}.low + excluded.low"
)
# The row exists (the grade was counted when it was written); never taken below zero all the same.
_UNCOUNT = (
    f"UPDATE {_COUNTS} SET scheduled = CASE WHEN scheduled > 0 THEN scheduled - %s ELSE 0 END,"
    " new = CASE WHEN new > 0 THEN new - %s ELSE 0 END, low = CASE WHEN low > 0 THEN low - %s ELSE 0 END"
    " WHERE user_id = %s AND study_day = %s"
)
# Today's grades, oldest first, of the cards graded below 4 today.
_LOW = (
    f"SELECT r.card_id, r.grade FROM {Review._meta.db_table} r WHERE {_OF_THE_DAY} AND r.kind IN (%s, %s, %s)"
    f" AND r.card_id IN (SELECT r.card_id FROM {Review._meta.db_table} r WHERE {_OF_THE_DAY}"
    " AND r.kind IN (%s, %s, %s) AND r.grade < 4) ORDER BY r.reviewed_at, r.id"
)


def due_ids(user: User, scope: Scope, deck_ids: list[int], today: date, leave_out: list[int]) -> list[int]:
    """The ids of every card of the scope due by ``today``, neither suspended nor buried, except ``leave_out`` (the
    cards to re-drill): most at risk first, as ``cards.reviews.at_risk_first`` orders them, sorted by the database.

    Sorting there spares reading each card's due day and interval into Python (SQLite hands dates over as text,
    parsed one by one) and a sort by a Python key, about a third of a millisecond for a learner with 150 cards due,
    on every review screen and grade."""
    if not deck_ids:
        return []
    sql = f"SELECT p.card_id FROM {Progress._meta.db_table} p"
    sql += f" JOIN {Card._meta.db_table} c ON c.id = p.card_id"
    where = [
        "p.user_id = %s",
        "p.due <= %s",
        "NOT p.suspended",  # written as in the partial index progress_user_due_cover, so that SQLite may use it
        "NOT (p.buried_until IS NOT NULL AND p.buried_until > %s)",
        f"c.deck_id IN ({placeholders(deck_ids)})",
        "c.retired = %s",
    ]
    params = [user.id, day(today), day(today), *deck_ids, False]
    if scope.section is not None:
        sql += f" JOIN {Consideration._meta.db_table} co ON co.id = c.consideration_id"
        sql += f" JOIN {Objective._meta.db_table} o ON o.id = co.objective_id"
        where.append("o.section_id = %s")
        params.append(scope.section.id)
    if leave_out:
        where.append(f"p.card_id NOT IN ({placeholders(leave_out)})")
        params += leave_out
    sql += f" WHERE {' AND '.join(where)} ORDER BY {_AT_RISK_FIRST[connection.vendor]}"
    return [card_id for (card_id,) in rows(sql, [*params, day(today)])]


# at_risk_first's key in SQL: (due - today) / max(interval, 1) in days as a float (the same IEEE division as
# Python's), then the due day, then the card id. SQLite keeps dates as ISO text; PostgreSQL subtracts dates to days.
_AT_RISK_FIRST = {
    "sqlite": "(julianday(p.due) - julianday(%s)) / MAX(p.interval, 1), p.due, p.card_id",
    "postgresql": "CAST(p.due - CAST(%s AS date) AS double precision) / GREATEST(p.interval, 1), p.due, p.card_id",
}


def unstarted(
    user: User,
    scope: Scope,
    deck_ids: list[int],
    today: date,
    *,
    curriculum: bool,
    limit: int,
    version: int | None = None,
) -> list[int]:
    """The first ``limit`` cards of these decks in the scope that the learner has not started (nor suspended or
    buried): in curriculum order (``CURRICULUM_ORDER``) for the exam deck, else by position, deck and id.

    The exam deck's order is the same for every learner, cached by content version (cards/content.py; read here
    unless the caller read it with the decks): the cards this learner started, from their progress alone, are
    left out of it."""
    if not deck_ids or limit <= 0:
        return []
    if curriculum:
        ((joined,),) = rows(_STARTED[connection.vendor], [user.id, True, day(today)])
        started = set(map(int, joined.split(","))) if joined else set()
        order = content.curriculum_order(deck_ids, content.version() if version is None else version)
        if scope.section is None:
            return [card_id for card_id, _ in order if card_id not in started][:limit]
        section = scope.section.id
        return [card_id for card_id, section_id in order if section_id == section and card_id not in started][:limit]
    sql = (
        f"SELECT c.id FROM {Card._meta.db_table} c"
        f" LEFT JOIN {Consideration._meta.db_table} co ON co.id = c.consideration_id"
        f" LEFT JOIN {Objective._meta.db_table} o ON o.id = co.objective_id"
        f" WHERE c.deck_id IN ({placeholders(deck_ids)}) AND c.retired = %s"
        f" AND NOT EXISTS (SELECT 1 FROM {Progress._meta.db_table} p WHERE p.user_id = %s AND p.card_id = c.id"
        " AND (p.due IS NOT NULL OR p.suspended = %s OR (p.buried_until IS NOT NULL AND p.buried_until > %s)))"
    )
    params = [*deck_ids, False, user.id, True, day(today)]
    if scope.section is not None:
        sql += " AND o.section_id = %s"
        params.append(scope.section.id)
    sql += " ORDER BY c.position, c.deck_id, c.id LIMIT %s"
    return [card_id for (card_id,) in rows(sql, [*params, limit])]


# The cards a learner has started, suspended or buried: not new to them. Joined into one string, in no order: one
# row instead of one per card cut the review screen's cost by about 2% (a row costs SQLite's module a step, a tuple
# and a hand-over of the GIL; a learner two thirds through the exam deck has about 200).
_STARTED_WHERE = (
    f" FROM {Progress._meta.db_table} p WHERE p.user_id = %s"
    " AND (p.due IS NOT NULL OR p.suspended = %s OR (p.buried_until IS NOT NULL AND p.buried_until > %s))"
)
_STARTED = {
    "sqlite": "SELECT group_concat(p.card_id, ',')" + _STARTED_WHERE,
    "postgresql": "SELECT string_agg(CAST(p.card_id AS text), ',')" + _STARTED_WHERE,
}


@functools.cache
def columns(model, alias: str) -> str:
    return ", ".join(f"{alias}.{connection.ops.quote_name(f.column)}" for f in model._meta.concrete_fields)


@functools.cache
def _loader(model) -> tuple[list[str], list[tuple[int, object, list]]]:
    """The attribute names of a model's columns, and the columns that have converters (dates from SQLite's text,
    say): each one's position, column and converters."""
    fields = model._meta.concrete_fields
    converters = []
    for n, field in enumerate(fields):
        col = field.get_col(model._meta.db_table)
        # As the ORM's compiler does (SQLCompiler.get_converters): the backend's converters, then the field's.
        convert_all = connection.ops.get_db_converters(col) + col.get_db_converters(connection)
        if convert_all:
            converters.append((n, col, convert_all))
    return [f.attname for f in fields], converters


def instance(model, values: tuple):
    """A model instance from its columns' values in ``concrete_fields`` order, as the ORM builds one, or None for
    the columns of a LEFT JOIN that matched nothing.

    Built as ``Model.from_db`` builds it, less ``Model.__init__``: its setattr through each field's descriptor and
    its pre_init and post_init signals, which these models have no receivers for (tests/test_queue_sql.py checks
    that) were about 2% of the review screen, for its six instances."""
    if values[0] is None:
        return None
    names, converters = _loader(model)
    if len(values) != len(names):
        raise ValueError(f"{model.__name__} has {len(names)} columns, not {len(values)}")
    db = this_connection()
    values = list(values)
    for n, col, convert_all in converters:
        value = values[n]
        for convert in convert_all:
            value = convert(value, col, db)
        values[n] = value
    obj = model.__new__(model)
    obj.__dict__.update(zip(names, values, strict=True))
    obj._state = ModelState()
    obj._state.adding, obj._state.db = False, db.alias
    return obj


def this_connection():
    """The connection ``django.db.connection`` stands for, looked up once: the proxy looks it up again (in a
    context-local store) on every attribute, and the fields' converters and ``get_db_prep_save`` ask it for its
    operations once per column."""
    return connections[DEFAULT_DB_ALIAS]


_CARD_MODELS = (
    (Card, "c"),
    (Deck, "d"),
    (Consideration, "co"),
    (Objective, "o"),
    (Section, "s"),
    (Progress, "p"),
)


def card_with_progress(user: User, card_id: int) -> tuple[Card | None, Progress | None]:
    """A card with what the review screen shows of it (its deck, consideration, objective and section) and the
    learner's progress row for it, in one query: the ORM's select_related and a second query for the progress
    cost the review screen about a millisecond to build, ten times what the database took to answer."""
    found = rows(_card_sql(), [user.id, card_id])
    if not found:
        return None, None
    row, start, objects = found[0], 0, []
    for model, _ in _CARD_MODELS:
        width = len(model._meta.concrete_fields)
        objects.append(instance(model, row[start : start + width]))
        start += width
    card, deck, consideration, objective, section, progress = objects
    card.deck = deck
    card.consideration = consideration
    if consideration is not None:
        consideration.objective = objective
        objective.section = section
    if progress is not None:
        progress.card = card
    return card, progress


@functools.cache
def _card_sql() -> str:
    return (
        f"SELECT {', '.join(columns(model, alias) for model, alias in _CARD_MODELS)}"
        f" FROM {Card._meta.db_table} c JOIN {Deck._meta.db_table} d ON d.id = c.deck_id"
        f" LEFT JOIN {Consideration._meta.db_table} co ON co.id = c.consideration_id"
        f" LEFT JOIN {Objective._meta.db_table} o ON o.id = co.objective_id"
        f" LEFT JOIN {Section._meta.db_table} s ON s.id = o.section_id"
        f" LEFT JOIN {Progress._meta.db_table} p ON p.card_id = c.id AND p.user_id = %s"
        " WHERE c.id = %s"
    )


def progress_for_update(user: User, card_id: int) -> Progress | None:
    """The learner's progress row for a card, locked until the transaction ends (on PostgreSQL; SQLite's IMMEDIATE
    transaction already holds the write lock)."""
    lock = " FOR UPDATE" if connection.features.has_select_for_update else ""
    sql = f"SELECT {columns(Progress, 'p')} FROM {Progress._meta.db_table} p WHERE p.user_id = %s AND p.card_id = %s"
    found = rows(sql + lock, [user.id, card_id])
    return instance(Progress, found[0]) if found else None


@functools.cache
def _write_sql(model) -> tuple[list, str, str]:
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    table, pk = model._meta.db_table, connection.ops.quote_name(model._meta.pk.column)
    names = [connection.ops.quote_name(f.column) for f in fields]
    insert = f"INSERT INTO {table} ({', '.join(names)}) VALUES ({placeholders(fields)})"
    if connection.features.can_return_columns_from_insert:
        insert += f" RETURNING {pk}"
    update = f"UPDATE {table} SET {', '.join(f'{name} = %s' for name in names)} WHERE {pk} = %s"
    return fields, insert, update


def save(obj) -> None:
    """``obj.save()`` for a grade's two writes (the progress row and the review), as one plain statement: the ORM
    took several times longer to build each than the database took to run it. A new row is inserted and its id
    read back, a loaded one has every column updated; values are prepared by their fields as the ORM prepares
    them. No signals are sent (the models have no receivers)."""
    fields, insert, update = _write_sql(type(obj))
    adding, db = obj._state.adding, this_connection()
    values = [f.get_db_prep_save(f.pre_save(obj, adding), db) for f in fields]
    with db.cursor() as cursor:
        if not adding:
            cursor.execute(update, [*values, obj.pk])
            return
        cursor.execute(insert, values)
        if db.features.can_return_columns_from_insert:
            obj.pk = cursor.fetchone()[0]
        else:
            obj.pk = db.ops.last_insert_id(cursor, type(obj)._meta.db_table, type(obj)._meta.pk.column)
    obj._state.adding, obj._state.db = False, db.alias
