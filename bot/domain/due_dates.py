"""Reading a due date written in natural language, in the writer's own timezone."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta
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
# A date takes a few words; dateparser's time grows with the length of what it is given.
MAX_DUE_PHRASE_LENGTH = 100


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
    The most common phrases are read by ``common_day``; the rest by dateparser.
    """
    cleaned = " ".join(phrase.strip().lower().split())
    cleaned = _ALIASES.get(cleaned, cleaned)
    if not cleaned:
        raise BadInput(f"The due date is empty. Try {DUE_DATE_EXAMPLES}.", field="due")
    if len(cleaned) > MAX_DUE_PHRASE_LENGTH:
        raise BadInput(
            f"That due date is {len(cleaned):,} characters long; a date takes a few words. "
            f"Try {DUE_DATE_EXAMPLES}.",
            field="due",
        )
    local_zone = zone(tz)
    local_now = now.astimezone(local_zone)
    unreadable = BadInput(
        f'I couldn\'t read "{phrase.strip()}" as a date. Try {DUE_DATE_EXAMPLES}.', field="due"
    )
    try:
        day = common_day(cleaned, today=local_now.date())
        if day is not None:
            due = datetime.combine(day, default_time, tzinfo=local_zone).astimezone(UTC)
        else:
            read = read_with_dateparser(cleaned, local_now=local_now, default_time=default_time)
            if read is None:
                raise unreadable
            due = read
    except (OverflowError, ValueError) as error:  # "9999-12-31 23:59" west of UTC, and such
        raise unreadable from error
    if due <= now:
        raise BadInput(
            f'"{phrase.strip()}" is already in the past '
            f"({local_now:%a %d %b %H:%M} where you are). Give a date still to come.",
            field="due",
        )
    return due


# The day-only phrases people type most, read without dateparser, which takes a few
# milliseconds of CPU a phrase. Each reads exactly as dateparser reads it (with the
# settings below): tests/domain/test_due_dates.py compares the two on every form, many
# days and zones. Anything else, times of day included, goes to dateparser.
_WEEKDAYS = {
    name: number
    for number, names in enumerate(
        [
            ("monday", "mon"),
            ("tuesday", "tue", "tues"),
            ("wednesday", "wed"),
            ("thursday", "thu"),
            ("friday", "fri"),
            ("saturday", "sat"),
            ("sunday", "sun"),
        ]
    )
    for name in names
}
_IN_DAYS = re.compile(r"in (\d{1,3}) (days?|weeks?)")
_ISO_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})")


def common_day(cleaned: str, *, today: date) -> date | None:
    """The day a common day-only phrase names (lower case, single spaces), or None for a
    phrase this does not read: "today", "tomorrow", a weekday (the next one after today),
    "in N days" or "in N weeks", "YYYY-MM-DD"."""
    if cleaned == "today":
        return today
    if cleaned == "tomorrow":
        return today + timedelta(days=1)
    weekday = _WEEKDAYS.get(cleaned)
    if weekday is not None:
        return today + timedelta(days=(weekday - today.weekday() - 1) % 7 + 1)
    if match := _IN_DAYS.fullmatch(cleaned):
        count = int(match[1])
        return today + timedelta(days=count * (7 if match[2].startswith("week") else 1))
    if match := _ISO_DATE.fullmatch(cleaned):
        try:
            return date(int(match[1]), int(match[2]), int(match[3]))
        except ValueError:  # "2026-13-01": dateparser has its own reading of those
            return None
    return None


def read_with_dateparser(
    cleaned: str, *, local_now: datetime, default_time: time
) -> datetime | None:
    """Any phrase dateparser reads, relative to ``local_now`` (aware, in the writer's zone),
    as aware UTC; None when it reads nothing. May raise OverflowError or ValueError."""
    local_zone = local_now.tzinfo
    assert isinstance(local_zone, ZoneInfo)
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
    data = parser.get_date_data(cleaned)
    if data.date_obj is None:
        return None
    moment = data.date_obj
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=local_zone)
    if data.period != "time" and not _names_a_time(cleaned):
        moment = datetime.combine(moment.date(), default_time, tzinfo=local_zone)
    return moment.astimezone(UTC)


def _names_a_time(phrase: str) -> bool:
    return bool(re.search(r"\d{1,2}:\d{2}|\d\s*(am|pm)\b|\bnoon\b|\bmidnight\b", phrase))


def due_from_picker(day: date, at: time | None, *, tz: str | None, default_time: time) -> datetime:
    """A date (and time) picked in a form, read on the picker's own clock, as aware UTC."""
    try:
        return datetime.combine(day, at or default_time, tzinfo=zone(tz)).astimezone(UTC)
    except OverflowError as error:
        raise BadInput("That date is too far away; pick one this century.", field="due") from error
