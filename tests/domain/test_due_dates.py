"""Reading due dates in the writer's timezone, on a fixed clock."""

from __future__ import annotations

from datetime import UTC, datetime, time
from zoneinfo import ZoneInfo

import pytest

from bot.domain.due_dates import (
    MAX_DUE_PHRASE_LENGTH,
    common_day,
    parse_due,
    read_with_dateparser,
)
from bot.domain.errors import BadInput

# Saturday 21 Nov 2026, 15:00 UTC: 10:00 in New York, 07:00 in Los Angeles, 04:00 Sunday in Auckland
NOW = datetime(2026, 11, 21, 15, 0, tzinfo=UTC)
END_OF_DAY = time(18)


def due(phrase: str, tz: str | None) -> datetime:
    return parse_due(phrase, tz=tz, now=NOW, default_time=END_OF_DAY)


@pytest.mark.parametrize(
    ("phrase", "tz", "expected"),
    [
        ("friday", "America/New_York", datetime(2026, 11, 27, 23, 0, tzinfo=UTC)),
        ("Friday", "America/Los_Angeles", datetime(2026, 11, 28, 2, 0, tzinfo=UTC)),
        ("tomorrow 17:00", "America/New_York", datetime(2026, 11, 22, 22, 0, tzinfo=UTC)),
        ("tomorrow 17:00", "Pacific/Auckland", datetime(2026, 11, 23, 4, 0, tzinfo=UTC)),
        ("in 3 days", "America/New_York", datetime(2026, 11, 24, 23, 0, tzinfo=UTC)),
        ("2026-12-01", "America/New_York", datetime(2026, 12, 1, 23, 0, tzinfo=UTC)),
        ("2026-12-01", None, datetime(2026, 12, 1, 18, 0, tzinfo=UTC)),
        ("dec 3 5pm", "Europe/London", datetime(2026, 12, 3, 17, 0, tzinfo=UTC)),
        ("eod", "America/New_York", datetime(2026, 11, 21, 23, 0, tzinfo=UTC)),
        ("EOW", "America/New_York", datetime(2026, 11, 27, 23, 0, tzinfo=UTC)),
        ("in 2 hours", "Europe/Paris", datetime(2026, 11, 21, 17, 0, tzinfo=UTC)),
        ("noon tomorrow", "America/New_York", datetime(2026, 11, 22, 17, 0, tzinfo=UTC)),
        # Auckland is already on Sunday: "tomorrow" is Monday there
        ("tomorrow", "Pacific/Auckland", datetime(2026, 11, 23, 5, 0, tzinfo=UTC)),
        # an unknown zone name falls back to UTC rather than failing
        ("2026-12-01", "Mars/Olympus_Mons", datetime(2026, 12, 1, 18, 0, tzinfo=UTC)),
    ],
)
def test_phrases(phrase: str, tz: str | None, expected: datetime) -> None:
    assert due(phrase, tz) == expected


def test_dst_is_respected() -> None:
    # New York leaves daylight time on 1 Nov 2026: 18:00 is 22:00 UTC before, 23:00 after
    before = parse_due(
        "2026-10-30",
        tz="America/New_York",
        now=datetime(2026, 10, 1, tzinfo=UTC),
        default_time=END_OF_DAY,
    )
    after = parse_due(
        "2026-11-02",
        tz="America/New_York",
        now=datetime(2026, 10, 1, tzinfo=UTC),
        default_time=END_OF_DAY,
    )
    assert before == datetime(2026, 10, 30, 22, 0, tzinfo=UTC)
    assert after == datetime(2026, 11, 2, 23, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    "phrase", ["blurgsday", "someday", "", "   ", "the heat death of the universe"]
)
def test_unreadable(phrase: str) -> None:
    with pytest.raises(BadInput) as raised:
        due(phrase, "UTC")
    assert raised.value.field == "due"


def test_a_phrase_longer_than_a_date_is_refused_before_dateparser_reads_it() -> None:
    """dateparser's time grows with the length of the text (up to 3,000 characters reach
    here from /delegate), so the length is checked first: even a phrase it reads."""
    phrase = f"in {'0' * (MAX_DUE_PHRASE_LENGTH - 8)}3 days"
    assert len(phrase) == MAX_DUE_PHRASE_LENGTH + 1
    local_now = NOW.astimezone(ZoneInfo("UTC"))
    assert read_with_dateparser(phrase, local_now=local_now, default_time=END_OF_DAY)
    with pytest.raises(BadInput) as raised:
        due(phrase, "UTC")
    assert "101 characters long; a date takes a few words" in raised.value.user_message
    assert raised.value.field == "due"
    assert due(phrase.replace("0", "", 1), "UTC") == datetime(2026, 11, 24, 18, tzinfo=UTC)


