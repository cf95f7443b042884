"""The outbox queue at a glance, for metrics: one indexed query (on ``status``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func
from sqlmodel import Session, col, select

from storage.models import OutboxMessage
from storage.outbox import PARKED, PENDING


@dataclass(frozen=True)
class QueueStats:
    pending: int
    oldest_pending_at: datetime | None
    parked: int


def queue_stats(session: Session) -> QueueStats:
    """Pending and parked counts and the oldest pending message's creation time. Sent
    messages (the bulk of the table for a week) are never touched: ix_outbox_due leads
    with ``status``."""
    rows = session.exec(
        select(
            OutboxMessage.status,
            func.count(),
            func.min(OutboxMessage.created_at),
        )
        .where(col(OutboxMessage.status).in_((PENDING, PARKED)))
        .group_by(col(OutboxMessage.status))
    ).all()
    found = {status: (int(count), oldest) for status, count, oldest in rows}
    pending, oldest = found.get(PENDING, (0, None))
    parked, _ = found.get(PARKED, (0, None))
    return QueueStats(pending=pending, oldest_pending_at=oldest, parked=parked)
