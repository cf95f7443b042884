"""Escalation: a frozen chain plus a step function. Risk climbs from the assignee's manager
up the reports-to chain, then to the fallback channel, until someone acknowledges it."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from bot.domain.chain import chain_for
from bot.domain.delegations import iso
from bot.domain.errors import InvalidTransition, NotAllowed, NotFound
from bot.domain.supervision import Supervisor, is_person
from bot.domain.work import Work
from storage.delegations import get_delegation
from storage.enums import (
    SYSTEM_ACTOR,
    DelegationStatus,
    EscalationReason,
    EscalationStatus,
    EventType,
)
from storage.escalations import (
    add_escalation,
    close_open_escalations,
    get_escalation,
    hold_open_item,
    move_escalation,
)
from storage.events import record_event
from storage.models import Delegation, Escalation

MAX_NOTE_LENGTH = 2000
OPEN_ITEM = [status for status in DelegationStatus if status.is_open]


def start_escalation(
    work: Work,
    *,
    delegation: Delegation,
    reason: EscalationReason,
    actor: str,
    stalled_since: datetime,
    note: str | None = None,
) -> Escalation | None:
    """Start climbing at level 1, or None when an escalation is already in progress (a new
    trigger does not restart the climb) or there is nobody to tell."""
    session, now, notifier, supervisor = work.session, work.now, work.notifier, work.supervisor
    policy = supervisor.policy
    climb = chain_for(
        assignee=delegation.assignee_id,
        delegator=delegation.delegator_id,
        chain=policy.chain,
        fallback=policy.fallback_channel,
    )
    if not climb:
        return None
    assert delegation.id is not None
    if not hold_open_item(session, delegation_id=delegation.id, statuses=OPEN_ITEM):
        return None  # it closed a moment ago: nothing to escalate
    escalation = add_escalation(
        session,
        escalation=Escalation(
            delegation_id=delegation.id,
            reason=reason,
            chain=climb,
            level=1,
            target=climb[0],
            status=EscalationStatus.OPEN,
            started_at=now,
            stalled_since=stalled_since,
            level_started_at=now,
            next_step_at=_next_step(supervisor, climb, 1, now),
            note=(note or "").strip()[:MAX_NOTE_LENGTH] or None,
        ),
    )
    if escalation is None:
        return None
    if escalation.next_step_at is None and not is_person(escalation.target):
        escalation.status = EscalationStatus.EXHAUSTED
        session.add(escalation)
        session.flush()
    _escalated(session, delegation, escalation, reason=reason, actor=actor, now=now)
    notifier.escalation(delegation, escalation)
    return escalation


def climb(work: Work, *, escalation_id: int, expected_step_at: datetime) -> bool:
    """Nobody acknowledged in time: tell the next level. Exactly once, and never after an
    acknowledgement that committed first."""
    session, now, notifier, supervisor = work.session, work.now, work.notifier, work.supervisor
    escalation = get_escalation(session, escalation_id=escalation_id)
    if (
        escalation is None
        or escalation.status != EscalationStatus.OPEN
        or escalation.next_step_at != expected_step_at
    ):
        return False
    if not hold_open_item(session, delegation_id=escalation.delegation_id, statuses=OPEN_ITEM):
        close_open_escalations(session, delegation_id=escalation.delegation_id)
        return False
    level = escalation.level + 1
    if level > len(escalation.chain):  # told everyone: stop waiting
        return move_escalation(
            session,
            escalation_id=escalation_id,
            expected_level=escalation.level,
            values={"status": EscalationStatus.EXHAUSTED, "next_step_at": None},
        )
    target = escalation.chain[level - 1]
    last = level == len(escalation.chain)
    moved = move_escalation(
        session,
        escalation_id=escalation_id,
        expected_level=escalation.level,
        values={
            "level": level,
            "target": target,
            "level_started_at": now,
            "next_step_at": _next_step(supervisor, escalation.chain, level, now),
            "status": EscalationStatus.EXHAUSTED
            if last and not is_person(target)
            else EscalationStatus.OPEN,
        },
    )
    if not moved:
        return False
    fresh = get_escalation(session, escalation_id=escalation_id)
    delegation = get_delegation(session, delegation_id=escalation.delegation_id)
    assert fresh is not None and delegation is not None
    _escalated(
        session,
        delegation,
        fresh,
        reason=EscalationReason.UNACKNOWLEDGED,
        actor=SYSTEM_ACTOR,
        now=now,
    )
    notifier.escalation(delegation, fresh)
    return True


def acknowledge(
    work: Work, *, escalation_id: int, actor: str, clicked_in: str | None = None
) -> Escalation:
    """Someone the escalation reached picks it up: the climb stops.

    A person it reached may; so may anyone in a channel it reached, pressing the button on
    that channel's message, except the assignee (whose item it is).
    """
    session, now, notifier = work.session, work.now, work.notifier
    escalation = get_escalation(session, escalation_id=escalation_id)
    delegation = (
        get_delegation(session, delegation_id=escalation.delegation_id) if escalation else None
    )
    if escalation is None or delegation is None:
        raise NotFound("I can't find that escalation any more.")
    reached = escalation.chain[: escalation.level]
    in_reached_channel = (
        clicked_in is not None
        and clicked_in in reached
        and not is_person(clicked_in)
        and actor != delegation.assignee_id
    )
    if actor not in reached and not in_reached_channel:
        raise NotAllowed("Only the person this escalation went to can acknowledge it.")
    if escalation.status == EscalationStatus.ACKNOWLEDGED:
        raise InvalidTransition("Someone has already picked this escalation up.")
    if escalation.status == EscalationStatus.CLOSED:
        raise InvalidTransition("Nothing to pick up: the item has closed.")
    moved = move_escalation(
        session,
        escalation_id=escalation_id,
        expected_level=escalation.level,
        expected_status=escalation.status,
        values={
            "status": EscalationStatus.ACKNOWLEDGED,
            "acknowledged_at": now,
            "acknowledged_by": actor,
            "next_step_at": None,
        },
    )
    if not moved:
        raise InvalidTransition("This escalation moved on a moment ago; try again.")
    fresh = get_escalation(session, escalation_id=escalation_id)
    delegation = get_delegation(session, delegation_id=escalation.delegation_id)
    assert fresh is not None and delegation is not None
    record_event(
        session,
        delegation_id=delegation.id,
        type=EventType.ACKNOWLEDGED,
        actor=actor,
        at=now,
        data={"escalation_id": fresh.id, "level": fresh.level},
    )
    notifier.acknowledged(delegation, fresh)
    return fresh


def _next_step(
    supervisor: Supervisor, climb: list[str], level: int, now: datetime
) -> datetime | None:
    """When this level times out and the next is told; None at the last level."""
    if level >= len(climb) and not is_person(climb[level - 1]):
        return None
    return supervisor.deadline(now, supervisor.policy.escalation_timeout, climb[level - 1])


def _escalated(
    session: Session,
    delegation: Delegation,
    escalation: Escalation,
    *,
    reason: EscalationReason,
    actor: str,
    now: datetime,
) -> None:
    record_event(
        session,
        delegation_id=delegation.id,
        type=EventType.ESCALATED,
        actor=actor,
        at=now,
        data={
            "level": escalation.level,
            "to": escalation.target,
            "reason": reason.value,
            "escalation_id": escalation.id,
            "stalled_since": iso(escalation.stalled_since),
        },
    )
