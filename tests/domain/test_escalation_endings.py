"""How escalations end: resolved when their cause clears (each cause, as escalation's rules
table says), the watch after an acknowledgement, Pass up, and old buttons."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from bot.app.jobs import tick
from bot.domain import changes
from bot.domain import delegations as d
from bot.domain.checkins import answer_checkin
from bot.domain.errors import BadInput, InvalidTransition, NotAllowed
from bot.domain.escalation import pass_up, still_on_it
from bot.domain.escalation.rules import CLIMB_RULES, RULES
from bot.domain.ports import Person
from bot.domain.questions import ask
from bot.domain.scheduled import SCHEDULED, scheduled
from storage.enums import CheckinStatus, EscalationReason, ResolveCause
from storage.models import Checkin, Delegation, Event
from tests.domain.test_escalation import (
    ALICE,
    CAROL,
    DAVE,
    FALLBACK,
    LEAD,
    MONDAY_9,
    World,
    policy,
)

BOB = "U0BOB"
CHECKIN_AT = MONDAY_9 + timedelta(days=1)


@pytest.fixture
def world(engine: Engine) -> World:
    return World(engine, policy())


def events(world: World, kind: str) -> list[Event]:
    with Session(world.engine) as session:
        found = select(Event).where(Event.type == kind).order_by(col(Event.id))
        return list(session.exec(found).all())


def resolved_causes(world: World) -> list[str]:
    return [event.data["cause"] for event in events(world, "escalation_resolved")]


def answer(world: World, status: CheckinStatus, *, note: str | None = None) -> None:
    """Alice answers her latest check-in."""
    with Session(world.engine) as session:
        checkin = session.exec(select(Checkin).order_by(col(Checkin.id).desc())).first()
    assert checkin is not None
    with world.work() as unit:
        answer_checkin(unit, checkin_id=checkin.id, actor=ALICE, status=status, note=note)


def accepted_with_checkin(world: World, **offer: Any) -> int:
    item = world.offer(**offer)
    world.accept(item)
    world.at(CHECKIN_AT)  # the check-in goes out
    return item


def test_every_reason_has_a_rule_and_closing_clears_them_all() -> None:
    """Each reason is a starting rule or a step of the climb, never both, never neither."""
    assert set(RULES) | set(CLIMB_RULES) == set(EscalationReason)
    assert not set(RULES) & set(CLIMB_RULES)
    assert set(CLIMB_RULES) == {
        EscalationReason.UNACKNOWLEDGED,
        EscalationReason.PASSED_UP,
        EscalationReason.STALE_AFTER_ACK,
    }
    assert all(ResolveCause.CLOSED in rule.cleared_by for rule in RULES.values())
    assert RULES[EscalationReason.MANUAL].cleared_by == {ResolveCause.CLOSED}


def test_a_late_answer_resolves_the_unanswered_checkin_and_stops_the_climb(world: World) -> None:
    accepted_with_checkin(world)
    world.at(CHECKIN_AT + timedelta(hours=4))
    assert world.escalations() == [(1, CAROL, "checkin_unanswered")]
    world.clock.set(CHECKIN_AT + timedelta(hours=4, minutes=1))
    answer(world, CheckinStatus.ON_TRACK)
    assert resolved_causes(world) == ["checkin_answered"]
    assert world.escalation().status == "resolved"
    world.at(CHECKIN_AT + timedelta(days=3))  # no climb after the resolving commit
    assert world.escalations() == [(1, CAROL, "checkin_unanswered")]
    told = [entry for entry in world.told.told if entry.what == "escalation_resolved"]
    assert told[0].details["actor"] == ALICE and told[0].details["quietly"] is False


def test_blocked_then_on_track_or_at_risk_is_unblocked(world: World) -> None:
    accepted_with_checkin(world)
    answer(world, CheckinStatus.BLOCKED, note="no access")
    assert world.escalations() == [(1, CAROL, "blocked")]
    world.at(CHECKIN_AT + timedelta(days=1))  # the next check-in; it climbed meanwhile
    climbed = world.escalations()
    answer(world, CheckinStatus.AT_RISK)
    assert resolved_causes(world) == ["unblocked"]
    world.at(CHECKIN_AT + timedelta(days=4))
    assert world.escalations() == climbed


def test_blocked_again_does_not_resolve_the_block(world: World) -> None:
    accepted_with_checkin(world)
    answer(world, CheckinStatus.BLOCKED, note="no access")
    world.at(CHECKIN_AT + timedelta(hours=1))
    world.at(CHECKIN_AT + timedelta(days=1))
    answer(world, CheckinStatus.BLOCKED, note="still no access")
    assert resolved_causes(world) == []
    assert world.escalation().status in ("open", "exhausted")


def test_an_answered_unanswered_checkin_then_blocked_starts_the_block(world: World) -> None:
    """The answer ends the first escalation, so Blocked's note has one of its own."""
    accepted_with_checkin(world)
    world.at(CHECKIN_AT + timedelta(hours=4))
    answer(world, CheckinStatus.BLOCKED, note="waiting on legal")
    assert resolved_causes(world) == ["checkin_answered"]
    assert world.escalations()[-1] == (1, CAROL, "blocked")
    assert world.escalation().note == "waiting on legal"


