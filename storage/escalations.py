"""Queries on escalations and on the deadlines that start them."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime

from sqlalchemy import func, update
from sqlmodel import Session, col, select

from storage.enums import EscalationStatus
from storage.models import Checkin, Delegation, Escalation, EscalationNotice
from storage.rows import insert_once

OPEN = EscalationStatus.OPEN
# Escalations not over yet: climbing, told everyone, or picked up and watched.
ACTIVE = (OPEN, EscalationStatus.EXHAUSTED, EscalationStatus.ACKNOWLEDGED)


def add_escalation(session: Session, *, escalation: Escalation) -> Escalation | None:
    """Insert, or None when the item already has one in progress (the partial unique index
    decides, so two replicas starting one at once get one)."""
    return escalation if insert_once(session, escalation) else None


def get_escalation(session: Session, *, escalation_id: int) -> Escalation | None:
    return session.get(Escalation, escalation_id, populate_existing=True)


def move_escalation(
    session: Session,
    *,
    escalation_id: int,
    expected_level: int | None,
    expected_status: str | Collection[str] = OPEN,
    expected_step_at: datetime | None = None,
    values: dict[str, object],
) -> bool:
    """Conditionally change an escalation still in the expected status (and at
    ``expected_level``, unless None): of a climb, an acknowledgement and a resolve racing,
    each sees what the others committed and only what still makes sense applies."""
    statuses = [expected_status] if isinstance(expected_status, str) else list(expected_status)
    statement = (
        update(Escalation)
        .where(col(Escalation.id) == escalation_id)
        .where(col(Escalation.status).in_(statuses))
        .values(**values)
    )
    if expected_level is not None:
        statement = statement.where(col(Escalation.level) == expected_level)
    if expected_step_at is not None:  # still the step that fell due, not a later one
        statement = statement.where(col(Escalation.next_step_at) == expected_step_at)
    return session.execute(statement).rowcount == 1


def end_watches(session: Session, *, delegation_id: int) -> None:
    """A new escalation of the item starts: those picked up earlier stop being watched (so
    that none of them can climb again beside it)."""
    session.execute(
        update(Escalation)
        .where(col(Escalation.delegation_id) == delegation_id)
        .where(col(Escalation.status) == EscalationStatus.ACKNOWLEDGED)
        .values(next_step_at=None, reminded_at=None)
    )


def active_escalations(session: Session, *, delegation_id: int) -> Sequence[Escalation]:
    """The item's escalations not over yet, oldest first, their rows locked until the
    transaction ends: what is decided from their status holds, whoever else is changing
    them (a change in flight is waited for, and its result read)."""
    return session.exec(
        select(Escalation)
        .where(col(Escalation.delegation_id) == delegation_id)
        .where(col(Escalation.status).in_(ACTIVE))
        .order_by(col(Escalation.id))
        .with_for_update()
        .execution_options(populate_existing=True)
    ).all()


def add_notice(session: Session, *, notice: EscalationNotice) -> None:
    session.add(notice)
    session.flush()


def open_group(session: Session, *, recipient: str, since: datetime, most: int) -> str | None:
    """The message the latest escalation to ``recipient`` went in, if that was at or after
    ``since`` and the message lists fewer than ``most`` levels: a new one joins it."""
    latest = session.exec(
        select(EscalationNotice.message_key)
        .where(col(EscalationNotice.recipient) == recipient)
        .where(col(EscalationNotice.sent_at) >= since)
        .order_by(col(EscalationNotice.sent_at).desc(), col(EscalationNotice.id).desc())
        .limit(1)
    ).first()
    if latest is None:
        return None
    listed = session.exec(
        select(func.count()).where(col(EscalationNotice.message_key) == latest)
    ).one()
    return latest if listed < most else None


def notices_in(session: Session, *, message_key: str) -> Sequence[EscalationNotice]:
    """The levels one message lists, in the order they joined it. The message's first row
    is locked until the transaction ends, so that two changes drawing the same message draw
    it one after the other, the later one seeing the earlier."""
    first = session.exec(
        select(EscalationNotice.id)
        .where(col(EscalationNotice.message_key) == message_key)
        .order_by(col(EscalationNotice.id))
        .limit(1)
        .with_for_update()
    ).first()
    if first is None:
        return []
    return session.exec(
        select(EscalationNotice)
        .where(col(EscalationNotice.message_key) == message_key)
        .order_by(col(EscalationNotice.id))
    ).all()


def notices_of(session: Session, *, escalation_id: int) -> Sequence[EscalationNotice]:
    """Every message an escalation's climb went in, level 1 first."""
    return session.exec(
        select(EscalationNotice)
        .where(col(EscalationNotice.escalation_id) == escalation_id)
        .order_by(col(EscalationNotice.level))
    ).all()


def hold_open_item(session: Session, *, delegation_id: int, statuses: list[str]) -> bool:
    """Lock the item's row if it is still in ``statuses`` (a no-op update): a transition
    racing us then waits for our commit, and sees what we wrote. False if it moved on."""
    statement = (
        update(Delegation)
        .where(col(Delegation.id) == delegation_id)
        .where(col(Delegation.status).in_(statuses))
        .values(updated_at=Delegation.updated_at)
    )
    return session.execute(statement).rowcount == 1


def claim_answer_deadline(session: Session, *, checkin_id: int, expected: datetime) -> bool:
    statement = (
        update(Checkin)
        .where(col(Checkin.id) == checkin_id)
        .where(col(Checkin.answer_deadline_at) == expected)
        .where(col(Checkin.answered_at).is_(None))
        .values(answer_deadline_at=None)
    )
    return session.execute(statement).rowcount == 1


def open_escalations_to(session: Session, *, target: str) -> Sequence[Escalation]:
    """Escalations in progress waiting on ``target`` (their current level), oldest first."""
    return session.exec(
        select(Escalation)
        .where(col(Escalation.status) == OPEN, col(Escalation.target) == target)
        .order_by(col(Escalation.started_at))
    ).all()
