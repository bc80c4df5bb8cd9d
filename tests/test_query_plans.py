"""The dashboards' figures over a window of days read that window of the review log through an index, not the whole
log: a learner's log grows by thousands of rows a year.

With the index on (card, user) alone, SQLite joined each exam card to every one of the learner's reviews of it and
tested each review's day: the home page's retention per section took 140 ms with 100,000 reviews, 4 ms through
(card, user, study_day) (scripts/bench_dashboard.py: home 170 to 75 ms). SQLite chooses that plan from the row counts
ANALYZE leaves in sqlite_stat1, and only for a long log: the test builds 5,000 reviews, then gives the review table's
indexes the counts of a 100,000-review log, so that the planner chooses as it would there. On PostgreSQL, whose
planner prefers sequential scans on a test's small tables, the plan is read with those turned off: the review log
must still be searched by day.
"""

from __future__ import annotations

import re
from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cards import stats
from cards.models import Card
from tests.factories import seed_history

TODAY = date(2026, 3, 12)
BUILT, AS_IF = 5_000, 100_000  # reviews built, and the reviews the statistics are scaled to


@pytest.fixture
def long_history(official_deck, learner):
    cards = list(Card.objects.filter(retired=False))  # both editions' cards, as bench_dashboard.py's learner
    seed_history(learner, cards, reviews=BUILT, end=TODAY, days=730)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
        if connection.vendor == "sqlite":
            as_if_reviews(cursor, AS_IF)


def as_if_reviews(cursor, rows: int) -> None:
    """Scale the review table's statistics to ``rows`` reviews of the same learner over the same cards and days:
    each index's row count and its rows per key prefix grow with the log, but a prefix that is already unique (1)
    stays so. ``ANALYZE sqlite_schema`` makes the planner read the statistics again."""
    cursor.execute("SELECT idx, stat FROM sqlite_stat1 WHERE tbl = 'cards_review'")
    for index, stat in cursor.fetchall():
        scaled = [max(1, round(int(n) * rows / BUILT)) if int(n) > 1 else 1 for n in stat.split()]
        cursor.execute(
            "UPDATE sqlite_stat1 SET stat = %s WHERE tbl = 'cards_review' AND idx = %s",
            [" ".join(map(str, scaled)), index],
        )
    cursor.execute("ANALYZE sqlite_schema")


def review_log_searches(sql: str) -> list[str]:
    """How the plan reads the review table: SQLite's SEARCH/SCAN lines, PostgreSQL's scan nodes with their
    conditions."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("EXPLAIN QUERY PLAN " + sql)
            return [row[3] for row in cursor.fetchall() if re.search(r"\b(SEARCH|SCAN) cards_review\b", row[3])]
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("EXPLAIN " + sql)
        lines = [row[0].strip() for row in cursor.fetchall()]
    searches = []
    for n, line in enumerate(lines):
        if re.search(r"Scan.* on cards_review\b", line):
            conditions = [x for x in lines[n + 1 : n + 4] if x.startswith(("Index Cond", "Recheck Cond"))]
            searches.append(" ".join([line, *conditions]))
    return searches


def the_query(call) -> str:
    with CaptureQueriesContext(connection) as captured:
        call()
    (sql,) = [q["sql"] for q in captured.captured_queries if "cards_review" in q["sql"]]
    return sql


@pytest.mark.django_db
def test_retention_per_section_reads_the_last_30_days_of_the_log_through_an_index(long_history, learner):
    searches = review_log_searches(the_query(lambda: stats.recent_retention_by_section(learner, TODAY)))
    assert searches, "the review table is not read at all"
    assert all("study_day" in search for search in searches), searches
