"""Reading a due date written in natural language, in the writer's own timezone."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dateparser.date import DateDataParser

from bot.domain.errors import BadInput

# Shorthands people type in chat that dateparser does not know.
_ALIASES: dict[str, str] = {
    "eod": "today",
    "end of day": "today",
    "end of today": "today",
    "cob": "today",
    "eow": "friday",
    "end of week": "friday",
    "end of the week": "friday",
    "tmrw": "tomorrow",
    "tmr": "tomorrow",
}

DUE_DATE_EXAMPLES = '"friday", "tomorrow 17:00", "in 3 days", "2026-12-01"'


def zone(tz: str | None) -> ZoneInfo:
    """The person's zone, or UTC when Slack does not know it (or names one we don't)."""
    if not tz:
        return ZoneInfo("UTC")
    try:
        return ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def parse_due(phrase: str, *, tz: str | None, now: datetime, default_time: time) -> datetime:
    """The moment ``phrase`` names, as aware UTC.

    ``phrase`` is read in ``tz``; a phrase naming a day but no time of day ("friday", "in 3
    days") means ``default_time`` on that day. Unreadable or past moments raise BadInput.
    """
    cleaned = " ".join(phrase.strip().lower().split())
    cleaned = _ALIASES.get(cleaned, cleaned)
    if not cleaned:
        raise BadInput(f"The due date is empty. Try {DUE_DATE_EXAMPLES}.", field="due")
    local_zone = zone(tz)
    local_now = now.astimezone(local_zone)
    parser = DateDataParser(
        languages=["en"],
        settings={
            "TIMEZONE": local_zone.key,
            "RETURN_AS_TIMEZONE_AWARE": True,
            "PREFER_DATES_FROM": "future",
            "RELATIVE_BASE": local_now.replace(tzinfo=None),
            "RETURN_TIME_AS_PERIOD": True,
        },
    )
    unreadable = BadInput(
        f'I couldn\'t read "{phrase.strip()}" as a date. Try {DUE_DATE_EXAMPLES}.', field="due"
    )
    try:
        data = parser.get_date_data(cleaned)
        if data.date_obj is None:
            raise unreadable
        moment = data.date_obj
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=local_zone)
        if data.period != "time" and not _names_a_time(cleaned):
            moment = datetime.combine(moment.date(), default_time, tzinfo=local_zone)
        due = moment.astimezone(UTC)
    except (OverflowError, ValueError) as error:  # "9999-12-31 23:59" west of UTC, and such
        raise unreadable from error
    if due <= now:
        raise BadInput(
            f'"{phrase.strip()}" is already in the past '
            f"({local_now:%a %d %b %H:%M} where you are). Give a date still to come.",
            field="due",
        )
    return due


def _names_a_time(phrase: str) -> bool:
    return bool(re.search(r"\d{1,2}:\d{2}|\d\s*(am|pm)\b|\bnoon\b|\bmidnight\b", phrase))


def due_from_picker(day: date, at: time | None, *, tz: str | None, default_time: time) -> datetime:
    """A date (and time) picked in a form, read on the picker's own clock, as aware UTC."""
    try:
        return datetime.combine(day, at or default_time, tzinfo=zone(tz)).astimezone(UTC)
    except OverflowError as error:
        raise BadInput("That date is too far away; pick one this century.", field="due") from error
