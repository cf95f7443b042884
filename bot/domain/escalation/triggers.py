"""What starts an escalation, as ``rules.RULES`` says: the deadlines the scheduler watches
(not accepted, a check-in unanswered, the due date passed), a check-in answered Blocked,
and Escalate pressed. Each scheduled one is registered with the tick."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from bot.domain.errors import BadInput, InvalidTransition, NotAllowed, NotFound
from bot.domain.escalation.climb import OPEN_ITEM, start_escalation
from bot.domain.escalation.endings import resolve
from bot.domain.escalation.rules import CAUSES_OF_ANSWER
from bot.domain.scheduled import scheduled
from bot.domain.work import Work
from storage.checkins import claim_column, get_checkin
from storage.delegations import get_delegation
from storage.enums import (
    SYSTEM_ACTOR,
    CheckinStatus,
    DelegationStatus,
    EscalationReason,
    EventType,
)
from storage.escalations import claim_answer_deadline
from storage.events import iso, record_event
from storage.models import Checkin, Delegation, Escalation


def escalate_manually(
    work: Work, *, delegation_id: int, actor: str, note: str | None
) -> Escalation:
    session, now = work.session, work.now
    delegation = check_can_escalate(session, delegation_id=delegation_id, actor=actor)
    if not (note or "").strip():
        raise BadInput("Say what help is needed, so the person it reaches can act.", field="reason")
    escalation = start_escalation(
        work,
        delegation=delegation,
        reason=EscalationReason.MANUAL,
        actor=actor,
        stalled_since=now,
        note=note,
    )
    if escalation is None:
        raise InvalidTransition(
            "This item is already escalated and waiting for someone to pick it up."
        )
    return escalation


def check_can_escalate(session: Session, *, delegation_id: int, actor: str) -> Delegation:
    delegation = get_delegation(session, delegation_id=delegation_id)
    if delegation is None:
        raise NotFound("I can't find that delegation any more.")
    if actor not in (delegation.assignee_id, delegation.delegator_id):
        raise NotAllowed("Only the assignee or the delegator can escalate this item.")
    if delegation.status not in OPEN_ITEM:
        raise InvalidTransition("Nothing to escalate: this item has closed.")
    return delegation


def on_checkin_answered(
    work: Work, *, delegation: Delegation, checkin: Checkin, status: CheckinStatus, actor: str
) -> None:
    """An answer clears what it clears (an unanswered check-in; a block, if it is On track
    or At risk); Blocked starts an escalation with the answer's note."""
    resolve(work, delegation, CAUSES_OF_ANSWER[status], actor=actor, answered=checkin)
    if status is CheckinStatus.BLOCKED:
        start_escalation(
            work,
            delegation=delegation,
            reason=EscalationReason.BLOCKED,
            actor=actor,
            stalled_since=work.now,
            note=checkin.note,
        )


@scheduled("not_accepted", Delegation.id, Delegation.accept_deadline_at)
def on_accept_deadline(work: Work, delegation_id: int, expected: datetime) -> bool:
    """Not accepted within accept_timeout (of the assignee's working time)."""
    session = work.session
    claimed = claim_column(
        session,
        delegation_id=delegation_id,
        column="accept_deadline_at",
        expected=expected,
        replacement=None,
        statuses=[DelegationStatus.OFFERED],
    )
    delegation = get_delegation(session, delegation_id=delegation_id) if claimed else None
    if delegation is None:
        return False
    return (
        start_escalation(
            work,
            delegation=delegation,
            reason=EscalationReason.NOT_ACCEPTED,
            actor=SYSTEM_ACTOR,
            stalled_since=delegation.created_at,
        )
        is not None
    )


@scheduled("unanswered", Checkin.id, Checkin.answer_deadline_at, row_id_name="checkin_id")
def on_answer_deadline(work: Work, checkin_id: int, expected: datetime) -> bool:
    """A check-in unanswered for checkin_timeout (of the assignee's working time)."""
    session = work.session
    if not claim_answer_deadline(session, checkin_id=checkin_id, expected=expected):
        return False
    checkin = get_checkin(session, checkin_id=checkin_id)
    delegation = get_delegation(session, delegation_id=checkin.delegation_id) if checkin else None
    if checkin is None or delegation is None or delegation.status != DelegationStatus.ACCEPTED:
        return False
    return (
        start_escalation(
            work,
            delegation=delegation,
            reason=EscalationReason.CHECKIN_UNANSWERED,
            actor=SYSTEM_ACTOR,
            stalled_since=checkin.sent_at,
        )
        is not None
    )


@scheduled("overdue", Delegation.id, Delegation.overdue_watch_at)
def note_overdue(work: Work, delegation_id: int, expected: datetime) -> bool:
    """Mark an open item whose due date has passed as overdue, once (``overdue`` event),
    and escalate it."""
    session, now = work.session, work.now
    claimed = claim_column(
        session,
        delegation_id=delegation_id,
        column="overdue_watch_at",
        expected=expected,
        replacement=None,
        statuses=OPEN_ITEM,
    )
    if not claimed:
        return False
    delegation = get_delegation(session, delegation_id=delegation_id)
    assert delegation is not None
    delegation.overdue_at = now
    session.add(delegation)
    record_event(
        session,
        delegation_id=delegation_id,
        type=EventType.OVERDUE,
        actor=SYSTEM_ACTOR,
        at=now,
        data={"due": iso(delegation.due_at), "status": delegation.status},
    )
    start_escalation(
        work,
        delegation=delegation,
        reason=EscalationReason.OVERDUE,
        actor=SYSTEM_ACTOR,
        stalled_since=expected,
    )
    return True
