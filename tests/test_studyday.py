from __future__ import annotations

import time
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from cards.studyday import study_day, study_day_start

NY = "America/New_York"
BERLIN = "Europe/Berlin"


def at(tz: str, *args: int, fold: int = 0) -> datetime:
    return datetime(*args, tzinfo=ZoneInfo(tz), fold=fold)


@pytest.mark.parametrize(
    ("moment", "tz", "hour", "expected"),
    [
        (at(NY, 2026, 5, 10, 1, 30), NY, 4, date(2026, 5, 9)),  # 01:30 belongs to the evening before
        (at(NY, 2026, 5, 10, 3, 59), NY, 4, date(2026, 5, 9)),
        (at(NY, 2026, 5, 10, 4, 0), NY, 4, date(2026, 5, 10)),
        (at(NY, 2026, 5, 10, 23, 59), NY, 0, date(2026, 5, 10)),
        (at(NY, 2026, 5, 10, 0, 0), NY, 0, date(2026, 5, 10)),
        # Spring forward in New York, 2026-03-08 02:00 -> 03:00: the boundary stays at 04:00 local.
        (at(NY, 2026, 3, 8, 3, 59), NY, 4, date(2026, 3, 7)),
        (at(NY, 2026, 3, 8, 4, 0), NY, 4, date(2026, 3, 8)),
        # Fall back in New York, 2026-11-01 02:00 -> 01:00: both 01:30s belong to the evening before.
        (at(NY, 2026, 11, 1, 1, 30, fold=0), NY, 4, date(2026, 10, 31)),
        (at(NY, 2026, 11, 1, 1, 30, fold=1), NY, 4, date(2026, 10, 31)),
        (at(NY, 2026, 11, 1, 4, 0), NY, 4, date(2026, 11, 1)),
        # Europe, 2026-03-29 02:00 -> 03:00 and 2026-10-25 03:00 -> 02:00.
        (at(BERLIN, 2026, 3, 29, 3, 30), BERLIN, 4, date(2026, 3, 28)),
        (at(BERLIN, 2026, 10, 25, 2, 30, fold=1), BERLIN, 4, date(2026, 10, 24)),
        # The same instant, seen from two zones.
        (datetime(2026, 6, 1, 3, 0, tzinfo=UTC), "UTC", 4, date(2026, 5, 31)),
        (datetime(2026, 6, 1, 3, 0, tzinfo=UTC), "Asia/Tokyo", 4, date(2026, 6, 1)),
    ],
)
def test_study_day(moment, tz, hour, expected):
    assert study_day(moment, tz, hour) == expected


def test_a_change_of_time_zone_moves_the_study_day():
    moment = datetime(2026, 6, 1, 6, 0, tzinfo=UTC)  # 02:00 in New York, 15:00 in Tokyo
    assert study_day(moment, NY, 4) == date(2026, 5, 31)
    assert study_day(moment, "Asia/Tokyo", 4) == date(2026, 6, 1)


def test_naive_datetimes_are_refused():
    with pytest.raises(ValueError):
        study_day(datetime(2026, 1, 1, 12), "UTC", 4)


@pytest.mark.parametrize(
    ("day", "tz", "hour", "start_utc"),
    [
        (date(2026, 5, 10), NY, 4, datetime(2026, 5, 10, 8, tzinfo=UTC)),
        (date(2026, 3, 8), NY, 2, datetime(2026, 3, 8, 7, tzinfo=UTC)),  # 02:00 does not exist: starts at 03:00 EDT
        (date(2026, 11, 1), NY, 1, datetime(2026, 11, 1, 5, tzinfo=UTC)),  # 01:00 happens twice: the first one
    ],
)
def test_study_day_start(day, tz, hour, start_utc):
    assert study_day_start(day, tz, hour) == start_utc


@pytest.mark.parametrize("day", [date(2026, 3, 7), date(2026, 3, 8), date(2026, 10, 31), date(2026, 11, 1)])
@pytest.mark.parametrize("hour", [0, 2, 4])
def test_a_study_day_starts_at_its_own_start_across_dst(day, hour):
    start = study_day_start(day, NY, hour)
    assert study_day(start, NY, hour) == day
    assert study_day(start - timedelta(seconds=1), NY, hour) == day - timedelta(days=1)
    following = study_day_start(day + timedelta(days=1), NY, hour)
    assert 23 * 3600 <= (following - start).total_seconds() <= 25 * 3600


@pytest.mark.parametrize("server_zone", ["UTC", "Asia/Tokyo", "America/Los_Angeles"])
def test_a_study_day_start_is_given_in_utc_whatever_the_servers_own_time_zone(monkeypatch, server_zone):
    monkeypatch.setenv("TZ", server_zone)
    time.tzset()
    try:
        start = study_day_start(date(2026, 5, 10), NY, 4)
    finally:
        monkeypatch.undo()
        time.tzset()
    assert start.isoformat() == "2026-05-10T08:00:00+00:00"


def test_a_naive_datetime_is_refused_with_a_message_that_says_why():
    with pytest.raises(ValueError, match="^study_day needs an aware datetime$"):
        study_day(datetime(2026, 6, 10, 12, 0), "UTC", 4)