@pytest.mark.parametrize("phrase", ["yesterday", "2020-01-01", "2026-11-21 09:00"])
def test_past(phrase: str) -> None:
    with pytest.raises(BadInput) as raised:
        due(phrase, "UTC")
    assert "past" in raised.value.user_message


# -- the common phrases read without dateparser must read exactly as dateparser reads them

ZONES = ["America/New_York", "Europe/London", "Pacific/Auckland", "Asia/Kathmandu", "UTC"]
# every weekday, a few hours of the day, and the days around daylight-saving changes
MOMENTS = [
    *(datetime(2026, 11, 16 + day, hour, 30, tzinfo=UTC) for day in range(7) for hour in (3, 15)),
    datetime(2026, 3, 8, 6, 59, tzinfo=UTC),  # New York springs forward
    datetime(2026, 3, 29, 0, 30, tzinfo=UTC),  # London springs forward
    datetime(2026, 4, 4, 13, 30, tzinfo=UTC),  # Auckland falls back
    datetime(2026, 10, 31, 23, 0, tzinfo=UTC),  # New York, the night before falling back
    datetime(2026, 12, 31, 23, 30, tzinfo=UTC),  # New Year somewhere, not everywhere
]
EVERYDAY = [
    "today",
    "tomorrow",
    *["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"],
    *["mon", "tue", "tues", "wed", "thu", "fri", "sat", "sun"],
    "in 0 days",
    "in 1 day",
    "in 1 days",
    "in 2 day",
    "in 3 days",
    "in 01 days",
    "in 1 week",
    "in 2 weeks",
]
COUNTS = [
    *(f"in {n} days" for n in range(0, 400, 7)),
    *(f"in {n} days" for n in (400, 500, 730, 999)),
    *(f"in {n} weeks" for n in (*range(0, 60, 3), 104, 520, 999)),
]
ISO_DATES = [
    *(f"2026-{month:02d}-{day:02d}" for month in range(1, 13) for day in (1, 9, 10, 28)),
    "2027-02-28",
    "2028-02-29",
    "2030-01-01",
    "2099-12-31",
]


def fast_and_dateparser(phrase: str, now: datetime, tz: str) -> tuple[datetime, datetime | None]:
    local_now = now.astimezone(ZoneInfo(tz))
    day = common_day(phrase, today=local_now.date())
    assert day is not None, f"{phrase!r} is not read by the fast path"
    fast = datetime.combine(day, END_OF_DAY, tzinfo=ZoneInfo(tz)).astimezone(UTC)
    return fast, read_with_dateparser(phrase, local_now=local_now, default_time=END_OF_DAY)


@pytest.mark.parametrize("tz", ZONES)
def test_everyday_phrases_read_as_dateparser_reads_them(tz: str) -> None:
    for now in MOMENTS:
        for phrase in EVERYDAY:
            fast, slow = fast_and_dateparser(phrase, now, tz)
            assert fast == slow, (phrase, now, tz)


@pytest.mark.parametrize("tz", ["America/New_York", "Pacific/Auckland"])
def test_counts_and_iso_dates_read_as_dateparser_reads_them(tz: str) -> None:
    for now in (MOMENTS[0], MOMENTS[-1]):
        for phrase in [*COUNTS, *ISO_DATES]:
            fast, slow = fast_and_dateparser(phrase, now, tz)
            assert fast == slow, (phrase, now, tz)


@pytest.mark.parametrize(
    "phrase",
    [
        "next friday",  # dateparser has its own idea of "next" and "this"
        "this friday",
        "friday 5pm",  # times of day: dateparser, with its handling of DST gaps
        "tomorrow 17:00",
        "in 2 hours",
        "in 1000 days",
        "in a week",
        "thurs",  # dateparser does not read it; neither do we
        "3 days",
        "2026-13-01",  # dateparser reads it its own way
        "2026-02-30",
        "2026-1-5",
        "dec 1",
        " friday",
        "Friday",
    ],
)
def test_other_phrases_are_left_to_dateparser(phrase: str) -> None:
    assert common_day(phrase, today=NOW.date()) is None


def test_the_fast_path_keeps_the_refusals() -> None:
    with pytest.raises(BadInput, match="past"):
        due("2020-01-01", "UTC")
    with pytest.raises(BadInput, match="past"):
        parse_due("today", tz="UTC", now=NOW.replace(hour=19), default_time=END_OF_DAY)
    with pytest.raises(BadInput, match="couldn't read"):  # past the end of the calendar
        parse_due("9999-12-31", tz="America/New_York", now=NOW, default_time=time(23, 59))
