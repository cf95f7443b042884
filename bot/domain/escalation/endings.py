"""How an escalation ends: picked up (Acknowledge), or resolved when its cause clears; and
the watch after an acknowledgement, which turns a silent pick-up back into a climb."""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.domain.errors import InvalidTransition, NotAllowed
from bot.domain.escalation.climb import OPEN_ITEM, check_not_over, climb, climb_to, load
from bot.domain.escalation.rules import MOVEMENT, ending_cause
from bot.domain.scheduled import scheduled
from bot.domain.supervision import is_person
from bot.domain.work import Work
from storage.delegations import get_delegation
from storage.enums import SYSTEM_ACTOR, EscalationReason, EscalationStatus, EventType, ResolveCause
from storage.escalations import active_escalations, get_escalation, move_escalation
from storage.events import happened_since, record_event
from storage.models import Checkin, Delegation, Escalation

ACKNOWLEDGED = EscalationStatus.ACKNOWLEDGED


def acknowledge(
    work: Work, *, escalation_id: int, actor: str, clicked_in: str | None = None
) -> Escalation:
    """Someone the escalation reached picks it up: the climb stops, and the watch starts.

    A person it reached may; so may anyone in a channel it reached, pressing the button on
    that channel's message, except the assignee (whose item it is).
    """
    session, now, notifier = work.session, work.now, work.notifier
    escalation, delegation = load(session, escalation_id)
    reached = escalation.chain[: escalation.level]
    in_reached_channel = (
        clicked_in is not None and clicked_in in reached and not is_person(clicked_in)
    )
    if (actor not in reached and not in_reached_channel) or actor == delegation.assignee_id:
        raise NotAllowed("Only the person this escalation went to can acknowledge it.")
    check_not_over(escalation)
    if escalation.status == ACKNOWLEDGED:
        raise InvalidTransition("Someone has already picked this escalation up.")
    moved = move_escalation(
        session,
        escalation_id=escalation_id,
        expected_level=escalation.level,
        expected_status=escalation.status,
        values={
            "status": ACKNOWLEDGED,
            "acknowledged_at": now,
            "acknowledged_by": actor,
            "committed_at": now,
            "reminded_at": None,
            "next_step_at": _watch_until(work, actor, now),
        },
    )
    if not moved:  # it changed between our read and our write: say how, if it ended
        check_not_over(load(session, escalation_id)[0])
        raise InvalidTransition("This escalation moved on a moment ago; try again.")
    fresh = get_escalation(session, escalation_id=escalation_id)
    assert fresh is not None
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


def still_on_it(work: Work, *, escalation_id: int, actor: str) -> Escalation:
    """The person who picked it up says it is still in hand: the wait starts again."""
    session, now, notifier = work.session, work.now, work.notifier
    escalation, delegation = load(session, escalation_id)
    if actor != escalation.acknowledged_by:
        raise NotAllowed("Only the person who picked this escalation up can say that.")
    check_not_over(escalation)
    if escalation.status != ACKNOWLEDGED:
        raise InvalidTransition("This escalation has moved on: it is with someone else now.")
    reminded_at = escalation.reminded_at
    moved = move_escalation(
        session,
        escalation_id=escalation_id,
        expected_level=escalation.level,
        expected_status=ACKNOWLEDGED,
        values={
            "committed_at": now,
            "reminded_at": None,
            "next_step_at": _watch_until(work, actor, now),
        },
    )
    if not moved:
        raise InvalidTransition("This escalation moved on a moment ago; have another look.")
    fresh = get_escalation(session, escalation_id=escalation_id)
    assert fresh is not None
    if reminded_at is not None:
        notifier.still_on_it(delegation, fresh, reminded_at=reminded_at)
    return fresh


def resolve(
    work: Work,
    delegation: Delegation,
    causes: tuple[ResolveCause, ...],
    *,
    actor: str | None = None,
    answered: Checkin | None = None,
) -> list[Escalation]:
    """End the item's escalations whose cause the change just made has cleared, as the
    rules say. One still climbing records ``escalation_resolved`` and has its messages
    edited to say so; one already picked up ends its watch quietly (its acknowledgement was
    its ending). ``actor`` made the change, and is not told about it; ``answered`` is the
    check-in whose answer made it, if one did."""
    ended: list[Escalation] = []
    if not causes or delegation.id is None:
        return ended
    for escalation in active_escalations(work.session, delegation_id=delegation.id):
        cause = ending_cause(escalation, causes, answered=answered)
        if cause is not None:
            ended.append(_end(work, delegation, escalation, cause, actor))
    return ended


