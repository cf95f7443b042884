"""Working windows on each person's own clock: boundaries, weekends, DST, far-apart zones."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import pytest

from bot.domain.supervision import next_slot, reminder_time
from bot.domain.working_hours import (
    WorkingWindow,
    add_working_time,
    is_working_time,
    next_working_moment,
)

OFFICE = WorkingWindow(hours=(time(9), time(18)), days=frozenset(range(5)))
ALWAYS = WorkingWindow(hours=None, days=frozenset(range(7)))
LA, AUCKLAND, LONDON = "America/Los_Angeles", "Pacific/Auckland", "Europe/London"


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


@pytest.mark.parametrize(
    ("moment", "tz", "expected"),
    [
        # inside the window: unchanged
        (utc(2026, 11, 24, 10, 0), LONDON, utc(2026, 11, 24, 10, 0)),
        # 08:59 in London: wait a minute
        (utc(2026, 11, 24, 8, 59), LONDON, utc(2026, 11, 24, 9, 0)),
        # 18:00 is closed (the window is [09:00, 18:00)): next morning
        (utc(2026, 11, 24, 18, 0), LONDON, utc(2026, 11, 25, 9, 0)),
        # Friday evening: Monday morning
        (utc(2026, 11, 27, 19, 0), LONDON, utc(2026, 11, 30, 9, 0)),
        # Saturday noon in London: Monday 09:00
        (utc(2026, 11, 28, 12, 0), LONDON, utc(2026, 11, 30, 9, 0)),
        # Monday 17:00 UTC is 09:00 Monday in Los Angeles: open
        (utc(2026, 11, 23, 17, 0), LA, utc(2026, 11, 23, 17, 0)),
        # Monday 10:00 UTC is 02:00 in LA: 09:00 LA = 17:00 UTC
        (utc(2026, 11, 23, 10, 0), LA, utc(2026, 11, 23, 17, 0)),
        # Friday 21:00 UTC is Saturday 10:00 in Auckland: Monday 09:00 NZDT = Sunday 20:00 UTC
        (utc(2026, 11, 27, 21, 0), AUCKLAND, utc(2026, 11, 29, 20, 0)),
        # Sunday 19:00 UTC is Monday 08:00 in Auckland: an hour later
        (utc(2026, 11, 29, 19, 0), AUCKLAND, utc(2026, 11, 29, 20, 0)),
        # no zone known: UTC
        (utc(2026, 11, 28, 12, 0), None, utc(2026, 11, 30, 9, 0)),
    ],
)
def test_next_working_moment(moment: datetime, tz: str | None, expected: datetime) -> None:
    assert next_working_moment(moment, tz, OFFICE) == expected
    assert is_working_time(expected, tz, OFFICE)


def test_always_means_always() -> None:
    saturday_night = utc(2026, 11, 28, 23, 30)
    assert next_working_moment(saturday_night, LA, ALWAYS) == saturday_night


def test_dst_spring_forward_in_los_angeles() -> None:
    # Clocks go 02:00 -> 03:00 on Sunday 8 March 2026; the window opens Monday 09:00 PDT
    sunday = utc(2026, 3, 8, 12, 0)
    assert next_working_moment(sunday, LA, OFFICE) == utc(2026, 3, 9, 16, 0)  # UTC-7
    # a week earlier, still on PST
    assert next_working_moment(sunday - timedelta(days=7), LA, OFFICE) == utc(2026, 3, 2, 17, 0)


def test_dst_in_auckland() -> None:
    # NZ daylight time starts Sunday 27 Sep 2026 (UTC+12 -> +13): Monday 09:00 moves an hour
    before = next_working_moment(utc(2026, 9, 19, 12, 0), AUCKLAND, OFFICE)
    after = next_working_moment(utc(2026, 9, 26, 12, 0), AUCKLAND, OFFICE)
    assert before == utc(2026, 9, 20, 21, 0)
    assert after == utc(2026, 9, 27, 20, 0)


def test_working_days_only() -> None:
    weekends = WorkingWindow(hours=None, days=frozenset({5, 6}))
    assert next_working_moment(utc(2026, 11, 24, 10, 0), LONDON, weekends) == utc(
        2026, 11, 28, 0, 0
    )


def test_working_time_skips_nights_and_weekends() -> None:
    friday_5pm = utc(2026, 11, 27, 17, 0)
    monday_10am = utc(2026, 11, 30, 10, 0)
    assert add_working_time(friday_5pm, timedelta(hours=2), LONDON, OFFICE) == monday_10am
    assert add_working_time(friday_5pm, timedelta(hours=65), LONDON, ALWAYS) == monday_10am


def test_next_slot_skips_missed_slots_after_downtime() -> None:
    every = timedelta(days=1)
    previous = utc(2026, 11, 24, 9, 0)
    # on time: one interval on
    assert next_slot(previous, every, previous, LONDON, OFFICE) == utc(2026, 11, 25, 9, 0)
    # three days of downtime: the next slot is the first boundary still to come
    late = utc(2026, 11, 27, 11, 0)
    assert next_slot(previous, every, late, LONDON, OFFICE) == utc(2026, 11, 30, 9, 0)


def test_reminder_time() -> None:
    now = utc(2026, 11, 23, 10, 0)
    # a week out: a day before, at a working time
    assert reminder_time(now, utc(2026, 11, 30, 18, 0), LONDON, OFFICE) == utc(2026, 11, 30, 9, 0)
    # a day out: halfway there (22:00 is closed, so the next morning, still before the due date)
    assert reminder_time(now, utc(2026, 11, 24, 10, 0), LONDON, OFFICE) == utc(2026, 11, 24, 9, 0)
    # too close, or nothing working in between: no reminder
    assert reminder_time(now, now + timedelta(hours=1), LONDON, OFFICE) is None
    assert reminder_time(now, utc(2026, 11, 24, 8, 0), LONDON, OFFICE) is None
    assert reminder_time(now, None, LONDON, OFFICE) is None


def test_a_daily_checkin_keeps_its_wall_clock_time_across_dst() -> None:
    # London leaves summer time on Sunday 25 Oct 2026: 09:00 BST is 08:00 UTC, 09:00 GMT 09:00 UTC
    friday = utc(2026, 10, 23, 8, 0)
    assert next_slot(friday, timedelta(days=1), friday, LONDON, OFFICE) == utc(2026, 10, 26, 9, 0)
    every_day = WorkingWindow(hours=None, days=frozenset(range(7)))
    saturday = utc(2026, 10, 24, 8, 0)
    assert next_slot(saturday, timedelta(days=1), saturday, LONDON, every_day) == utc(
        2026, 10, 25, 9, 0
    )
    # hours are hours: a 12-hour cadence is counted in elapsed time
    assert next_slot(saturday, timedelta(hours=12), saturday, LONDON, every_day) == utc(
        2026, 10, 24, 20, 0
    )
