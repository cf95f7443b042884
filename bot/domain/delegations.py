"""Delegations: offering, accepting, declining and finishing them.

Every change of state goes through ``_transition``: one conditional update guarded by the
TRANSITIONS table, and its event row in the same transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlmodel import Session

from bot.domain.errors import BadInput, InvalidTransition, NotAllowed, NotFound
from bot.domain.ports import Notifier, Person
from bot.domain.supervision import Supervisor
from storage.delegations import add_delegation, get_delegation, latest_event, move_status
from storage.enums import Action, DelegationStatus, EventType
from storage.escalations import close_open_escalations
from storage.events import record_event
from storage.models import Delegation

MAX_TASK_LENGTH = 3000
CLEAR_SUPERVISION: dict[str, Any] = {
    "next_checkin_at": None,
    "reminder_at": None,
    "overdue_watch_at": None,
    "accept_deadline_at": None,
}
MAX_REASON_LENGTH = 2000

S = DelegationStatus


@dataclass(frozen=True)
class Transition:
    from_statuses: frozenset[DelegationStatus]
    to_status: DelegationStatus
    event: EventType


TRANSITIONS: dict[Action, Transition] = {
    Action.ACCEPT: Transition(frozenset({S.OFFERED}), S.ACCEPTED, EventType.ACCEPTED),
    Action.DECLINE: Transition(frozenset({S.OFFERED}), S.DECLINED, EventType.DECLINED),
    Action.COMPLETE: Transition(frozenset({S.ACCEPTED}), S.COMPLETED, EventType.COMPLETED),
    Action.CANCEL: Transition(frozenset({S.OFFERED, S.ACCEPTED}), S.CANCELLED, EventType.CANCELLED),
}

_ALREADY: dict[DelegationStatus, str] = {
    S.OFFERED: "is still waiting to be accepted",
    S.ACCEPTED: "has already been accepted",
    S.DECLINED: "has already been declined",
    S.COMPLETED: "is already done",
    S.CANCELLED: "has been cancelled",
}


def create_delegation(
    session: Session,
    *,
    delegator: Person,
    assignee: Person,
    task: str,
    due_at: datetime | None,
    origin_channel_id: str | None,
    now: datetime,
    notifier: Notifier,
    checkin_every: timedelta | None = None,
    accept_deadline_at: datetime | None = None,
) -> Delegation:
    """Offer ``task`` to ``assignee``. Nothing is written when the offer is refused.

    ``accept_deadline_at``: when an offer still not accepted escalates (``not_accepted``).
    """
    task = task.strip()
    check_assignee(delegator=delegator, assignee=assignee)
    if not task:
        raise BadInput(
            "The task is empty. Say what you are handing over after the @mention.", field="task"
        )
    if len(task) > MAX_TASK_LENGTH:
        raise BadInput(
            f"The task is {len(task):,} characters long; keep it under {MAX_TASK_LENGTH:,} "
            "and link to a document for the details.",
            field="task",
        )
    if due_at is not None and due_at <= now:
        raise BadInput("The due date is in the past. Give a date still to come.", field="due")
    every_s = None if checkin_every is None else int(checkin_every.total_seconds())
    delegation = add_delegation(
        session,
        delegation=Delegation(
            delegator_id=delegator.user_id,
            assignee_id=assignee.user_id,
            task=task,
            due_at=due_at,
            status=S.OFFERED,
            origin_channel_id=origin_channel_id,
            created_at=now,
            updated_at=now,
            checkin_every_s=every_s,
            overdue_watch_at=due_at,
            accept_deadline_at=accept_deadline_at,
        ),
    )
    record_event(
        session,
        delegation_id=delegation.id,
        type=EventType.CREATED,
        actor=delegator.user_id,
        at=now,
        data={
            "delegator": delegator.user_id,
            "assignee": assignee.user_id,
            "text": task,
            "due": iso(due_at),
            "checkin_every": every_s,
        },
    )
    notifier.offer(delegation)
    return delegation


def check_assignee(*, delegator: Person, assignee: Person) -> None:
    if assignee.user_id == delegator.user_id:
        raise BadInput(
            "You can't delegate to yourself. Mention the person who should do it.", field="assignee"
        )
    if assignee.is_bot:
        raise BadInput(
            "That's a bot; delegations go to people. Mention a teammate instead.", field="assignee"
        )
    if assignee.deleted:
        raise BadInput(
            "That account is deactivated. Mention someone who is still on the team.",
            field="assignee",
        )


def accept(
    session: Session,
    *,
    delegation_id: int,
    actor: str,
    now: datetime,
    notifier: Notifier,
    supervisor: Supervisor,
) -> Delegation:
    delegation = as_assignee(session, delegation_id=delegation_id, actor=actor)
    check_allowed(delegation, Action.ACCEPT)
    schedule = supervisor.after_acceptance(session, delegation, now)
    delegation = _transition(
        session, delegation, Action.ACCEPT, actor=actor, now=now, values=schedule
    )
    # accepting answers a "not accepted in time" escalation; others keep climbing
    close_open_escalations(session, delegation_id=delegation_id, reason="not_accepted")
    notifier.offer_settled(delegation)
    notifier.tell_delegator(delegation, what=EventType.ACCEPTED, actor=actor)
    return delegation


def check_can_decline(session: Session, *, delegation_id: int, actor: str) -> Delegation:
    """Raise now, before a reason is asked for, if this person could not decline the item."""
    delegation = as_assignee(session, delegation_id=delegation_id, actor=actor)
    check_allowed(delegation, Action.DECLINE)
    return delegation


def decline(
    session: Session,
    *,
    delegation_id: int,
    actor: str,
    reason: str | None,
    now: datetime,
    notifier: Notifier,
) -> Delegation:
    reason = (reason or "").strip()[:MAX_REASON_LENGTH] or None
    delegation = as_assignee(session, delegation_id=delegation_id, actor=actor)
    delegation = _transition(
        session,
        delegation,
        Action.DECLINE,
        actor=actor,
        now=now,
        values={"decline_reason": reason},
        data={"reason": reason},
    )
    notifier.offer_settled(delegation)
    notifier.tell_delegator(delegation, what=EventType.DECLINED, actor=actor)
    return delegation


def complete(
    session: Session, *, delegation_id: int, actor: str, now: datetime, notifier: Notifier
) -> Delegation:
    delegation = as_assignee(session, delegation_id=delegation_id, actor=actor)
    delegation = _transition(session, delegation, Action.COMPLETE, actor=actor, now=now)
    notifier.offer_settled(delegation)
    notifier.tell_delegator(delegation, what=EventType.COMPLETED, actor=actor)
    return delegation


def cancel(
    session: Session, *, delegation_id: int, actor: str, now: datetime, notifier: Notifier
) -> Delegation:
    """The delegator takes the item back; the assignee is told and its buttons stop."""
    delegation = as_delegator(session, delegation_id=delegation_id, actor=actor, doing="cancel")
    delegation = _transition(session, delegation, Action.CANCEL, actor=actor, now=now)
    notifier.offer_settled(delegation)
    notifier.cancelled(delegation, actor=actor)
    return delegation


def as_delegator(session: Session, *, delegation_id: int, actor: str, doing: str) -> Delegation:
    delegation = load_delegation(session, delegation_id)
    if actor != delegation.delegator_id:
        raise NotAllowed(f"Only the person who delegated this can {doing} it.")
    return delegation


def load_delegation(session: Session, delegation_id: int) -> Delegation:
    delegation = get_delegation(session, delegation_id=delegation_id)
    if delegation is None:
        raise NotFound("I can't find that delegation any more.")
    return delegation


def as_assignee(session: Session, *, delegation_id: int, actor: str) -> Delegation:
    delegation = load_delegation(session, delegation_id)
    if actor != delegation.assignee_id:
        moved = latest_event(session, delegation_id=delegation_id, types=[EventType.REASSIGNED])
        if moved is not None and actor in (moved.data or {}).get("from_assignees", []):
            raise NotAllowed("This was reassigned to someone else; it's no longer yours.")
        raise NotAllowed("Only the person this was delegated to can answer it.")
    return delegation


def check_allowed(delegation: Delegation, action: Action) -> None:
    status = DelegationStatus(delegation.status)
    if status not in TRANSITIONS[action].from_statuses:
        raise InvalidTransition(f"Nothing changed: this delegation {_ALREADY[status]}.")


def _transition(
    session: Session,
    delegation: Delegation,
    action: Action,
    *,
    actor: str,
    now: datetime,
    values: dict[str, Any] | None = None,
    data: dict[str, Any] | None = None,
) -> Delegation:
    check_allowed(delegation, action)
    rule = TRANSITIONS[action]
    assert delegation.id is not None
    if not rule.to_status.is_open:  # closed items get no more supervision
        values = {**CLEAR_SUPERVISION, **(values or {})}
    moved = move_status(
        session,
        delegation_id=delegation.id,
        from_statuses=rule.from_statuses,
        to_status=rule.to_status,
        now=now,
        values=values,
        assignee_id=delegation.assignee_id,  # a reassignment in between wins
    )
    fresh = load_delegation(session, delegation.id)
    if not moved:  # someone else's request changed it between our read and our write
        check_allowed(fresh, action)
        raise InvalidTransition("Nothing changed: this delegation changed a moment ago.")
    if not rule.to_status.is_open:
        close_open_escalations(session, delegation_id=delegation.id)
    record_event(
        session, delegation_id=fresh.id, type=rule.event, actor=actor, at=now, data=data or {}
    )
    return fresh


def iso(moment: datetime | None) -> str | None:
    return None if moment is None else moment.strftime("%Y-%m-%dT%H:%M:%SZ")
