"""What starts an escalation, on a real database: an offer not accepted in time, a check-in
left unanswered, and Escalate pressed; each deadline acts once, and a stale one not at all."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from bot.domain import delegations as d
from bot.domain.changes import reassign
from bot.domain.checkins import answer_checkin, send_checkin
from bot.domain.errors import BadInput, InvalidTransition, NotAllowed, NotFound
from bot.domain.escalation import (
    check_can_escalate,
    escalate_manually,
    on_accept_deadline,
    on_answer_deadline,
)
from bot.domain.ports import Person
from bot.domain.supervision import SupervisionPolicy, Supervisor
from storage.db import unit_of_work
from storage.enums import CheckinStatus
from storage.models import Checkin, Delegation, Escalation, Event
from tests.fakes import RecordingNotifier, StaticDirectory, work_in

MONDAY_9 = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
DEADLINE = MONDAY_9 + timedelta(hours=4)  # accept_timeout of working time
TUESDAY_9 = MONDAY_9 + timedelta(days=1)
LEAD, ALICE, CAROL, DAVE = (Person(u, tz="UTC") for u in ("U0LEAD", "U0ALICE", "U0CAROL", "U0DAVE"))
SUPERVISOR = Supervisor(
    policy=SupervisionPolicy(chain={ALICE.user_id: CAROL.user_id}, fallback_channel="C0HELP"),
    directory=StaticDirectory(LEAD, ALICE, CAROL, DAVE),
)


def run(engine: Engine, command: Callable[..., Any], now: datetime, **kwargs: Any) -> Any:
    """Run ``command`` in one unit of work at ``now``; (its result, what it asked to tell)."""
    notifier = RecordingNotifier()
    with unit_of_work(engine) as session:
        work = work_in(session, now=now, notifier=notifier, supervisor=SUPERVISOR)
        return command(work, **kwargs), notifier


def offered(engine: Engine) -> int:
    item, _ = run(
        engine,
        d.create_delegation,
        MONDAY_9,
        delegator=LEAD,
        assignee=ALICE,
        task="Renew the certificate",
        due_at=MONDAY_9 + timedelta(days=7),
        origin_channel_id=None,
        accept_deadline_at=DEADLINE,
    )
    return item.id


def accepted(engine: Engine) -> int:
    item = offered(engine)
    run(engine, d.accept, MONDAY_9, delegation_id=item, actor=ALICE.user_id)
    return item


def with_checkin(engine: Engine) -> tuple[int, Checkin]:
    item = accepted(engine)
    checkin, _ = run(engine, send_checkin, TUESDAY_9, delegation_id=item, slot=TUESDAY_9)
    assert checkin is not None and checkin.answer_deadline_at == TUESDAY_9 + timedelta(hours=4)
    return item, checkin


def escalations(engine: Engine) -> list[Escalation]:
    with Session(engine) as session:
        return list(session.exec(select(Escalation).order_by(col(Escalation.id))).all())


def escalated_events(engine: Engine) -> list[tuple[str, str, str]]:
    """(actor, to, reason) of every escalated event."""
    with Session(engine) as session:
        rows = session.exec(select(Event).where(Event.type == "escalated")).all()
        return [(e.actor, e.data["to"], e.data["reason"]) for e in rows]


def escalate(
    engine: Engine, item: int, actor: Person, note: str | None, now: datetime = MONDAY_9
) -> Any:
    """``actor`` presses Escalate on ``item`` and says ``note``."""
    return run(engine, escalate_manually, now, delegation_id=item, actor=actor.user_id, note=note)


def column(engine: Engine, item: int, name: str) -> Any:
    with Session(engine) as session:
        return getattr(session.get(Delegation, item), name)


def test_an_offer_not_accepted_in_time_escalates_once(engine: Engine) -> None:
    item = offered(engine)
    fired, told = run(engine, on_accept_deadline, DEADLINE, delegation_id=item, expected=DEADLINE)
    assert fired is True and told.kinds() == ["escalation"] and told.told[0].delegation_id == item
    [escalation] = escalations(engine)
    assert (escalation.reason, escalation.level, escalation.chain) == (
        "not_accepted",
        1,
        [CAROL.user_id, "C0HELP"],
    )
    assert escalation.stalled_since == MONDAY_9  # since it was offered
    assert escalated_events(engine) == [("system", CAROL.user_id, "not_accepted")]
    assert column(engine, item, "accept_deadline_at") is None
    again, told = run(engine, on_accept_deadline, DEADLINE, delegation_id=item, expected=DEADLINE)
    assert again is False and told.told == [] and len(escalations(engine)) == 1


def test_a_stale_accept_deadline_does_nothing(engine: Engine) -> None:
    item = offered(engine)
    earlier = DEADLINE - timedelta(hours=1)
    fired, told = run(engine, on_accept_deadline, DEADLINE, delegation_id=item, expected=earlier)
    assert fired is False and told.told == [] and escalations(engine) == []
    assert column(engine, item, "accept_deadline_at") == DEADLINE  # still watched


def test_an_accepted_offer_does_not_escalate_for_acceptance(engine: Engine) -> None:
    item = accepted(engine)
    assert column(engine, item, "accept_deadline_at") is None
    fired, told = run(engine, on_accept_deadline, DEADLINE, delegation_id=item, expected=DEADLINE)
    assert fired is False and told.told == [] and escalations(engine) == []


def test_a_declined_offer_does_not_escalate(engine: Engine) -> None:
    item = offered(engine)
    run(engine, d.decline, MONDAY_9, delegation_id=item, actor=ALICE.user_id, reason="busy")
    fired, _ = run(engine, on_accept_deadline, DEADLINE, delegation_id=item, expected=DEADLINE)
    assert fired is False and escalations(engine) == []


def test_an_unanswered_checkin_escalates_once(engine: Engine) -> None:
    item, checkin = with_checkin(engine)
    due = checkin.answer_deadline_at
    fired, told = run(engine, on_answer_deadline, due, checkin_id=checkin.id, expected=due)
    assert fired is True and told.kinds() == ["escalation"] and told.told[0].delegation_id == item
    [escalation] = escalations(engine)
    assert (escalation.reason, escalation.stalled_since) == ("checkin_unanswered", TUESDAY_9)
    again, told = run(engine, on_answer_deadline, due, checkin_id=checkin.id, expected=due)
    assert again is False and told.told == [] and len(escalations(engine)) == 1


def test_a_stale_answer_deadline_does_nothing(engine: Engine) -> None:
    _, checkin = with_checkin(engine)
    due = checkin.answer_deadline_at
    stale = due - timedelta(minutes=1)
    fired, told = run(engine, on_answer_deadline, due, checkin_id=checkin.id, expected=stale)
    assert fired is False and told.told == [] and escalations(engine) == []
    # the real deadline is still there to act on
    fired, _ = run(engine, on_answer_deadline, due, checkin_id=checkin.id, expected=due)
    assert fired is True


@pytest.mark.parametrize("how", ["answered", "completed"])
def test_an_answered_checkin_or_a_closed_item_does_not_escalate(engine: Engine, how: str) -> None:
    item, checkin = with_checkin(engine)
    due = checkin.answer_deadline_at
    if how == "answered":
        answer = {"checkin_id": checkin.id, "status": CheckinStatus.AT_RISK, "note": "slow"}
        run(engine, answer_checkin, TUESDAY_9, actor=ALICE.user_id, **answer)
    else:
        run(engine, d.complete, TUESDAY_9, delegation_id=item, actor=ALICE.user_id)
    fired, told = run(engine, on_answer_deadline, due, checkin_id=checkin.id, expected=due)
    assert fired is False and escalations(engine) == [] and told.told == []


@pytest.mark.parametrize("who", [ALICE, LEAD])
def test_the_assignee_or_the_delegator_may_escalate(engine: Engine, who: Person) -> None:
    item = accepted(engine)
    later = MONDAY_9 + timedelta(hours=1)
    escalation, told = escalate(engine, item, who, "  Need access to prod  ", now=later)
    assert (escalation.reason, escalation.target) == ("manual", CAROL.user_id)
    assert (escalation.note, escalation.stalled_since) == ("Need access to prod", later)
    assert told.kinds() == ["escalation"]
    assert escalated_events(engine) == [(who.user_id, CAROL.user_id, "manual")]


def test_an_offer_not_yet_accepted_may_be_escalated(engine: Engine) -> None:
    item = offered(engine)
    escalation, _ = escalate(engine, item, LEAD, "Is Alice away?")
    assert escalation.reason == "manual"
    # the not-accepted deadline then finds one in progress and does not start another
    fired, _ = run(engine, on_accept_deadline, DEADLINE, delegation_id=item, expected=DEADLINE)
    assert fired is False and [e.reason for e in escalations(engine)] == ["manual"]


def test_nobody_else_may_escalate(engine: Engine) -> None:
    item = accepted(engine)
    for outsider in (CAROL, DAVE):  # not even the one it would reach
        with pytest.raises(NotAllowed):
            escalate(engine, item, outsider, "help")
        with unit_of_work(engine) as session, pytest.raises(NotAllowed):
            check_can_escalate(session, delegation_id=item, actor=outsider.user_id)
    assert escalations(engine) == []


@pytest.mark.parametrize("note", [None, "", "   "])
def test_escalating_says_what_help_is_needed(engine: Engine, note: str | None) -> None:
    item = accepted(engine)
    with pytest.raises(BadInput) as raised:
        escalate(engine, item, ALICE, note)
    assert raised.value.field == "reason" and escalations(engine) == []


def test_one_escalation_at_a_time(engine: Engine) -> None:
    item = accepted(engine)
    escalate(engine, item, ALICE, "a")
    with pytest.raises(InvalidTransition):
        escalate(engine, item, LEAD, "b")
    assert [e.note for e in escalations(engine)] == ["a"]


def test_a_closed_or_unknown_item_cannot_be_escalated(engine: Engine) -> None:
    item = accepted(engine)
    run(engine, d.complete, MONDAY_9, delegation_id=item, actor=ALICE.user_id)
    with pytest.raises(InvalidTransition):
        escalate(engine, item, LEAD, "x")
    with unit_of_work(engine) as session, pytest.raises(InvalidTransition):
        check_can_escalate(session, delegation_id=item, actor=LEAD.user_id)  # before the form
    with pytest.raises(NotFound):
        escalate(engine, 4242, LEAD, "x")
    assert escalations(engine) == []


def test_a_former_assignee_may_no_longer_escalate(engine: Engine) -> None:
    item = accepted(engine)
    bob = Person("U0BOB", tz="UTC")
    run(engine, reassign, MONDAY_9, delegation_id=item, actor=LEAD.user_id, new_assignee=bob)
    with pytest.raises(NotAllowed):
        escalate(engine, item, ALICE, "still mine?")
    escalation, _ = escalate(engine, item, bob, "new to this")
    assert escalation.note == "new to this"