@scheduled("climbs", Escalation.id, Escalation.next_step_at, row_id_name="escalation_id")
def escalation_step(work: Work, escalation_id: int, expected: datetime) -> bool:
    """An escalation's next step falls due: while it climbs, the next level is told; once
    picked up, the watch looks at whether anything has moved."""
    escalation = get_escalation(work.session, escalation_id=escalation_id)
    if escalation is None or escalation.next_step_at != expected:
        return False
    delegation = get_delegation(work.session, delegation_id=escalation.delegation_id)
    if delegation is not None and delegation.status not in OPEN_ITEM:
        # closed by a change that did not see this escalation: it ends now
        resolve(work, delegation, (ResolveCause.CLOSED,))
        return False
    if escalation.status == ACKNOWLEDGED:
        return _watch(work, escalation, expected)
    return climb(work, escalation_id=escalation_id, expected_step_at=expected)


def _watch(work: Work, escalation: Escalation, step_at: datetime) -> bool:
    """Nothing may have moved since it was picked up: remind whoever did, once; if that
    reminder goes unanswered too, the climb resumes at the next level."""
    session, now, notifier, supervisor = work.session, work.now, work.notifier, work.supervisor
    assert escalation.id is not None and escalation.committed_at is not None
    moved = happened_since(
        session,
        delegation_id=escalation.delegation_id,
        types=MOVEMENT,
        since=escalation.committed_at,
    )
    expected = {  # only if it is still this step: not a Still on it, not another replica
        "escalation_id": escalation.id,
        "expected_level": escalation.level,
        "expected_step_at": step_at,
    }
    if moved:  # in hand: the watch is over
        return move_escalation(
            session, **expected, expected_status=ACKNOWLEDGED, values={"next_step_at": None}
        )
    if escalation.reminded_at is None:
        holder = escalation.acknowledged_by or escalation.target
        timeout = supervisor.policy.escalation_timeout
        if not move_escalation(
            session,
            **expected,
            expected_status=ACKNOWLEDGED,
            values={"reminded_at": now, "next_step_at": supervisor.deadline(now, timeout, holder)},
        ):
            return False
        fresh, delegation = load(session, escalation.id)
        notifier.reacknowledge(delegation, fresh)
        return True
    if escalation.level >= len(escalation.chain):  # nobody above: the reminder was all
        return move_escalation(
            session, **expected, expected_status=ACKNOWLEDGED, values={"next_step_at": None}
        )
    if climb_to(
        work,
        escalation,
        reason=EscalationReason.STALE_AFTER_ACK,
        actor=SYSTEM_ACTOR,
        expected_step_at=step_at,
    ):
        return True
    # another escalation of the item is in progress (or it moved meanwhile): stop watching
    return move_escalation(
        session, **expected, expected_status=ACKNOWLEDGED, values={"next_step_at": None}
    )


def _end(
    work: Work,
    delegation: Delegation,
    escalation: Escalation,
    cause: ResolveCause,
    actor: str | None,
) -> Escalation:
    """End an escalation whose row ``resolve`` holds locked."""
    session, now, notifier = work.session, work.now, work.notifier
    assert escalation.id is not None
    loud = escalation.status != ACKNOWLEDGED  # picked up already: that was its ending
    move_escalation(
        session,
        escalation_id=escalation.id,
        expected_level=None,
        expected_status=escalation.status,
        values={
            "status": EscalationStatus.RESOLVED,
            "resolved_at": now,
            "resolved_cause": cause.value,
            "next_step_at": None,
        },
    )
    if loud:
        record_event(
            session,
            delegation_id=delegation.id,
            type=EventType.ESCALATION_RESOLVED,
            actor=actor or SYSTEM_ACTOR,
            at=now,
            data={"escalation_id": escalation.id, "cause": cause.value},
        )
    fresh = get_escalation(session, escalation_id=escalation.id)
    assert fresh is not None
    notifier.escalation_resolved(delegation, fresh, actor=actor, quietly=not loud)
    return fresh


def _watch_until(work: Work, holder: str, now: datetime) -> datetime | None:
    """When to look again at an escalation ``holder`` picked up (None: never). Whole days
    are their working days, so "1d" is the same time on their next working day; shorter
    spans are their working time."""
    after, supervisor = work.supervisor.policy.reacknowledge_after, work.supervisor
    if after is None:
        return None
    if after % timedelta(days=1) == timedelta(0):
        return supervisor.working_days_later(now, after.days, holder)
    return supervisor.deadline(now, after, holder)
