"""Deliveries already taken in: Events API events by ``event_id`` (``SeenEvent``), signed
commands and view submissions by signature and timestamp (``SeenRequest``). Insert-once,
forget, purge."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import delete, inspect
from sqlmodel import Session, col

from storage.models import SeenEvent, SeenRequest
from storage.rows import insert_once

SeenTable = type[SeenEvent] | type[SeenRequest]


def remember(session: Session, *, table: SeenTable, key: str, now: datetime) -> bool:
    """True the first time ``key`` is seen (on any replica), False for a repeat."""
    return insert_once(session, table(**{_key_of(table).name: key, "seen_at": now}))


def forget(session: Session, *, table: SeenTable, key: str) -> None:
    """Let this delivery be processed after all (its first one failed)."""
    session.execute(delete(table).where(_key_of(table) == key))


def purge_seen(session: Session, *, table: SeenTable, seen_before: datetime) -> int:
    """Forget what was seen before ``seen_before`` (by index); how many."""
    result = session.execute(delete(table).where(col(table.seen_at) < seen_before))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def _key_of(table: SeenTable) -> Any:
    return inspect(table).primary_key[0]
