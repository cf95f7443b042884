"""The trust-adaptive cadence rule."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.domain.cadence import TrackRecord, adaptive_cadence, fixed_cadence, human_interval

DAY = timedelta(days=1)


@pytest.mark.parametrize(
    ("record", "expected"),
    [
        (TrackRecord(), DAY),
        (TrackRecord(on_time=1), DAY),
        (TrackRecord(on_time=2), DAY * 1.5),
        (TrackRecord(on_time=3, on_track=5), DAY * 2),
        (TrackRecord(on_time=10), DAY * 3),  # capped at 3x
        (TrackRecord(on_time=10, late=1), DAY),  # one slip: no stretch, no squeeze
        (TrackRecord(on_time=4, at_risk=3), DAY * 2.5),  # saying "at risk" early is not a slip
        (TrackRecord(late=1, blocked=1), DAY * 0.75),
        (TrackRecord(unanswered=2, overdue=1), DAY * 0.5),
        (TrackRecord(escalations=9), DAY * 0.5),  # floored at half
    ],
)
def test_rule(record: TrackRecord, expected: timedelta) -> None:
    assert adaptive_cadence(DAY, record).every == expected


def test_never_below_an_hour() -> None:
    assert adaptive_cadence(timedelta(hours=1), TrackRecord(late=5)).every == timedelta(hours=1)


def test_reasons_say_why_in_one_line() -> None:
    stretched = adaptive_cadence(DAY, TrackRecord(on_time=3))
    assert stretched.reason == (
        "Check-ins every 2 days: 3 items done on time and nothing slipped in four weeks."
    )
    tightened = adaptive_cadence(DAY, TrackRecord(late=2, blocked=1))
    assert "3 slips" in tightened.reason and "\n" not in tightened.reason
    assert fixed_cadence(DAY).reason == "Check-ins every day, the team's usual cadence."


@pytest.mark.parametrize(
    ("interval", "text"),
    [
        (DAY, "day"),
        (DAY * 2, "2 days"),
        (DAY * 7, "week"),
        (timedelta(hours=4), "4 hours"),
        (timedelta(hours=36), "36 hours"),
        (timedelta(hours=1), "hour"),
    ],
)
def test_human_interval(interval: timedelta, text: str) -> None:
    assert human_interval(interval) == text
