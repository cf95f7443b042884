"""Deliveries already taken in: Events API events by ``event_id`` (``SeenEvent``), signed
commands and view submissions by signature and timestamp (``SeenRequest``). Insert-once,
forget, purge."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import delete, inspect
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col

from storage.models import SeenEvent, SeenRequest

SeenTable = type[SeenEvent] | type[SeenRequest]


def remember(session: Session, *, table: SeenTable, key: str, now: datetime) -> bool:
    """True the first time ``key`` is seen (on any replica), False for a repeat: one
    ``INSERT … ON CONFLICT DO NOTHING``, no savepoint (it runs on every request)."""
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    column = _key_of(table)
    statement = (
        dialect.insert(table)
        .values({column.name: key, "seen_at": now})
        .on_conflict_do_nothing()
        .returning(column)  # a row back only when it went in (psycopg's rowcount says -1)
    )
    return session.execute(statement).first() is not None


def forget(session: Session, *, table: SeenTable, key: str) -> None:
    """Let this delivery be processed after all (its first one failed)."""
    session.execute(delete(table).where(_key_of(table) == key))


def purge_seen(session: Session, *, table: SeenTable, seen_before: datetime) -> int:
    """Forget what was seen before ``seen_before`` (by index); how many."""
    result = session.execute(delete(table).where(col(table.seen_at) < seen_before))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def _key_of(table: SeenTable) -> Any:
    return inspect(table).primary_key[0]