def test_overdue_resolves_when_the_due_date_moves_ahead(world: World) -> None:
    item = world.offer(due_in=timedelta(hours=20))
    world.accept(item)
    world.at(MONDAY_9 + timedelta(hours=20))
    assert (1, CAROL, "overdue") in world.escalations()
    new_due = (world.clock.now() + timedelta(days=2)).date()
    with world.work() as unit:
        proposal = changes.propose_due(
            unit, delegation_id=item, actor=ALICE, day=new_due, at=None, reason="scope grew"
        )
    with world.work() as unit:
        changes.decide_due(unit, proposal_id=proposal.id, actor=LEAD, approve=True)
    assert resolved_causes(world) == ["due_changed"]


@pytest.mark.parametrize(
    ("act", "cause"),
    [
        ("accept", "accepted"),
        ("decline", "declined"),
        ("ask", "question_asked"),
        ("cancel", "closed"),
        ("reassign", "reassigned"),
    ],
)
def test_not_accepted_resolves_when_the_offer_is_settled(
    world: World, act: str, cause: str
) -> None:
    item = world.offer()
    world.at(MONDAY_9 + timedelta(hours=4))
    with world.work() as unit:
        if act == "accept":
            d.accept(unit, delegation_id=item, actor=ALICE)
        elif act == "decline":
            d.decline(unit, delegation_id=item, actor=ALICE, reason="busy")
        elif act == "ask":
            ask(unit, delegation_id=item, actor=ALICE, question="Which quarter?")
        elif act == "cancel":
            d.cancel(unit, delegation_id=item, actor=LEAD)
        else:
            changes.reassign(unit, delegation_id=item, actor=LEAD, new_assignee=Person(DAVE))
    assert resolved_causes(world) == [cause]
    world.at(MONDAY_9 + timedelta(hours=9))
    first = [e for e in events(world, "escalated") if e.data["escalation_id"] == 1]
    assert [event.data["level"] for event in first] == [1]  # it never climbed


def test_manual_ends_only_by_acknowledgement_or_closing(world: World) -> None:
    item = accepted_with_checkin(world, due_in=timedelta(days=3))
    world.escalate(item, actor=ALICE, note="Need finance")
    answer(world, CheckinStatus.ON_TRACK)
    assert resolved_causes(world) == []
    with world.work() as unit:
        d.complete(unit, delegation_id=item, actor=ALICE)
    assert resolved_causes(world) == ["closed"]


def test_a_resolve_after_an_acknowledgement_is_one_ending(world: World) -> None:
    accepted_with_checkin(world)
    answer(world, CheckinStatus.BLOCKED, note="no access")
    world.acknowledge(world.escalation().id, actor=CAROL)
    world.at(CHECKIN_AT + timedelta(days=1))
    answer(world, CheckinStatus.ON_TRACK)
    assert len(events(world, "acknowledged")) == 1
    assert resolved_causes(world) == []  # the acknowledgement was its ending
    assert world.escalation().status == "resolved"
    assert world.escalation().next_step_at is None
    with pytest.raises(InvalidTransition, match="already resolved: the assignee is no longer"):
        world.acknowledge(world.escalation().id, actor=CAROL)


