"""Changing an item after it was offered: reassigning it, and negotiating its due date.

Each is a versioned transition (``transitions.py``): of two racing clicks exactly one wins.
"""

from __future__ import annotations

from datetime import date, datetime, time

from sqlmodel import Session

from bot.domain.delegations import MAX_REASON_LENGTH, check_assignee
from bot.domain.due_dates import due_from_picker
from bot.domain.errors import BadInput, InvalidTransition, NotFound
from bot.domain.offer_limits import check_offer_limits
from bot.domain.ports import Person
from bot.domain.supervision import reminder_time
from bot.domain.transitions import (
    CLEAR_SUPERVISION,
    as_assignee,
    as_delegator,
    check_allowed,
    transition,
)
from bot.domain.work import Work
from storage.checkins import stop_waiting_for_answers
from storage.delegations import latest_event
from storage.enums import Action, DelegationStatus, EventType
from storage.events import iso
from storage.models import Delegation, Event

S = DelegationStatus


def reassign(work: Work, *, delegation_id: int, actor: str, new_assignee: Person) -> Delegation:
    """Hand an open item to someone else, who must accept it afresh."""
    session, now, notifier, supervisor = work.session, work.now, work.notifier, work.supervisor
    delegation = check_can_reassign(session, delegation_id=delegation_id, actor=actor)
    previous = delegation.assignee_id
    delegator = Person(user_id=delegation.delegator_id)
    check_assignee(delegator=delegator, assignee=new_assignee)
    if new_assignee.user_id == previous:
        raise BadInput("It is already with that person. Choose someone else.", field="assignee")
    # a new offer in the new assignee's DM, escalating if not accepted: counted as one
    check_offer_limits(work, delegator_id=delegation.delegator_id, assignee_id=new_assignee.user_id)
    values = {
        **CLEAR_SUPERVISION,
        "assignee_id": new_assignee.user_id,
        "decline_reason": None,
        # a fresh start: overdue is noticed (and escalated) again, for the new person
        "overdue_at": None,
        "overdue_watch_at": delegation.due_at,
        "accept_deadline_at": supervisor.deadline(
            now, supervisor.policy.accept_timeout, new_assignee.user_id
        ),
    }
    earlier = _earlier_assignees(session, delegation_id) | {previous}
    data = {"from": previous, "to": new_assignee.user_id, "from_assignees": sorted(earlier)}
    fresh = transition(
        work, delegation, Action.REASSIGN, actor=actor, values=values, data=data
    ).delegation
    stop_waiting_for_answers(session, delegation_id=delegation_id)  # those were theirs
    notifier.reassigned(fresh, previous_assignee=previous)
    notifier.offer(fresh)
    return fresh


def propose_due(
    work: Work,
    *,
    delegation_id: int,
    actor: str,
    day: date | None,
    at: time | None,
    reason: str | None,
) -> Event:
    """The assignee asks for another due date, picked on their own clock; the delegator
    approves or rejects it."""
    if day is None:
        raise BadInput("Pick a date.", field="due")
    policy = work.supervisor.policy
    due_at = due_from_picker(
        day, at, tz=work.supervisor.tz_of(actor), default_time=policy.default_due_time
    )
    session, now, notifier = work.session, work.now, work.notifier
    delegation = check_can_propose(session, delegation_id=delegation_id, actor=actor)
    if due_at <= now:
        raise BadInput("That date is in the past. Propose one still to come.", field="due")
    if delegation.due_at == due_at:
        raise BadInput("That is already the due date.", field="due")
    data = {
        "due": iso(due_at),
        "previous": iso(delegation.due_at),
        "reason": (reason or "").strip()[:MAX_REASON_LENGTH] or None,
    }
    moved = transition(work, delegation, Action.PROPOSE_DUE, actor=actor, data=data)
    delegation, proposal = moved.delegation, moved.event
    notifier.due_proposed(delegation, proposal)
    return proposal


def decide_due(work: Work, *, proposal_id: int, actor: str, approve: bool) -> Delegation:
    """Approve (the due date moves, and reminders and overdue detection with it) or reject."""
    session, now, notifier, supervisor = work.session, work.now, work.notifier, work.supervisor
    proposal = session.get(Event, proposal_id)
    if proposal is None or proposal.type != EventType.DUE_PROPOSED:
        raise NotFound("I can't find that proposal any more.")
    assert proposal.delegation_id is not None
    delegation = as_delegator(
        session, delegation_id=proposal.delegation_id, actor=actor, doing="change the due date of"
    )
    action = Action.APPROVE_DUE if approve else Action.REJECT_DUE
    check_allowed(delegation, action)
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
    data = {"proposal": proposal.id, "from": iso(delegation.due_at), "to": iso(due_at)}
    fresh = transition(work, delegation, action, actor=actor, values=values, data=data).delegation
    notifier.due_decided(fresh, proposal, approved=approve)
    return fresh


def check_can_reassign(session: Session, *, delegation_id: int, actor: str) -> Delegation:
    """The item, if ``actor`` (its delegator) may reassign it now."""
    delegation = as_delegator(session, delegation_id=delegation_id, actor=actor, doing="reassign")
    check_allowed(delegation, Action.REASSIGN)
    return delegation


def check_can_propose(session: Session, *, delegation_id: int, actor: str) -> Delegation:
    """The item, if ``actor`` (its assignee) may propose a new due date for it now."""
    delegation = as_assignee(session, delegation_id=delegation_id, actor=actor)
    check_allowed(delegation, Action.PROPOSE_DUE)
    return delegation


def _earlier_assignees(session: Session, delegation_id: int) -> set[str]:
    moved = latest_event(session, delegation_id=delegation_id, types=[EventType.REASSIGNED])
    return set((moved.data or {}).get("from_assignees", [])) if moved else set()


def _moment(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))
