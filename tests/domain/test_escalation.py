"""Escalation on a real database with a fake clock: every trigger, the climb, acknowledgement,
races, loops and working-hour counting."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from bot.app.clocks import ManualClock
from bot.app.jobs import tick
from bot.domain import delegations as d
from bot.domain.checkins import answer_checkin
from bot.domain.errors import InvalidTransition, NotAllowed
from bot.domain.escalation import acknowledge, climb, escalate_manually
from bot.domain.ports import Person
from bot.domain.supervision import SupervisionPolicy, Supervisor
from bot.domain.work import Work
from bot.domain.working_hours import WorkingWindow
from bot.slack.outbox.notifier import SlackNotifier
from storage.db import unit_of_work
from storage.enums import CheckinStatus
from storage.models import Checkin, Escalation, Event
from tests.fakes import RecordingNotifier, StaticDirectory, work_in

MONDAY_9 = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
LEAD, ALICE, CAROL, DAVE = "U0LEAD", "U0ALICE", "U0CAROL", "U0DAVE"
FALLBACK = "C0FALLBACK"
PEOPLE = [Person(user_id, tz="UTC") for user_id in (LEAD, ALICE, CAROL, DAVE)]
CHAIN = {ALICE: CAROL, CAROL: DAVE}


class World:
    """A database, a clock and a supervisor, driven tick by tick."""

    def __init__(self, engine: Engine, policy: SupervisionPolicy, *, slack: bool = False) -> None:
        """What the domain tells is recorded in ``told``; with ``slack``, Slack's notifier
        queues it in the outbox instead, for tests of the messages themselves."""
        self.engine = engine
        self.slack = slack
        self.told = RecordingNotifier()
        self.clock = ManualClock(MONDAY_9)
        self.supervisor = Supervisor(policy=policy, directory=StaticDirectory(*PEOPLE))

    @contextmanager
    def work(self, now: datetime | None = None) -> Iterator[Work]:
        now = now or self.clock.now()
        with unit_of_work(self.engine) as session:
            notifier = SlackNotifier(session, now=now) if self.slack else self.told
            yield Work(session=session, notifier=notifier, now=now, supervisor=self.supervisor)

    def tick(self) -> Any:
        return tick(self.engine, self.work, now=self.clock.now())

    def offer(self, *, due_in: timedelta | None = None, assignee: str = ALICE) -> int:
        now = self.clock.now()
        with self.work() as unit:
            item = d.create_delegation(
                unit,
                delegator=Person(LEAD),
                assignee=Person(assignee),
                task="Ship it",
                due_at=now + due_in if due_in else None,
                origin_channel_id=None,
                accept_deadline_at=self.supervisor.deadline(
                    now, self.supervisor.policy.accept_timeout, assignee
                ),
            )
            assert item.id is not None
            return item.id

    def accept(self, item: int, assignee: str = ALICE) -> None:
        with self.work() as unit:
            d.accept(
                unit,
                delegation_id=item,
                actor=assignee,
            )

    def escalate(self, item: int, *, actor: str, note: str) -> None:
        """``actor`` presses Escalate on ``item`` and says ``note``."""
        with self.work() as unit:
            escalate_manually(
                unit,
                delegation_id=item,
                actor=actor,
                note=note,
            )

    def acknowledge(self, escalation_id: int | None, *, actor: str) -> None:
        assert escalation_id is not None
        with self.work() as unit:
            acknowledge(
                unit,
                escalation_id=escalation_id,
                actor=actor,
            )

    def escalations(self) -> list[tuple[int, str, str]]:
        """(level, to, reason) of every escalated event, in order."""
        with Session(self.engine) as session:
            rows = session.exec(
                select(Event).where(Event.type == "escalated").order_by(col(Event.id))
            ).all()
            return [(e.data["level"], e.data["to"], e.data["reason"]) for e in rows]

    def escalation(self) -> Escalation:
        with Session(self.engine) as session:
            return session.exec(select(Escalation).order_by(col(Escalation.id).desc())).first()

    def at(self, moment: datetime) -> Any:
        self.clock.set(moment)
        return self.tick()


def policy(**overrides: Any) -> SupervisionPolicy:
    values: dict[str, Any] = {
        "accept_timeout": timedelta(hours=4),
        "checkin_timeout": timedelta(hours=4),
        "escalation_timeout": timedelta(hours=2),
        "window": WorkingWindow(),
        "chain": CHAIN,
        "fallback_channel": FALLBACK,
        **overrides,
    }
    return SupervisionPolicy(**values)


@pytest.fixture
def world(engine: Engine) -> World:
    return World(engine, policy())


def test_not_accepted_climbs_level_by_level_to_the_fallback_channel(world: World) -> None:
    world.offer()
    world.at(MONDAY_9 + timedelta(hours=3, minutes=59))
    assert world.escalations() == []
    world.at(MONDAY_9 + timedelta(hours=4))
    assert world.escalations() == [(1, CAROL, "not_accepted")]
    world.at(MONDAY_9 + timedelta(hours=5, minutes=59))
    assert len(world.escalations()) == 1
    world.at(MONDAY_9 + timedelta(hours=6))
    world.at(MONDAY_9 + timedelta(hours=8))
    assert world.escalations() == [
        (1, CAROL, "not_accepted"),
        (2, DAVE, "unacknowledged"),
        (3, FALLBACK, "unacknowledged"),
    ]
    assert world.escalation().status == "exhausted"
    world.at(MONDAY_9 + timedelta(days=3))  # the chain has run out: nothing more
    assert len(world.escalations()) == 3


def test_the_climb_is_counted_in_working_hours(world: World) -> None:
    world.clock.set(datetime(2026, 11, 27, 14, 0, tzinfo=UTC))  # Friday 14:00
    world.offer()
    world.at(datetime(2026, 11, 27, 18, 0, tzinfo=UTC))  # four working hours later
    assert world.escalations() == [(1, CAROL, "not_accepted")]
    assert world.escalation().next_step_at == datetime(2026, 11, 30, 11, 0, tzinfo=UTC)
    world.at(datetime(2026, 11, 29, 23, 0, tzinfo=UTC))  # the weekend does not count
    assert len(world.escalations()) == 1
    world.at(datetime(2026, 11, 30, 11, 0, tzinfo=UTC))
    assert world.escalations()[-1] == (2, DAVE, "unacknowledged")


def test_acknowledging_stops_the_climb(world: World) -> None:
    world.offer()
    world.at(MONDAY_9 + timedelta(hours=4))
    escalation = world.escalation()
    with pytest.raises(NotAllowed):
        world.acknowledge(escalation.id, actor=DAVE)
    world.acknowledge(escalation.id, actor=CAROL)
    world.at(MONDAY_9 + timedelta(days=2))
    assert world.escalations() == [(1, CAROL, "not_accepted")]
    assert world.escalation().status == "acknowledged"
    with world.engine.connect() as connection:
        acks = connection.exec_driver_sql(
            "SELECT actor FROM events WHERE type = 'acknowledged'"
        ).all()
    assert [a[0] for a in acks] == [CAROL]


def test_an_acknowledgement_that_commits_first_wins_over_the_timeout(world: World) -> None:
    world.offer()
    world.at(MONDAY_9 + timedelta(hours=4))
    escalation = world.escalation()
    step_at = escalation.next_step_at
    assert step_at is not None
    world.clock.set(step_at)
    if world.engine.dialect.name == "postgresql":
        # the climb reads the escalation as open, the acknowledgement commits, then the
        # climb tries to write: it must find nothing to move
        climbing = Session(world.engine)
        try:
            assert climbing.get(Escalation, escalation.id).status == "open"
            world.acknowledge(escalation.id, actor=CAROL)
            moved = climb(
                work_in(climbing, now=step_at, supervisor=world.supervisor),
                escalation_id=escalation.id,
                expected_step_at=step_at,
            )
            climbing.commit()
        finally:
            climbing.close()
    else:  # SQLite serialises writers: the same order, one after the other
        world.acknowledge(escalation.id, actor=CAROL)
        with world.work() as unit:
            moved = climb(
                unit,
                escalation_id=escalation.id,
                expected_step_at=step_at,
            )
    assert moved is False
    assert world.escalations() == [(1, CAROL, "not_accepted")]


def test_a_climb_that_commits_first_still_lets_the_earlier_level_acknowledge(world: World) -> None:
    world.offer()
    world.at(MONDAY_9 + timedelta(hours=4))
    world.at(MONDAY_9 + timedelta(hours=6))
    assert world.escalation().level == 2
    world.acknowledge(
        world.escalation().id, actor=CAROL
    )  # Carol, level 1, picks it up late: still welcome
    assert world.escalation().status == "acknowledged"


def test_checkin_unanswered(world: World) -> None:
    item = world.offer()
    world.accept(item)
    world.at(MONDAY_9 + timedelta(days=1))  # the check-in goes out
    world.at(MONDAY_9 + timedelta(days=1, hours=3, minutes=59))
    assert world.escalations() == []
    world.at(MONDAY_9 + timedelta(days=1, hours=4))
    assert world.escalations() == [(1, CAROL, "checkin_unanswered")]


def test_an_answered_checkin_does_not_escalate(world: World) -> None:
    item = world.offer()
    world.accept(item)
    world.at(MONDAY_9 + timedelta(days=1))
    with Session(world.engine) as session:
        checkin = session.exec(select(Checkin)).one()
    with world.work() as unit:
        answer_checkin(
            unit,
            checkin_id=checkin.id,
            actor=ALICE,
            status=CheckinStatus.ON_TRACK,
            note=None,
        )
    world.at(MONDAY_9 + timedelta(days=1, hours=8))
    assert world.escalations() == []


def test_blocked_escalates_at_once(world: World) -> None:
    item = world.offer()
    world.accept(item)
    world.at(MONDAY_9 + timedelta(days=1))
    with Session(world.engine) as session:
        checkin = session.exec(select(Checkin)).one()
    with world.work() as unit:
        answer_checkin(
            unit,
            checkin_id=checkin.id,
            actor=ALICE,
            status=CheckinStatus.BLOCKED,
            note="no access",
        )
    assert world.escalations() == [(1, CAROL, "blocked")]
    assert world.escalation().note == "no access"


def test_overdue_escalates(world: World) -> None:
    item = world.offer(due_in=timedelta(days=1))
    world.accept(item)
    world.at(MONDAY_9 + timedelta(days=1))
    assert (1, CAROL, "overdue") in world.escalations()


def test_manual_escalation_and_no_restart_while_one_is_open(world: World) -> None:
    item = world.offer(due_in=timedelta(days=2))
    world.accept(item)
    with pytest.raises(NotAllowed):
        world.escalate(item, actor=DAVE, note="x")
    world.escalate(item, actor=LEAD, note="Need a hand")
    assert world.escalations() == [(1, CAROL, "manual")]
    with pytest.raises(InvalidTransition):
        world.escalate(item, actor=ALICE, note="again")
    world.at(MONDAY_9 + timedelta(days=2))  # overdue while escalated: the climb goes on
    kinds = world.escalations()
    assert kinds[0] == (1, CAROL, "manual")
    assert all(reason != "overdue" for _, _, reason in kinds)
    assert [level for level, _, _ in kinds] == sorted(level for level, _, _ in kinds)


def test_closing_the_item_closes_its_escalation(world: World) -> None:
    item = world.offer(due_in=timedelta(days=2))
    world.accept(item)
    world.escalate(item, actor=ALICE, note="help")
    with world.work() as unit:
        d.complete(
            unit,
            delegation_id=item,
            actor=ALICE,
        )
    world.at(MONDAY_9 + timedelta(days=5))
    assert world.escalations() == [(1, CAROL, "manual")]
    assert world.escalation().status == "resolved"


def test_no_chain_means_the_delegator_then_the_fallback(engine: Engine) -> None:
    world = World(engine, policy(chain={}))
    world.offer()
    world.at(MONDAY_9 + timedelta(hours=4))
    world.at(MONDAY_9 + timedelta(hours=6))
    assert world.escalations() == [(1, LEAD, "not_accepted"), (2, FALLBACK, "unacknowledged")]


def test_the_escalation_is_told_to_its_level_and_the_item_named(world: World) -> None:
    item = world.offer()
    world.at(MONDAY_9 + timedelta(hours=4))
    [told] = [entry for entry in world.told.told if entry.what == "escalation"]
    assert told.delegation_id == item
    assert told.details["args"][0].target == CAROL


def test_accepting_answers_a_not_accepted_escalation(world: World) -> None:
    item = world.offer()
    world.at(MONDAY_9 + timedelta(hours=4))
    assert world.escalations() == [(1, CAROL, "not_accepted")]
    world.clock.set(MONDAY_9 + timedelta(hours=4, minutes=10))
    world.accept(item)
    world.at(MONDAY_9 + timedelta(hours=6))
    world.at(MONDAY_9 + timedelta(hours=8))
    assert world.escalations() == [(1, CAROL, "not_accepted")]
    assert world.escalation().status == "resolved"


def test_nothing_escalates_or_climbs_once_the_item_has_closed(world: World) -> None:
    item = world.offer(due_in=timedelta(days=2))
    world.accept(item)
    world.escalate(item, actor=ALICE, note="help")
    # the item closes by a path that did not see the escalation (another replica's
    # transaction that started before it existed)
    with world.engine.begin() as connection:
        connection.exec_driver_sql(f"UPDATE delegations SET status = 'completed' WHERE id = {item}")
    world.at(MONDAY_9 + timedelta(days=1))
    assert world.escalations() == [(1, CAROL, "manual")]
    assert world.escalation().status == "resolved"
    with world.work() as unit:
        from bot.domain.escalation import start_escalation
        from storage.delegations import get_delegation
        from storage.enums import EscalationReason

        closed = get_delegation(unit.session, delegation_id=item)
        assert closed is not None
        started = start_escalation(
            unit,
            delegation=closed,
            reason=EscalationReason.OVERDUE,
            actor="system",
            stalled_since=unit.now,
        )
    assert started is None
