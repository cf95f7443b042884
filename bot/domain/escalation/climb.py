"""The climb: an escalation starts at level 1 of a frozen chain and moves up it, to the
assignee's manager, theirs, and finally the fallback channel, until it ends."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from bot.domain.chain import chain_for
from bot.domain.errors import BadInput, InvalidTransition, NotAllowed, NotFound
from bot.domain.supervision import Supervisor, is_person
from bot.domain.work import Work
from storage.delegations import get_delegation
from storage.enums import (
    SYSTEM_ACTOR,
    DelegationStatus,
    EscalationReason,
    EscalationStatus,
    EventType,
    ResolveCause,
)
from storage.escalations import (
    add_escalation,
    end_watches,
    get_escalation,
    hold_open_item,
    move_escalation,
)
from storage.events import iso, record_event
from storage.models import Delegation, Escalation

MAX_NOTE_LENGTH = 2000
OPEN_ITEM = [status for status in DelegationStatus if status.is_open]
CLIMBING = (EscalationStatus.OPEN, EscalationStatus.EXHAUSTED)


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
    next_step = _next_step(supervisor, climb, 1, now)
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
            next_step_at=next_step,
            note=clean_note(note),
        ),
    )
    if escalation is None:
        return None
    end_watches(session, delegation_id=delegation.id)  # one escalation in progress per item
    if next_step is None:  # the fallback channel alone: nowhere further to go
        escalation.status = EscalationStatus.EXHAUSTED
        session.add(escalation)
        session.flush()
    _escalated(session, delegation, escalation, reason=reason, actor=actor, now=now)
    notifier.escalation(delegation, escalation)
    return escalation


def climb(work: Work, *, escalation_id: int, expected_step_at: datetime) -> bool:
    """Nobody acknowledged in time: tell the next level. Exactly once, and never after an
    acknowledgement or a resolve that committed first."""
    session = work.session
    escalation = get_escalation(session, escalation_id=escalation_id)
    if (
        escalation is None
        or escalation.status != EscalationStatus.OPEN
        or escalation.next_step_at != expected_step_at
    ):
        return False
    if not hold_open_item(session, delegation_id=escalation.delegation_id, statuses=OPEN_ITEM):
        return False  # the item closed: its closing ended the escalation
    if escalation.level >= len(escalation.chain):  # told everyone: stop waiting
        return move_escalation(
            session,
            escalation_id=escalation_id,
            expected_level=escalation.level,
            values={"status": EscalationStatus.EXHAUSTED, "next_step_at": None},
        )
    return climb_to(
        work,
        escalation,
        reason=EscalationReason.UNACKNOWLEDGED,
        actor=SYSTEM_ACTOR,
        expected_step_at=expected_step_at,
    )


def check_can_pass_up(
    session: Session, *, escalation_id: int, actor: str
) -> tuple[Delegation, Escalation]:
    """Raise now, before a reason is asked for, if this person could not pass it up: only
    the person it is with now (or who picked it up), and only if there is a next level."""
    escalation, delegation = load(session, escalation_id)
    climbing_here = escalation.status in CLIMBING and actor == escalation.target
    picked_up = (
        escalation.status == EscalationStatus.ACKNOWLEDGED and actor == escalation.acknowledged_by
    )
    if not (climbing_here or picked_up) or actor == delegation.assignee_id:
        check_not_over(escalation)
        raise NotAllowed("Only the person this escalation is with now can pass it up.")
    if escalation.level >= len(escalation.chain):
        raise InvalidTransition("There is nobody further up the chain to pass this to.")
    return delegation, escalation


def pass_up(work: Work, *, escalation_id: int, actor: str, note: str | None) -> Escalation:
    """The person the escalation is with hands it to the next level at once, saying why."""
    session = work.session
    _, escalation = check_can_pass_up(session, escalation_id=escalation_id, actor=actor)
    if not clean_note(note):
        raise BadInput("Say why you are passing it up, so the next person can act.", field="reason")
    if not climb_to(work, escalation, reason=EscalationReason.PASSED_UP, actor=actor, note=note):
        raise InvalidTransition("This escalation moved on a moment ago; have another look.")
    fresh = get_escalation(session, escalation_id=escalation_id)
    assert fresh is not None
    return fresh


def climb_to(
    work: Work,
    escalation: Escalation,
    *,
    reason: EscalationReason,
    actor: str,
    note: str | None = None,
    expected_step_at: datetime | None = None,
) -> bool:
    """Tell the next level, if the escalation is still where it was read (its status and
    level, and the step that fell due, if given): of two steps racing, one applies. False if
    it moved on meanwhile, or the item has another escalation climbing."""
    session, now, notifier, supervisor = work.session, work.now, work.notifier, work.supervisor
    assert escalation.id is not None
    level = escalation.level + 1
    target = escalation.chain[level - 1]
    next_step = _next_step(supervisor, escalation.chain, level, now)
    values = {
        "level": level,
        "target": target,
        "level_started_at": now,
        "next_step_at": next_step,
        "status": EscalationStatus.OPEN if next_step else EscalationStatus.EXHAUSTED,
        "climb_reason": reason.value,
        "climb_note": clean_note(note),
        "acknowledged_at": None,
        "acknowledged_by": None,
        "committed_at": None,
        "reminded_at": None,
    }
    try:
        with session.begin_nested():  # back to "open": the item may have another by now
            moved = move_escalation(
                session,
                escalation_id=escalation.id,
                expected_level=escalation.level,
                expected_status=escalation.status,
                expected_step_at=expected_step_at,
                values=values,
            )
    except IntegrityError:
        moved = False
    if not moved:
        return False
    fresh = get_escalation(session, escalation_id=escalation.id)
    delegation = get_delegation(session, delegation_id=escalation.delegation_id)
    assert fresh is not None and delegation is not None
    _escalated(session, delegation, fresh, reason=reason, actor=actor, now=now)
    notifier.escalation(delegation, fresh)
    return True


def load(session: Session, escalation_id: int) -> tuple[Escalation, Delegation]:
    escalation = get_escalation(session, escalation_id=escalation_id)
    delegation = (
        get_delegation(session, delegation_id=escalation.delegation_id) if escalation else None
    )
    if escalation is None or delegation is None:
        raise NotFound("I can't find that escalation any more.")
    return escalation, delegation


def check_not_over(escalation: Escalation) -> None:
    """Refuse a button on an escalation that has ended, saying how it ended."""
    if escalation.status == EscalationStatus.RESOLVED and escalation.resolved_cause:
        cause = ResolveCause(escalation.resolved_cause).describe
        raise InvalidTransition(f"This escalation is already resolved: {cause}.")
    if escalation.status == EscalationStatus.CLOSED:
        raise InvalidTransition("Nothing to pick up: the item has closed.")


def clean_note(note: str | None) -> str | None:
    return (note or "").strip()[:MAX_NOTE_LENGTH] or None


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
    data = {
        "level": escalation.level,
        "to": escalation.target,
        "reason": reason.value,
        "escalation_id": escalation.id,
        "stalled_since": iso(escalation.stalled_since),
    }
    if reason is EscalationReason.PASSED_UP:
        data["note"] = escalation.climb_note
    record_event(
        session,
        delegation_id=delegation.id,
        type=EventType.ESCALATED,
        actor=actor,
        at=now,
        data=data,
    )
