"""When a person is at work: their working hours and days, on their own clock."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta

from bot.domain.due_dates import zone


@dataclass(frozen=True)
class WorkingWindow:
    hours: tuple[time, time] | None = (time(9), time(18))  # None: any time of day
    days: frozenset[int] = frozenset(range(5))  # Monday is 0

    @property
    def always(self) -> bool:
        return self.hours is None and len(self.days) == 7


def is_working_time(moment: datetime, tz: str | None, window: WorkingWindow) -> bool:
    local = moment.astimezone(zone(tz))
    if local.weekday() not in window.days:
        return False
    if window.hours is None:
        return True
    start, end = window.hours
    return start <= local.time() < end


def next_working_moment(moment: datetime, tz: str | None, window: WorkingWindow) -> datetime:
    """``moment`` itself if it falls inside the window, else the start of the next window.

    Computed on the person's own clock with zoneinfo, so it stays right across DST changes.
    """
    if window.always or is_working_time(moment, tz, window):
        return moment
    local_zone = zone(tz)
    local = moment.astimezone(local_zone)
    start = window.hours[0] if window.hours else time(0)
    for days_ahead in range(8):
        day = local.date() + timedelta(days=days_ahead)
        if day.weekday() not in window.days:
            continue
        opening = datetime.combine(day, start, tzinfo=local_zone)
        if opening > local or (days_ahead == 0 and window.hours is None):
            return opening.astimezone(moment.tzinfo)
    return moment  # no working day configured at all: never hold messages back


def add_working_time(
    start: datetime, duration: timedelta, tz: str | None, window: WorkingWindow
) -> datetime:
    """The moment ``duration`` of working time after ``start`` (for timeouts that should not
    run out over a night or a weekend)."""
    if window.always:
        return start + duration
    local_zone = zone(tz)
    moment = next_working_moment(start, tz, window)
    remaining = duration
    for _ in range(3700):  # a bound far beyond any sane timeout (ten years of working days)
        local = moment.astimezone(local_zone)
        if window.hours is None:
            closing = datetime.combine(local.date() + timedelta(days=1), time(0), tzinfo=local_zone)
        else:
            closing = datetime.combine(local.date(), window.hours[1], tzinfo=local_zone)
        available = closing - local
        if remaining <= available:
            return (local + remaining).astimezone(start.tzinfo)
        remaining -= available
        moment = next_working_moment(closing.astimezone(start.tzinfo), tz, window)
    return start + duration


def add_working_days(start: datetime, days: int, tz: str | None, window: WorkingWindow) -> datetime:
    """The same local time ``days`` working days after ``start`` (from the next working
    moment, if ``start`` is outside working hours)."""
    if window.always:
        return start + timedelta(days=days)
    local_zone = zone(tz)
    local = next_working_moment(start, tz, window).astimezone(local_zone)
    day = local.date()
    while days > 0:
        day += timedelta(days=1)
        if day.weekday() in window.days:
            days -= 1
    landed = datetime.combine(day, local.time(), tzinfo=local_zone)
    return landed.astimezone(start.tzinfo)