def test_old_buttons_on_a_resolved_escalation_say_how_it_ended(world: World) -> None:
    accepted_with_checkin(world)
    world.at(CHECKIN_AT + timedelta(hours=4))
    answer(world, CheckinStatus.ON_TRACK)
    escalation_id = world.escalation().id
    with pytest.raises(InvalidTransition, match="already resolved: the check-in was answered"):
        world.acknowledge(escalation_id, actor=CAROL)
    with world.work() as unit, pytest.raises(InvalidTransition, match="already resolved"):
        pass_up(unit, escalation_id=escalation_id, actor=CAROL, note="not mine")


def acknowledged_block(world: World) -> int:
    """Alice is blocked; Carol picks it up at once (Monday of week two, 09:00 + 1 day)."""
    item = accepted_with_checkin(world)
    answer(world, CheckinStatus.BLOCKED, note="no access")
    world.acknowledge(world.escalation().id, actor=CAROL)
    return item


def test_nothing_moving_after_an_acknowledgement_reminds_then_climbs(world: World) -> None:
    acknowledged_block(world)
    world.at(CHECKIN_AT + timedelta(hours=23))
    assert "reacknowledge" not in world.told.kinds()
    world.at(CHECKIN_AT + timedelta(days=1))  # reacknowledge_after: one day
    assert world.told.kinds().count("reacknowledge") == 1
    world.at(CHECKIN_AT + timedelta(days=1, hours=1))
    assert world.told.kinds().count("reacknowledge") == 1  # one reminder, not a stream
    world.at(CHECKIN_AT + timedelta(days=1, hours=2))  # escalation_timeout, unanswered
    assert world.escalations()[-1] == (2, DAVE, "stale_after_ack")
    assert world.escalation().status == "open"


def test_still_on_it_restarts_the_wait(world: World) -> None:
    acknowledged_block(world)
    world.at(CHECKIN_AT + timedelta(days=1))
    with world.work() as unit, pytest.raises(NotAllowed):
        still_on_it(unit, escalation_id=world.escalation().id, actor=DAVE)
    world.clock.set(CHECKIN_AT + timedelta(days=1, hours=1))
    with world.work() as unit:
        still_on_it(unit, escalation_id=world.escalation().id, actor=CAROL)
    world.at(CHECKIN_AT + timedelta(days=1, hours=3))
    assert len(world.escalations()) == 1
    world.at(CHECKIN_AT + timedelta(days=2, hours=1))
    assert world.told.kinds().count("reacknowledge") == 2


def test_movement_after_an_acknowledgement_ends_the_watch(world: World) -> None:
    item = world.offer(due_in=timedelta(days=5))
    world.accept(item)
    world.clock.set(MONDAY_9 + timedelta(hours=1))
    world.escalate(item, actor=ALICE, note="Need finance")
    world.acknowledge(world.escalation().id, actor=CAROL)
    world.at(CHECKIN_AT)  # a check-in goes out; Alice answers it: the item moves
    answer(world, CheckinStatus.ON_TRACK)
    world.at(CHECKIN_AT + timedelta(days=2))
    assert "reacknowledge" not in world.told.kinds()
    assert world.escalation().next_step_at is None


def test_reacknowledge_never_switches_the_watch_off(engine: Engine) -> None:
    world = World(engine, policy(reacknowledge_after=None))
    acknowledged_block(world)
    assert world.escalation().next_step_at is None
    world.at(CHECKIN_AT + timedelta(days=5))
    assert "reacknowledge" not in world.told.kinds()


def test_pass_up_goes_to_the_next_level_at_once_with_the_note(world: World) -> None:
    accepted_with_checkin(world)
    answer(world, CheckinStatus.BLOCKED, note="no access")
    escalation_id = world.escalation().id
    with world.work() as unit, pytest.raises(NotAllowed):
        pass_up(unit, escalation_id=escalation_id, actor=DAVE, note="not me")
    with world.work() as unit, pytest.raises(BadInput):
        pass_up(unit, escalation_id=escalation_id, actor=CAROL, note="  ")
    with world.work() as unit:
        pass_up(unit, escalation_id=escalation_id, actor=CAROL, note="Needs a budget call")
    assert world.escalations()[-1] == (2, DAVE, "passed_up")
    assert events(world, "escalated")[-1].data["note"] == "Needs a budget call"
    assert world.escalation().climb_note == "Needs a budget call"
    with world.work() as unit:  # the top passes up to the fallback channel
        pass_up(unit, escalation_id=escalation_id, actor=DAVE, note="Out of my hands")
    assert world.escalations()[-1] == (3, FALLBACK, "passed_up")
    with world.work() as unit, pytest.raises(NotAllowed):  # it is not with Dave any more
        pass_up(unit, escalation_id=escalation_id, actor=DAVE, note="again")


