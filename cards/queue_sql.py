"""The daily queue's hottest queries, in SQL (cards/reviews.py builds the queue from them).

Each one replaces an ORM query that cost more to build than to run; tests/test_queue_sql.py checks each against
the ORM version it replaces. Dates are passed as the database compares them (SQLite keeps ISO text).
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from django.db import connection

from accounts.models import User
from cards.models import Card, Consideration, Objective, Progress, Review, Section

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


def todays_reviews(user: User, today: date) -> list[tuple[int, int, int, str]]:
    """Today's grades as (id, card id, grade, kind), oldest first: plain tuples, since a learner's day can hold
    hundreds and the queue needs only these four values of each (model instances cost far more to build)."""
    sql = (
        f"SELECT r.id, r.card_id, r.grade, r.kind FROM {Review._meta.db_table} r"
        f" WHERE r.user_id = %s AND r.study_day = %s AND r.undone_at IS NULL"
        f" AND r.kind NOT IN ({placeholders(Review.UNGRADED)}) ORDER BY r.reviewed_at, r.id"
    )
    return rows(sql, [user.id, day(today), *Review.UNGRADED])


def due_rows(
    user: User, scope: Scope, deck_ids: list[int], today: date, leave_out: list[int]
) -> list[tuple[int, date, int]]:
    """(card id, due day, interval) of every card of the scope due by ``today``, neither suspended nor buried,
    except ``leave_out`` (the cards to re-drill)."""
    if not deck_ids:
        return []
    sql = f"SELECT p.card_id, p.due, p.interval FROM {Progress._meta.db_table} p"
    sql += f" JOIN {Card._meta.db_table} c ON c.id = p.card_id"
    where = [
        "p.user_id = %s",
        "p.due <= %s",
        "NOT p.suspended",  # written as in the partial index progress_user_due, so that SQLite may use it
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
    return [
        (card_id, as_date(due), interval)
        for card_id, due, interval in rows(f"{sql} WHERE {' AND '.join(where)}", params)
    ]


def unstarted(user: User, scope: Scope, deck_ids: list[int], today: date, *, curriculum: bool, limit: int) -> list[int]:
    """The first ``limit`` cards of these decks in the scope that the learner has not started (nor suspended or
    buried): in curriculum order (``CURRICULUM_ORDER``) for the exam deck, else by position, deck and id."""
    if not deck_ids or limit <= 0:
        return []
    sql = (
        f"SELECT c.id FROM {Card._meta.db_table} c"
        f" LEFT JOIN {Consideration._meta.db_table} co ON co.id = c.consideration_id"
        f" LEFT JOIN {Objective._meta.db_table} o ON o.id = co.objective_id"
        f" LEFT JOIN {Section._meta.db_table} s ON s.id = o.section_id"
        f" WHERE c.deck_id IN ({placeholders(deck_ids)}) AND c.retired = %s"
        f" AND NOT EXISTS (SELECT 1 FROM {Progress._meta.db_table} p WHERE p.user_id = %s AND p.card_id = c.id"
        " AND (p.due IS NOT NULL OR p.suspended = %s OR (p.buried_until IS NOT NULL AND p.buried_until > %s)))"
    )
    params = [*deck_ids, False, user.id, True, day(today)]
    if scope.section is not None:
        sql += " AND o.section_id = %s"
        params.append(scope.section.id)
    if curriculum:
        sql += (
            " ORDER BY s.number ASC NULLS LAST, o.position ASC NULLS LAST, co.position ASC NULLS LAST,"
            " c.deck_id, c.position, c.id"
        )
    else:
        sql += " ORDER BY c.position, c.deck_id, c.id"
    return [card_id for (card_id,) in rows(f"{sql} LIMIT %s", [*params, limit])]
