"""Supervision: deadlines on each person's working clock (a channel has none), the schedule
an item gets on acceptance, reminders, timezones, and the default due time."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import pytest
from sqlalchemy import Engine
from sqlmodel import Session

from bot.domain import delegations as d
from bot.domain.ports import Person
from bot.domain.supervision import (
    SupervisionPolicy,
    Supervisor,
    is_person,
    next_slot,
    reminder_time,
)
from bot.domain.working_hours import WorkingWindow, is_working_time
from storage.db import unit_of_work
from storage.models import Delegation
from tests.fakes import StaticDirectory, work_in

LEAD = Person("U0LEAD", tz="America/New_York")
ALICE = Person("U0ALICE", tz="Europe/London")
BOB = Person("U0BOB", tz="America/Los_Angeles")
NOTZ = Person("U0NOTZ")  # Slack does not know their zone
OFFICE = WorkingWindow()  # 09:00-18:00, Monday to Friday
ALWAYS = WorkingWindow(hours=None, days=frozenset(range(7)))
SUPERVISOR = Supervisor(
    policy=SupervisionPolicy(), directory=StaticDirectory(LEAD, ALICE, BOB, NOTZ)
)


def utc(day: int, hour: int, minute: int = 0) -> datetime:
    """A moment in November 2026 (the 23rd is a Monday, the 27th a Friday)."""
    return datetime(2026, 11, day, hour, minute, tzinfo=UTC)


@pytest.mark.parametrize(
    ("slack_id", "person"),
    [
        ("U0ALICE", True),
        ("W0ENTERPRISE", True),
        ("C0GENERAL", False),
        ("G0PRIV", False),
        ("D0DM", False),
    ],
)
def test_is_person(slack_id: str, person: bool) -> None:
    assert is_person(slack_id) is person


@pytest.mark.parametrize(
    ("window", "expected"),
    [
        (OFFICE, time(18)),  # the end of the working day
        (WorkingWindow(hours=(time(8), time(16, 30))), time(16, 30)),
        (ALWAYS, time(17)),  # no working hours: 17:00
    ],
)
def test_default_due_time_is_the_end_of_the_working_window(
    window: WorkingWindow, expected: time
) -> None:
    assert SupervisionPolicy(window=window).default_due_time == expected


def test_tz_of_is_what_steward_already_knows() -> None:
    assert SUPERVISOR.tz_of(ALICE.user_id) == "Europe/London"
    assert SUPERVISOR.tz_of(BOB.user_id) == "America/Los_Angeles"
    assert SUPERVISOR.tz_of(NOTZ.user_id) is None
    assert SUPERVISOR.tz_of("U0STRANGER") is None


@pytest.mark.parametrize(
    ("start", "duration", "recipient", "expected"),
    [
        # Friday 17:00 in London: one working hour left, the second on Monday morning
        (utc(27, 17), timedelta(hours=2), ALICE.user_id, utc(30, 10)),
        # the same moment is 09:00 in Los Angeles: a plain two hours later
        (utc(27, 17), timedelta(hours=2), BOB.user_id, utc(27, 19)),
        # Friday 15:00 in LA: three hours that day, the fourth Monday 09:00-10:00 PST
        (utc(27, 23), timedelta(hours=4), BOB.user_id, utc(30, 18)),
        # before the day starts: counted from the opening
        (utc(24, 6), timedelta(hours=4), ALICE.user_id, utc(24, 13)),
        # nobody knows the zone (or the person): UTC working hours
        (utc(27, 17), timedelta(hours=2), NOTZ.user_id, utc(30, 10)),
        (utc(27, 17), timedelta(hours=2), "W0STRANGER", utc(30, 10)),
        # a channel has no working hours, not even at the weekend
        (utc(27, 17), timedelta(hours=2), "C0HELP", utc(27, 19)),
        (utc(28, 23), timedelta(hours=4), "C0HELP", utc(29, 3)),
    ],
)
def test_deadlines(
    start: datetime, duration: timedelta, recipient: str, expected: datetime
) -> None:
    deadline = SUPERVISOR.deadline(start, duration, recipient)
    assert deadline == expected
    if is_person(recipient) and deadline != start + duration:
        assert is_working_time(deadline - timedelta(minutes=1), SUPERVISOR.tz_of(recipient), OFFICE)


def test_a_window_of_all_hours_counts_plain_time() -> None:
    always = Supervisor(policy=SupervisionPolicy(window=ALWAYS), directory=StaticDirectory(ALICE))
    saturday = utc(28, 23)
    assert always.deadline(saturday, timedelta(hours=4), ALICE.user_id) == utc(29, 3)


@pytest.mark.parametrize(
    ("now", "due", "tz", "expected"),
    [
        (utc(23, 10), utc(23, 12), ALICE.tz, utc(23, 11)),  # exactly two hours: halfway
        (utc(23, 10), utc(23, 11, 59), ALICE.tz, None),  # under two hours: none
        (utc(23, 9), utc(24, 15), ALICE.tz, utc(24, 9)),  # short: halfway (midnight), then 09:00
        (utc(23, 9), utc(25, 15), ALICE.tz, utc(24, 15)),  # over two days: a day before
        (utc(23, 17), utc(27, 17), BOB.tz, utc(26, 17)),  # on Bob's clock: Thursday 09:00 PST
        (utc(23, 17), utc(27, 16), BOB.tz, utc(26, 17)),  # 08:00 PST: the day before opens
        (utc(23, 19), utc(24, 8, 30), ALICE.tz, None),  # no working time before it is due
        (utc(23, 10), utc(30, 12), NOTZ.tz, utc(30, 9)),  # Sunday's reminder waits for Monday
    ],
)
def test_reminder_time(
    now: datetime, due: datetime, tz: str | None, expected: datetime | None
) -> None:
    reminder = reminder_time(now, due, tz, OFFICE)
    assert reminder == expected
    if reminder is not None:
        assert now < reminder < due and is_working_time(reminder, tz, OFFICE)


def test_next_slot_stays_inside_working_time() -> None:
    evening, friday = utc(23, 17, 30), utc(27, 10)
    # an hourly cadence past closing goes to the next morning's opening
    assert next_slot(evening, timedelta(hours=1), evening, ALICE.tz, OFFICE) == utc(24, 9)
    # a daily check-in on Friday comes back at Monday's opening; any day when always working
    assert next_slot(friday, timedelta(days=1), friday, ALICE.tz, OFFICE) == utc(30, 9)
    assert next_slot(friday, timedelta(days=1), friday, ALICE.tz, ALWAYS) == utc(28, 10)


def accepted_schedule(
    engine: Engine,
    now: datetime,
    assignee: Person,
    *,
    due: datetime | None,
    every: timedelta | None,
) -> tuple[dict[str, datetime | None], Delegation]:
    """What after_acceptance says an item offered at ``now`` gets, and the item once accepted."""
    with unit_of_work(engine) as session:
        work = work_in(session, now=now, supervisor=SUPERVISOR)
        item = d.create_delegation(
            work,
            delegator=LEAD,
            assignee=assignee,
            task="Migrate the wiki",
            due_at=due,
            origin_channel_id=None,
            checkin_every=every,
            accept_deadline_at=SUPERVISOR.deadline(now, timedelta(hours=4), assignee.user_id),
        )
        schedule = SUPERVISOR.after_acceptance(session, item, now)
        assert item.id is not None
        d.accept(work, delegation_id=item.id, actor=assignee.user_id)
    with Session(engine) as session:
        stored = session.get(Delegation, item.id)
        assert stored is not None
        return schedule, stored


@pytest.mark.parametrize(
    ("now", "assignee", "due", "every", "checkin", "reminder"),
    [
        # Monday 09:00 in London: Tuesday 09:00; due Friday 17:00, reminded Thursday 17:00
        (utc(23, 9), ALICE, utc(27, 17), None, utc(24, 9), utc(26, 17)),
        # accepted on Friday: the day after is Saturday, so Monday's opening
        (utc(27, 10), ALICE, None, None, utc(30, 9), None),
        # on Bob's clock: 09:00 PST is 17:00 UTC, a day on is the same
        (utc(23, 17), BOB, utc(24, 21), None, utc(24, 17), utc(24, 17)),
        # the item's own cadence wins over the policy's
        (utc(23, 9), ALICE, None, timedelta(hours=2), utc(23, 11), None),
        # zero: the delegator asked for no check-ins
        (utc(23, 9), ALICE, utc(27, 17), timedelta(0), None, utc(26, 17)),
    ],
)
def test_after_acceptance(
    engine: Engine,
    now: datetime,
    assignee: Person,
    due: datetime | None,
    every: timedelta | None,
    checkin: datetime | None,
    reminder: datetime | None,
) -> None:
    schedule, stored = accepted_schedule(engine, now, assignee, due=due, every=every)
    assert schedule == {
        "next_checkin_at": checkin,
        "reminder_at": reminder,
        "accept_deadline_at": None,
    }
    assert (stored.status, stored.next_checkin_at, stored.reminder_at) == (
        "accepted",
        checkin,
        reminder,
    )
    assert stored.accept_deadline_at is None  # accepted: no longer waiting for it


def test_cadence_for(engine: Engine) -> None:
    adaptive = Supervisor(
        policy=SupervisionPolicy(checkin_every=timedelta(hours=8), adaptive=True),
        directory=StaticDirectory(ALICE),
    )
    own = Delegation(
        delegator_id="U0LEAD",
        assignee_id=ALICE.user_id,
        task="t",
        status="accepted",
        created_at=utc(23, 9),
        updated_at=utc(23, 9),
        checkin_every_s=3 * 3600,
    )
    usual = own.model_copy(update={"checkin_every_s": None})
    with Session(engine) as session:
        assert SUPERVISOR.cadence_for(session, own, utc(23, 9)).every == timedelta(hours=3)
        assert "as set for this item" in SUPERVISOR.cadence_for(session, own, utc(23, 9)).reason
        assert SUPERVISOR.cadence_for(session, usual, utc(23, 9)).every == timedelta(days=1)
        assert adaptive.cadence_for(session, own, utc(23, 9)).every == timedelta(hours=3)
        # adaptive, but no record yet: the base interval
        assert adaptive.cadence_for(session, usual, utc(23, 9)).every == timedelta(hours=8)
