"""The state machine of a delegation: who may act on it, from which status to which, and
the one write that makes each change.

Every change to a delegation, of status or not (a reassignment, a question, a new due
date), is a row of ``TRANSITIONS`` and goes through ``transition``: one conditional UPDATE
that carries the row's guard, and its event, in the caller's transaction. The guard is the
status the item must still be in (and the person it is still with); a change that must
notice any edit made since the item was read guards on its version (``updated_at``) too.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlmodel import Session

from bot.domain.errors import InvalidTransition, NotAllowed, NotFound
from bot.domain.escalation.endings import resolve
from bot.domain.escalation.rules import causes_of_action
from bot.domain.work import Work
from storage.delegations import get_delegation, latest_event, move_status
from storage.enums import Action, DelegationStatus, EventType
from storage.events import record_event
from storage.models import Delegation, Event

S = DelegationStatus
OPEN = frozenset({S.OFFERED, S.ACCEPTED})
CLEAR_SUPERVISION: dict[str, Any] = {
    "next_checkin_at": None,
    "reminder_at": None,
    "overdue_watch_at": None,
    "accept_deadline_at": None,
}
CHANGED_MEANWHILE = "Nothing changed: this delegation changed a moment ago. Have another look."


@dataclass(frozen=True)
class Transition:
    from_statuses: frozenset[DelegationStatus]
    to_status: DelegationStatus | None  # None: the status stays as it is
    event: EventType
    versioned: bool = False  # also refused if anything changed since the item was read


TRANSITIONS: dict[Action, Transition] = {
    Action.ACCEPT: Transition(frozenset({S.OFFERED}), S.ACCEPTED, EventType.ACCEPTED),
    Action.DECLINE: Transition(frozenset({S.OFFERED}), S.DECLINED, EventType.DECLINED),
    Action.COMPLETE: Transition(frozenset({S.ACCEPTED}), S.COMPLETED, EventType.COMPLETED),
    Action.CANCEL: Transition(OPEN, S.CANCELLED, EventType.CANCELLED),
    # to someone else, who must accept it afresh
    Action.REASSIGN: Transition(OPEN, S.OFFERED, EventType.REASSIGNED, versioned=True),
    Action.ASK: Transition(frozenset({S.OFFERED}), None, EventType.QUESTION_ASKED, True),
    Action.ANSWER: Transition(frozenset(S), None, EventType.QUESTION_ANSWERED, True),
    Action.PROPOSE_DUE: Transition(OPEN, None, EventType.DUE_PROPOSED),
    Action.APPROVE_DUE: Transition(OPEN, None, EventType.DUE_CHANGED, versioned=True),
    Action.REJECT_DUE: Transition(OPEN, None, EventType.DUE_REJECTED, versioned=True),
}

_ALREADY: dict[DelegationStatus, str] = {
    S.OFFERED: "is still waiting to be accepted",
    S.ACCEPTED: "has already been accepted",
    S.DECLINED: "has already been declined",
    S.COMPLETED: "is already done",
    S.CANCELLED: "has been cancelled",
}


@dataclass(frozen=True)
class Moved:
    delegation: Delegation  # as stored after the change
    event: Event


def check_allowed(delegation: Delegation, action: Action) -> None:
    status = DelegationStatus(delegation.status)
    if status not in TRANSITIONS[action].from_statuses:
        raise InvalidTransition(f"Nothing changed: this delegation {_ALREADY[status]}.")


def transition(
    work: Work,
    delegation: Delegation,
    action: Action,
    *,
    actor: str,
    values: dict[str, Any] | None = None,
    data: dict[str, Any] | None = None,
) -> Moved:
    """Make ``action``'s change to ``delegation`` (as it was read), writing ``values`` and
    its event with ``data``; raises ``InvalidTransition`` and writes nothing when the item
    is not in a status the action starts from, or has moved on since it was read. The
    item's escalations that the change clears (as escalation's rules say) end with it."""
    session, now = work.session, work.now
    check_allowed(delegation, action)
    rule = TRANSITIONS[action]
    assert delegation.id is not None
    closes = rule.to_status is not None and not rule.to_status.is_open
    if closes:  # closed items get no more supervision
        values = {**CLEAR_SUPERVISION, **(values or {})}
    moved = move_status(
        session,
        delegation_id=delegation.id,
        from_statuses=rule.from_statuses,
        to_status=rule.to_status,
        now=now,
        values=values,
        assignee_id=delegation.assignee_id,  # a reassignment in between wins
        version=delegation.updated_at if rule.versioned else None,
    )
    fresh = load_delegation(session, delegation.id)
    if not moved:  # someone else's request changed it between our read and our write
        check_allowed(fresh, action)
        raise InvalidTransition(CHANGED_MEANWHILE)
    event = record_event(
        session, delegation_id=fresh.id, type=rule.event, actor=actor, at=now, data=data or {}
    )
    resolve(work, fresh, causes_of_action(action, fresh, now), actor=actor)
    return Moved(fresh, event)


def load_delegation(session: Session, delegation_id: int) -> Delegation:
    delegation = get_delegation(session, delegation_id=delegation_id)
    if delegation is None:
        raise NotFound("I can't find that delegation any more.")
    return delegation


def as_delegator(session: Session, *, delegation_id: int, actor: str, doing: str) -> Delegation:
    delegation = load_delegation(session, delegation_id)
    if actor != delegation.delegator_id:
        raise NotAllowed(f"Only the person who delegated this can {doing} it.")
    return delegation


def as_assignee(session: Session, *, delegation_id: int, actor: str) -> Delegation:
    delegation = load_delegation(session, delegation_id)
    if actor != delegation.assignee_id:
        moved = latest_event(session, delegation_id=delegation_id, types=[EventType.REASSIGNED])
        if moved is not None and actor in (moved.data or {}).get("from_assignees", []):
            raise NotAllowed("This was reassigned to someone else; it's no longer yours.")
        raise NotAllowed("Only the person this was delegated to can answer it.")
    return delegation
