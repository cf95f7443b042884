"""Reading due dates in the writer's timezone, on a fixed clock."""

from __future__ import annotations

from datetime import UTC, datetime, time

import pytest

from bot.domain.due_dates import parse_due
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


@pytest.mark.parametrize("phrase", ["yesterday", "2020-01-01", "2026-11-21 09:00"])
def test_past(phrase: str) -> None:
    with pytest.raises(BadInput) as raised:
        due(phrase, "UTC")
    assert "past" in raised.value.user_message
