"""Which study day it is for a learner: pure, takes the time, zone and rollover hour as arguments.

A study day starts at the learner's rollover hour in their own time zone (04:00 by default, as in Anki), so a
review at 01:30 still belongs to the evening before. Study days are plain ``date`` objects: the calendar date on
which that study day began.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo


def study_day(moment: datetime, tz_name: str, rollover_hour: int) -> date:
    """The study day that an aware ``moment`` falls in, for a learner in ``tz_name``."""
    if moment.tzinfo is None:
        raise ValueError("study_day needs an aware datetime")
    local = moment.astimezone(ZoneInfo(tz_name))
    # Subtracting hours from the local wall-clock time (not the instant) keeps the boundary at the rollover hour
    # on days when the clocks change.
    return (local.replace(tzinfo=None) - timedelta(hours=rollover_hour)).date()


def study_day_start(day: date, tz_name: str, rollover_hour: int) -> datetime:
    """The aware instant (in UTC) at which ``day`` begins: its rollover hour, local time.

    When the rollover hour does not exist that night (a spring-forward gap), zoneinfo reads the wall time with the
    offset from before the change, which is exactly the instant the clocks jumped: the first moment of the day.
    """
    local = datetime.combine(day, time(rollover_hour)).replace(tzinfo=ZoneInfo(tz_name))
    return local.astimezone(UTC)
