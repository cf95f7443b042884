"""Trust-adaptive cadence on a real database: the record comes from the person's events."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine

from bot.domain import delegations as d
from bot.domain.ports import Person
from bot.domain.supervision import SupervisionPolicy, Supervisor
from bot.domain.working_hours import WorkingWindow
from storage.db import unit_of_work
from storage.delegations import get_delegation
from tests.fakes import RecordingNotifier, work_in

START = datetime(2026, 11, 2, 10, 0, tzinfo=UTC)  # a Monday
LEAD, ALICE = Person("U0LEAD", tz="UTC"), Person("U0ALICE", tz="UTC")
ALWAYS = WorkingWindow(hours=None, days=frozenset(range(7)))


def supervisor(adaptive: bool) -> Supervisor:
    from tests.fakes import StaticDirectory

    policy = SupervisionPolicy(checkin_every=timedelta(days=1), window=ALWAYS, adaptive=adaptive)
    return Supervisor(policy=policy, directory=StaticDirectory(LEAD, ALICE))


def accepted_item(engine: Engine, now: datetime, sup: Supervisor, due_in: timedelta) -> int:
    with unit_of_work(engine) as session:
        notifier = RecordingNotifier()
        item = d.create_delegation(
            work_in(session, now=now, notifier=notifier),
            delegator=LEAD,
            assignee=ALICE,
            task="An item",
            due_at=now + due_in,
            origin_channel_id=None,
        )
        assert item.id is not None
        d.accept(
            work_in(session, now=now, notifier=notifier, supervisor=sup),
            delegation_id=item.id,
            actor=ALICE.user_id,
        )
        return item.id


def finish(engine: Engine, delegation_id: int, now: datetime) -> None:
    with unit_of_work(engine) as session:
        d.complete(
            work_in(session, now=now),
            delegation_id=delegation_id,
            actor=ALICE.user_id,
        )


def next_checkin_gap(engine: Engine, delegation_id: int, accepted_at: datetime) -> timedelta:
    with unit_of_work(engine) as session:
        item = get_delegation(session, delegation_id=delegation_id)
        assert item is not None and item.next_checkin_at is not None
        return item.next_checkin_at - accepted_at


def test_on_time_work_earns_a_looser_cadence(engine: Engine) -> None:
    sup = supervisor(adaptive=True)
    now = START
    for _ in range(3):  # three items, each done a day early
        item = accepted_item(engine, now, sup, due_in=timedelta(days=3))
        now += timedelta(days=2)
        finish(engine, item, now)
    fresh = accepted_item(engine, now, sup, due_in=timedelta(days=10))
    assert next_checkin_gap(engine, fresh, now) == timedelta(days=2)
    with unit_of_work(engine) as session:
        item = get_delegation(session, delegation_id=fresh)
        assert item is not None
        reason = sup.cadence_for(session, item, now).reason
    assert reason.startswith("Check-ins every 2 days: 3 items done on time")


def test_late_work_tightens_it(engine: Engine) -> None:
    sup = supervisor(adaptive=True)
    now = START
    for _ in range(3):  # three items, each finished a day late
        item = accepted_item(engine, now, sup, due_in=timedelta(days=1))
        now += timedelta(days=2)
        finish(engine, item, now)
    fresh = accepted_item(engine, now, sup, due_in=timedelta(days=10))
    assert next_checkin_gap(engine, fresh, now) == timedelta(hours=12)


def test_off_by_default(engine: Engine) -> None:
    sup = supervisor(adaptive=False)
    now = START
    for _ in range(3):
        item = accepted_item(engine, now, sup, due_in=timedelta(days=3))
        now += timedelta(days=2)
        finish(engine, item, now)
    fresh = accepted_item(engine, now, sup, due_in=timedelta(days=10))
    assert next_checkin_gap(engine, fresh, now) == timedelta(days=1)


def test_the_record_forgets_after_four_weeks(engine: Engine) -> None:
    sup = supervisor(adaptive=True)
    now = START
    for _ in range(3):
        item = accepted_item(engine, now, sup, due_in=timedelta(days=3))
        now += timedelta(days=2)
        finish(engine, item, now)
    later = now + timedelta(days=29)
    fresh = accepted_item(engine, later, sup, due_in=timedelta(days=10))
    assert next_checkin_gap(engine, fresh, later) == timedelta(days=1)
