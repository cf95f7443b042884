"""How the sandbox's clock control moves the bot's clock: the steps the page offers, and
the next working morning on a person's own clock."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.config.settings import Policy

TICK_STEP = timedelta(minutes=15)  # the clock moves in these steps, the bot ticking at each
CLOCK_STEPS = {"hour": timedelta(hours=1), "day": timedelta(days=1), "week": timedelta(days=7)}
MORNING = time(9)  # without working hours in the policy


def next_working_morning(now: datetime, tz: str, policy: Policy) -> datetime:
    """The next start of the working day after ``now``, on a working day, in ``tz``."""
    start = policy.working_hours[0] if policy.working_hours else MORNING
    local = now.astimezone(ZoneInfo(tz))
    day = local.date() if local.time() < start else local.date() + timedelta(days=1)
    while policy.working_days and day.weekday() not in policy.working_days:
        day += timedelta(days=1)
    return datetime.combine(day, start, tzinfo=ZoneInfo(tz)).astimezone(now.tzinfo)
