"""Changing an item after it was offered: reassigning it, and negotiating its due date.

Each change is a conditional write on the item's ``updated_at`` (so of two racing clicks
exactly one wins) plus its event, in one transaction.
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from bot.domain.delegations import (
    CLEAR_SUPERVISION,
    MAX_REASON_LENGTH,
    as_assignee,
    as_delegator,
    check_assignee,
    iso,
    load_delegation,
)
from bot.domain.errors import BadInput, InvalidTransition, NotFound
from bot.domain.ports import Notifier, Person
from bot.domain.supervision import Supervisor, reminder_time
from storage.checkins import stop_waiting_for_answers
from storage.delegations import change_if_unchanged, latest_event
from storage.enums import DelegationStatus, EscalationReason, EventType
from storage.escalations import close_open_escalations
from storage.events import record_event
from storage.models import Delegation, Event

S = DelegationStatus
OPEN = (S.OFFERED, S.ACCEPTED)
CHANGED_MEANWHILE = "Nothing changed: this delegation changed a moment ago. Have another look."


def reassign(
    session: Session,
    *,
    delegation_id: int,
    actor: str,
    new_assignee: Person,
    now: datetime,
    notifier: Notifier,
    supervisor: Supervisor,
) -> Delegation:
    """Hand an open item to someone else, who must accept it afresh."""
    delegation = check_can_reassign(session, delegation_id=delegation_id, actor=actor)
    previous = delegation.assignee_id
    delegator = Person(user_id=delegation.delegator_id)
    check_assignee(delegator=delegator, assignee=new_assignee)
    if new_assignee.user_id == previous:
        raise BadInput("It is already with that person. Choose someone else.", field="assignee")
    values = {
        **CLEAR_SUPERVISION,
        "assignee_id": new_assignee.user_id,
        "status": S.OFFERED,
        "decline_reason": None,
        # a fresh start: overdue is noticed (and escalated) again, for the new person
        "overdue_at": None,
        "overdue_watch_at": delegation.due_at,
        "accept_deadline_at": supervisor.deadline(
            now, supervisor.policy.accept_timeout, new_assignee.user_id
        ),
    }
    fresh = _change(session, delegation, now=now, values=values)
    close_open_escalations(session, delegation_id=delegation_id)
    stop_waiting_for_answers(session, delegation_id=delegation_id)  # those were theirs
    earlier = _earlier_assignees(session, delegation_id) | {previous}
    record_event(
        session,
        delegation_id=delegation_id,
        type=EventType.REASSIGNED,
        actor=actor,
        at=now,
        data={
            "from": previous,
            "to": new_assignee.user_id,
            "from_assignees": sorted(earlier),
        },
    )
    notifier.reassigned(fresh, previous_assignee=previous)
    notifier.offer(fresh)
    return fresh


def propose_due(
    session: Session,
    *,
    delegation_id: int,
    actor: str,
    due_at: datetime,
    reason: str | None,
    now: datetime,
    notifier: Notifier,
) -> Event:
    """The assignee asks for another due date; the delegator approves or rejects it."""
    delegation = check_can_propose(session, delegation_id=delegation_id, actor=actor)
    if due_at <= now:
        raise BadInput("That date is in the past. Propose one still to come.", field="due")
    if delegation.due_at == due_at:
        raise BadInput("That is already the due date.", field="due")
    proposal = record_event(
        session,
        delegation_id=delegation_id,
        type=EventType.DUE_PROPOSED,
        actor=actor,
        at=now,
        data={
            "due": iso(due_at),
            "previous": iso(delegation.due_at),
            "reason": (reason or "").strip()[:MAX_REASON_LENGTH] or None,
        },
    )
    notifier.due_proposed(delegation, proposal)
    return proposal


def decide_due(
    session: Session,
    *,
    proposal_id: int,
    actor: str,
    approve: bool,
    now: datetime,
    notifier: Notifier,
    supervisor: Supervisor,
) -> Delegation:
    """Approve (the due date moves, and reminders and overdue detection with it) or reject."""
    proposal = session.get(Event, proposal_id)
    if proposal is None or proposal.type != EventType.DUE_PROPOSED:
        raise NotFound("I can't find that proposal any more.")
    assert proposal.delegation_id is not None
    delegation = as_delegator(
        session, delegation_id=proposal.delegation_id, actor=actor, doing="change the due date of"
    )
    _must_be_open(delegation)
    if proposal.actor != delegation.assignee_id:
        raise InvalidTransition("Nothing changed: that proposal came before a reassignment.")
    latest = latest_event(
        session,
        delegation_id=proposal.delegation_id,
        types=[EventType.DUE_PROPOSED, EventType.DUE_CHANGED, EventType.DUE_REJECTED],
    )
    if latest is None or latest.id != proposal.id:
        raise InvalidTransition("Nothing changed: that proposal was already answered.")
    due_at = _moment(proposal.data["due"])
    if approve and due_at <= now:
        raise InvalidTransition(
            "Nothing changed: the proposed date has passed. Ask them to propose a new one."
        )
    values: dict[str, object] = {}
    if approve:
        tz = supervisor.tz_of(delegation.assignee_id)
        accepted = delegation.status == S.ACCEPTED
        values = {
            "due_at": due_at,
            "overdue_at": None,
            "overdue_watch_at": due_at,
            "reminder_at": reminder_time(now, due_at, tz, supervisor.policy.window)
            if accepted
            else None,
        }
    fresh = _change(session, delegation, now=now, values=values)
    if approve:
        close_open_escalations(
            session, delegation_id=fresh.id or 0, reason=EscalationReason.OVERDUE
        )
    record_event(
        session,
        delegation_id=fresh.id,
        type=EventType.DUE_CHANGED if approve else EventType.DUE_REJECTED,
        actor=actor,
        at=now,
        data={"proposal": proposal.id, "from": iso(delegation.due_at), "to": iso(due_at)},
    )
    notifier.due_decided(fresh, proposal, approved=approve)
    return fresh


def check_can_reassign(session: Session, *, delegation_id: int, actor: str) -> Delegation:
    """The item, if ``actor`` (its delegator) may reassign it now."""
    delegation = as_delegator(session, delegation_id=delegation_id, actor=actor, doing="reassign")
    _must_be_open(delegation)
    return delegation


def check_can_propose(session: Session, *, delegation_id: int, actor: str) -> Delegation:
    """The item, if ``actor`` (its assignee) may propose a new due date for it now."""
    delegation = as_assignee(session, delegation_id=delegation_id, actor=actor)
    _must_be_open(delegation)
    return delegation


def _change(
    session: Session, delegation: Delegation, *, now: datetime, values: dict[str, object]
) -> Delegation:
    if not change_if_unchanged(
        session, delegation=delegation, statuses=OPEN, now=now, values=values
    ):
        raise InvalidTransition(CHANGED_MEANWHILE)
    return load_delegation(session, delegation.id or 0)


def _must_be_open(delegation: Delegation) -> None:
    if not DelegationStatus(delegation.status).is_open:
        raise InvalidTransition(f"Nothing changed: this delegation is {delegation.status}.")


def _earlier_assignees(session: Session, delegation_id: int) -> set[str]:
    moved = latest_event(session, delegation_id=delegation_id, types=[EventType.REASSIGNED])
    return set((moved.data or {}).get("from_assignees", [])) if moved else set()


def _moment(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))
