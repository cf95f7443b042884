"""What starts an escalation: the deadlines the scheduler watches, and Escalate pressed."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from bot.domain.errors import BadInput, InvalidTransition, NotAllowed, NotFound
from bot.domain.escalation import OPEN_ITEM, start_escalation
from bot.domain.work import Work
from storage.checkins import claim_column, get_checkin
from storage.delegations import get_delegation
from storage.enums import SYSTEM_ACTOR, DelegationStatus, EscalationReason
from storage.escalations import claim_answer_deadline
from storage.models import Delegation, Escalation


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


def on_accept_deadline(work: Work, *, delegation_id: int, expected: datetime) -> bool:
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


def on_answer_deadline(work: Work, *, checkin_id: int, expected: datetime) -> bool:
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
