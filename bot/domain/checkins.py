"""Check-ins and due reminders: the supervision of accepted items."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from bot.domain.delegations import complete
from bot.domain.errors import InvalidTransition, NotAllowed, NotFound
from bot.domain.escalation import on_checkin_answered
from bot.domain.scheduled import scheduled
from bot.domain.supervision import next_slot
from bot.domain.work import Work
from storage.checkins import add_checkin, claim_column, get_checkin, record_answer
from storage.delegations import get_delegation
from storage.enums import (
    SYSTEM_ACTOR,
    CheckinStatus,
    DelegationStatus,
    EventType,
)
from storage.events import iso, record_event
from storage.models import Checkin, Delegation

MAX_NOTE_LENGTH = 2000


@scheduled("checkins", Delegation.id, Delegation.next_checkin_at)
def send_checkin(work: Work, delegation_id: int, slot: datetime) -> Checkin | None:
    """Send the check-in due at ``slot``, once: None if another tick got there first."""
    session, now, notifier, supervisor = work.session, work.now, work.notifier, work.supervisor
    delegation = get_delegation(session, delegation_id=delegation_id)
    if delegation is None or delegation.status != DelegationStatus.ACCEPTED:
        return None
    cadence = supervisor.cadence_for(session, delegation, now)
    tz = supervisor.tz_of(delegation.assignee_id)
    following = next_slot(slot, cadence.every, now, tz, supervisor.policy.window)
    claimed = claim_column(
        session,
        delegation_id=delegation_id,
        column="next_checkin_at",
        expected=slot,
        replacement=following,
        statuses=[DelegationStatus.ACCEPTED],
    )
    if not claimed:
        return None
    checkin = add_checkin(
        session,
        delegation_id=delegation_id,
        slot=slot,
        now=now,
        answer_deadline_at=supervisor.deadline(
            now, supervisor.policy.checkin_timeout, delegation.assignee_id
        ),
    )
    if checkin is None:  # this slot was sent before (a crash between send and reschedule)
        return None
    record_event(
        session,
        delegation_id=delegation_id,
        type=EventType.CHECKIN_SENT,
        actor=SYSTEM_ACTOR,
        at=now,
        data={"slot": iso(slot), "checkin_id": checkin.id},
    )
    notifier.checkin(delegation, checkin, why=cadence.reason)
    return checkin


def check_can_answer(session: Session, *, checkin_id: int, actor: str) -> Checkin:
    """Raise now, before a note is asked for, if this person could not answer."""
    checkin, delegation = _load(session, checkin_id)
    _check_is_assignee(delegation, actor)
    _check_unanswered(checkin)
    return checkin


def answer_checkin(
    work: Work, *, checkin_id: int, actor: str, status: CheckinStatus, note: str | None
) -> Delegation:
    """Record the assignee's answer. If the item has closed meanwhile, the check-in is
    edited to say so and nothing else happens."""
    session, now, notifier = work.session, work.now, work.notifier
    checkin, delegation = _load(session, checkin_id)
    _check_is_assignee(delegation, actor)
    if delegation.status != DelegationStatus.ACCEPTED:
        notifier.checkin_settled(delegation, checkin)
        return delegation
    _check_unanswered(checkin)
    note = (note or "").strip()[:MAX_NOTE_LENGTH] or None
    assert checkin.id is not None
    if not record_answer(session, checkin_id=checkin.id, status=status, note=note, now=now):
        raise InvalidTransition("This check-in was answered a moment ago.")
    record_event(
        session,
        delegation_id=delegation.id,
        type=EventType.CHECKIN_ANSWERED,
        actor=actor,
        at=now,
        data={"status": status.value, "note": note, "slot": iso(checkin.slot)},
    )
    answered = get_checkin(session, checkin_id=checkin.id)
    assert answered is not None
    notifier.checkin_settled(delegation, answered)
    if status in (CheckinStatus.AT_RISK, CheckinStatus.BLOCKED):
        notifier.tell_delegator_checkin(delegation, answered)
    on_checkin_answered(work, delegation=delegation, checkin=answered, status=status, actor=actor)
    if status is CheckinStatus.DONE:
        assert delegation.id is not None
        return complete(work, delegation_id=delegation.id, actor=actor)
    return delegation


@scheduled("reminders", Delegation.id, Delegation.reminder_at)
def send_reminder(work: Work, delegation_id: int, expected: datetime) -> bool:
    session, now, notifier = work.session, work.now, work.notifier
    claimed = claim_column(
        session,
        delegation_id=delegation_id,
        column="reminder_at",
        expected=expected,
        replacement=None,
        statuses=[DelegationStatus.ACCEPTED],
    )
    delegation = get_delegation(session, delegation_id=delegation_id)
    if not claimed or delegation is None:
        return False
    record_event(
        session,
        delegation_id=delegation_id,
        type=EventType.REMINDER_SENT,
        actor=SYSTEM_ACTOR,
        at=now,
        data={"due": iso(delegation.due_at)},
    )
    notifier.reminder(delegation)
    return True


def _load(session: Session, checkin_id: int) -> tuple[Checkin, Delegation]:
    checkin = get_checkin(session, checkin_id=checkin_id)
    delegation = get_delegation(session, delegation_id=checkin.delegation_id) if checkin else None
    if checkin is None or delegation is None:
        raise NotFound("I can't find that check-in any more.")
    return checkin, delegation


def _check_is_assignee(delegation: Delegation, actor: str) -> None:
    if actor != delegation.assignee_id:
        raise NotAllowed("Only the person this was delegated to can answer its check-ins.")


def _check_unanswered(checkin: Checkin) -> None:
    if checkin.answered_at is not None and checkin.status:
        label = CheckinStatus(checkin.status).label
        raise InvalidTransition(f"You already answered this check-in ({label}).")