def test_the_top_of_a_chain_without_a_fallback_cannot_pass_up(engine: Engine) -> None:
    world = World(engine, policy(fallback_channel=None))
    accepted_with_checkin(world)
    answer(world, CheckinStatus.BLOCKED, note="no access")
    escalation_id = world.escalation().id
    with world.work() as unit:
        pass_up(unit, escalation_id=escalation_id, actor=CAROL, note="Budget")
    with world.work() as unit, pytest.raises(InvalidTransition, match="nobody further"):
        pass_up(unit, escalation_id=escalation_id, actor=DAVE, note="again")


def test_adding_a_scheduled_trigger_is_one_registration(world: World) -> None:
    """A kind of scheduled work is its indexed column and a registered step; the tick finds
    and runs it with no other change (here on an existing column, for the test's sake)."""
    seen: list[tuple[int, datetime]] = []

    @scheduled("test_nudges", Delegation.id, Delegation.accept_deadline_at)
    def nudge(work: object, delegation_id: int, expected: datetime) -> bool:
        seen.append((delegation_id, expected))
        return True

    try:
        item = world.offer()
        report = tick(world.engine, world.work, now=MONDAY_9 + timedelta(hours=4))
    finally:
        del SCHEDULED["test_nudges"]
    assert report.test_nudges == 1 and [row for row, _ in seen] == [item]
    assert "test_nudges=1" in repr(report)


def test_an_answer_to_an_older_checkin_does_not_clear_a_newer_block(world: World) -> None:
    accepted_with_checkin(world)
    with Session(world.engine) as session:
        older = session.exec(select(Checkin)).one()
    world.at(CHECKIN_AT + timedelta(days=1))  # a second check-in; Alice answers it Blocked
    answer(world, CheckinStatus.BLOCKED, note="no access")
    with world.work() as unit:  # then the first, still open, On track
        answer_checkin(
            unit, checkin_id=older.id, actor=ALICE, status=CheckinStatus.ON_TRACK, note=None
        )
    assert "unblocked" not in resolved_causes(world)


def test_a_still_on_it_that_commits_while_the_watch_step_runs_wins(world: World) -> None:
    """The step read the escalation before Still on it committed: it must not climb."""
    from bot.domain.escalation.endings import _watch

    acknowledged_block(world)
    world.at(CHECKIN_AT + timedelta(days=1))  # the reminder
    step_at = world.escalation().next_step_at
    assert step_at is not None
    stale = world.escalation()  # as the step read it
    world.clock.set(step_at)
    with world.work() as unit:
        still_on_it(unit, escalation_id=stale.id, actor=CAROL)
    with world.work() as unit:
        assert _watch(unit, stale, step_at) is False
    assert len(world.escalations()) == 1
    assert world.escalation().acknowledged_by == CAROL


def test_a_new_trigger_ends_the_watch_of_one_picked_up(world: World) -> None:
    item = accepted_with_checkin(world, due_in=timedelta(days=1, hours=2))
    answer(world, CheckinStatus.BLOCKED, note="no access")
    first = world.escalation().id
    world.acknowledge(first, actor=CAROL)
    world.at(CHECKIN_AT + timedelta(hours=2))  # overdue: a new escalation starts
    assert world.escalations()[-1] == (1, CAROL, "overdue")
    with Session(world.engine) as session:
        from storage.models import Escalation

        picked_up = session.get(Escalation, first)
        assert picked_up is not None and picked_up.next_step_at is None
    world.at(CHECKIN_AT + timedelta(days=3))  # no stale_after_ack beside the new climb
    assert all(reason != "stale_after_ack" for _, _, reason in world.escalations())
    del item


def test_the_assignee_cannot_acknowledge_their_own_items_escalation(world: World) -> None:
    """Reassigned to Carol, who the manual escalation had already reached."""
    item = world.offer(due_in=timedelta(days=3))
    world.accept(item)
    world.escalate(item, actor=LEAD, note="Stuck")
    with world.work() as unit:
        changes.reassign(unit, delegation_id=item, actor=LEAD, new_assignee=Person(CAROL))
    with pytest.raises(NotAllowed):
        world.acknowledge(world.escalation().id, actor=CAROL)
