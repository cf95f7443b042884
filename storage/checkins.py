"""Queries on check-ins and on the supervision columns of delegations."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import func, update
from sqlmodel import Session, col, select

from storage.models import Checkin, Delegation
from storage.rows import insert_once


def claim_column(
    session: Session,
    *,
    delegation_id: int,
    column: str,
    expected: datetime,
    replacement: datetime | None,
    statuses: Sequence[str],
) -> bool:
    """Move a due-work column from ``expected`` to ``replacement`` if nobody did first.

    Two ticks (or two replicas) reading the same due row race here; exactly one wins.
    """
    target = getattr(Delegation, column)
    statement = (
        update(Delegation)
        .where(col(Delegation.id) == delegation_id)
        .where(target == expected)
        .where(col(Delegation.status).in_(list(statuses)))
        .values({column: replacement})
    )
    return session.execute(statement).rowcount == 1


def add_checkin(
    session: Session,
    *,
    delegation_id: int,
    slot: datetime,
    now: datetime,
    answer_deadline_at: datetime | None = None,
) -> Checkin | None:
    """The check-in for this slot, or None if one was already recorded (ever)."""
    checkin = Checkin(
        delegation_id=delegation_id,
        slot=slot,
        sent_at=now,
        answer_deadline_at=answer_deadline_at,
    )
    return checkin if insert_once(session, checkin) else None


def get_checkin(session: Session, *, checkin_id: int) -> Checkin | None:
    return session.get(Checkin, checkin_id, populate_existing=True)


def record_answer(
    session: Session, *, checkin_id: int, status: str, note: str | None, now: datetime
) -> bool:
    """Store the answer unless the check-in was already answered; False if it was."""
    statement = (
        update(Checkin)
        .where(col(Checkin.id) == checkin_id)
        .where(col(Checkin.answered_at).is_(None))
        .values(status=status, note=note, answered_at=now, answer_deadline_at=None)
    )
    return session.execute(statement).rowcount == 1


def stop_waiting_for_answers(session: Session, *, delegation_id: int) -> None:
    """The item's unanswered check-ins no longer escalate if left unanswered."""
    session.execute(
        update(Checkin)
        .where(col(Checkin.delegation_id) == delegation_id)
        .where(col(Checkin.answered_at).is_(None))
        .values(answer_deadline_at=None)
    )


def latest_answers(session: Session, *, delegation_ids: Sequence[int]) -> dict[int, Checkin]:
    """The most recent answered check-in of each item."""
    if not delegation_ids:
        return {}
    latest = (
        select(func.max(Checkin.id))
        .where(col(Checkin.delegation_id).in_(list(delegation_ids)))
        .where(col(Checkin.answered_at).is_not(None))
        .group_by(col(Checkin.delegation_id))
    )
    rows = session.exec(select(Checkin).where(col(Checkin.id).in_(latest))).all()
    return {row.delegation_id: row for row in rows}


def unanswered_checkins_of(
    session: Session, *, assignee_id: str, sent_after: datetime, sent_before: datetime
) -> int:
    statement = (
        select(func.count())
        .select_from(Checkin)
        .join(Delegation, col(Delegation.id) == col(Checkin.delegation_id))
        .where(Delegation.assignee_id == assignee_id)
        .where(col(Checkin.answered_at).is_(None))
        .where(col(Checkin.sent_at) >= sent_after)
        .where(col(Checkin.sent_at) < sent_before)
    )
    return int(session.exec(statement).one())
