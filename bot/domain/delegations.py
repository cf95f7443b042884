"""Delegations: offering, accepting, declining and finishing them. Each change goes
through the state machine (``transitions.py``)."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlmodel import Session

from bot.domain.errors import BadInput
from bot.domain.offer_limits import check_offer_limits
from bot.domain.ports import Person
from bot.domain.transitions import as_assignee, as_delegator, check_allowed, transition
from bot.domain.work import Work
from storage.delegations import add_delegation
from storage.enums import Action, DelegationStatus, EventType
from storage.events import iso, record_event
from storage.models import Delegation

MAX_TASK_LENGTH = 3000
MAX_REASON_LENGTH = 2000

S = DelegationStatus


def task_too_long(length: int) -> BadInput:
    """The refusal of a task of ``length`` characters, over ``MAX_TASK_LENGTH``."""
    return BadInput(
        f"The task is {length:,} characters long; keep it under {MAX_TASK_LENGTH:,} "
        "and link to a document for the details.",
        field="task",
    )


def create_delegation(
    work: Work,
    *,
    delegator: Person,
    assignee: Person,
    task: str,
    due_at: datetime | None,
    origin_channel_id: str | None,
    checkin_every: timedelta | None = None,
    accept_deadline_at: datetime | None = None,
) -> Delegation:
    """Offer ``task`` to ``assignee``. Nothing is written when the offer is refused.

    ``accept_deadline_at``: when an offer still not accepted escalates (``not_accepted``).
    """
    session, now, notifier = work.session, work.now, work.notifier
    task = task.strip()
    check_assignee(delegator=delegator, assignee=assignee)
    if not task:
        raise BadInput(
            "The task is empty. Say what you are handing over after the @mention.", field="task"
        )
    if len(task) > MAX_TASK_LENGTH:
        raise task_too_long(len(task))
    if due_at is not None and due_at <= now:
        raise BadInput("The due date is in the past. Give a date still to come.", field="due")
    check_offer_limits(work, delegator_id=delegator.user_id, assignee_id=assignee.user_id)
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


def accept(work: Work, *, delegation_id: int, actor: str) -> Delegation:
    session, now, notifier, supervisor = work.session, work.now, work.notifier, work.supervisor
    delegation = as_assignee(session, delegation_id=delegation_id, actor=actor)
    check_allowed(delegation, Action.ACCEPT)
    schedule = supervisor.after_acceptance(session, delegation, now)
    delegation = transition(
        work, delegation, Action.ACCEPT, actor=actor, values=schedule
    ).delegation
    notifier.offer_settled(delegation)
    notifier.tell_delegator(delegation, what=EventType.ACCEPTED, actor=actor)
    return delegation


def check_can_decline(session: Session, *, delegation_id: int, actor: str) -> Delegation:
    """Raise now, before a reason is asked for, if this person could not decline the item."""
    delegation = as_assignee(session, delegation_id=delegation_id, actor=actor)
    check_allowed(delegation, Action.DECLINE)
    return delegation


def decline(work: Work, *, delegation_id: int, actor: str, reason: str | None) -> Delegation:
    session, notifier = work.session, work.notifier
    reason = (reason or "").strip()[:MAX_REASON_LENGTH] or None
    delegation = as_assignee(session, delegation_id=delegation_id, actor=actor)
    delegation = transition(
        work,
        delegation,
        Action.DECLINE,
        actor=actor,
        values={"decline_reason": reason},
        data={"reason": reason},
    ).delegation
    notifier.offer_settled(delegation)
    notifier.tell_delegator(delegation, what=EventType.DECLINED, actor=actor)
    return delegation


def complete(work: Work, *, delegation_id: int, actor: str) -> Delegation:
    session, notifier = work.session, work.notifier
    delegation = as_assignee(session, delegation_id=delegation_id, actor=actor)
    delegation = transition(work, delegation, Action.COMPLETE, actor=actor).delegation
    notifier.offer_settled(delegation)
    notifier.tell_delegator(delegation, what=EventType.COMPLETED, actor=actor)
    return delegation


def cancel(work: Work, *, delegation_id: int, actor: str) -> Delegation:
    """The delegator takes the item back; the assignee is told and its buttons stop."""
    session, notifier = work.session, work.notifier
    delegation = as_delegator(session, delegation_id=delegation_id, actor=actor, doing="cancel")
    delegation = transition(work, delegation, Action.CANCEL, actor=actor).delegation
    notifier.offer_settled(delegation)
    notifier.cancelled(delegation, actor=actor)
    return delegation
