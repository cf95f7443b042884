"""Events API deliveries already taken in, by ``event_id``: insert-once, forget, purge."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete
from sqlmodel import Session, col

from storage.models import SeenEvent
from storage.rows import insert_once


def remember_event(session: Session, *, event_id: str, now: datetime) -> bool:
    """True the first time ``event_id`` is seen (on any replica), False for a repeat."""
    return insert_once(session, SeenEvent(event_id=event_id, seen_at=now))


def forget_event(session: Session, *, event_id: str) -> None:
    """Let a retry of this event be processed after all (its first delivery failed)."""
    session.execute(delete(SeenEvent).where(col(SeenEvent.event_id) == event_id))


def purge_seen_events(session: Session, *, seen_before: datetime) -> int:
    """Forget deliveries older than Slack's retries (by index); how many."""
    result = session.execute(delete(SeenEvent).where(col(SeenEvent.seen_at) < seen_before))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]
