"""Queries on escalations and on the deadlines that start them."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import Update, bindparam, update
from sqlmodel import Session, col, select

from storage.enums import EscalationStatus
from storage.models import Checkin, Delegation, Escalation
from storage.rows import insert_once

OPEN = EscalationStatus.OPEN


def _close_statement(*, for_reason: bool) -> Update:
    statement = (
        update(Escalation)
        .where(col(Escalation.delegation_id) == bindparam("item"))
        .where(col(Escalation.status) == OPEN)
        .values(status=EscalationStatus.CLOSED, next_step_at=None)
    )
    if for_reason:
        statement = statement.where(col(Escalation.reason) == bindparam("for_reason"))
    return statement


# Built once: every accept and every closing of an item runs one.
_CLOSE = {False: _close_statement(for_reason=False), True: _close_statement(for_reason=True)}


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
    expected_level: int,
    expected_status: str = OPEN,
    values: dict[str, object],
) -> bool:
    """Conditionally change an escalation still at ``expected_level`` and status: of a
    climb and an acknowledgement racing, exactly one applies."""
    statement = (
        update(Escalation)
        .where(col(Escalation.id) == escalation_id)
        .where(col(Escalation.status) == expected_status)
        .where(col(Escalation.level) == expected_level)
        .values(**values)
    )
    return session.execute(statement).rowcount == 1


def close_open_escalations(
    session: Session, *, delegation_id: int, reason: str | None = None
) -> None:
    """Stop the item's escalation in progress (only one started for ``reason``, if given).
    Loaded Escalation objects are not updated to match."""
    statement = _CLOSE[reason is not None]
    parameters = {"item": delegation_id, "for_reason": reason}
    session.connection().execute(statement, parameters)


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
