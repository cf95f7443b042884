"""The activity log: append and read, nothing else."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import datetime
from typing import Any

from sqlalchemy import insert
from sqlmodel import Session, col, select

from storage.models import Event


def iso(moment: datetime | None) -> str | None:
    """A moment as event data holds it: UTC, to the second, with a Z."""
    return None if moment is None else moment.strftime("%Y-%m-%dT%H:%M:%SZ")


_INSERT = insert(Event.__table__)  # type: ignore[attr-defined]  # built once


def record_event(
    session: Session,
    *,
    delegation_id: int | None,
    type: str,
    actor: str,
    at: datetime,
    data: dict[str, Any] | None = None,
) -> Event:
    """Append one event. A plain INSERT on the session's connection, not an ORM flush: the
    row is never changed afterwards, so the unit of work has nothing to track (a flush cost
    several times the INSERT itself on the request path). The returned Event is detached."""
    values = {
        "delegation_id": delegation_id,
        "type": type,
        "actor": actor,
        "at": at,
        "data": data or {},
    }
    result = session.connection().execute(_INSERT, values)
    return Event(id=result.inserted_primary_key[0], **values)


def iter_all_events(session: Session, *, batch_size: int = 1000) -> Iterator[Event]:
    """Every event, oldest first, read in batches so memory stays flat."""
    last_id = 0
    while True:
        statement = select(Event).where(Event.id > last_id).order_by(col(Event.id))
        batch = session.exec(statement.limit(batch_size)).all()
        if not batch:
            return
        yield from batch
        last_id = batch[-1].id or last_id


def happened_since(
    session: Session, *, delegation_id: int, types: Iterable[str], since: datetime
) -> bool:
    """Whether any event of ``types`` was recorded on the item after ``since``."""
    found = session.exec(
        select(Event.id)
        .where(col(Event.delegation_id) == delegation_id)
        .where(col(Event.type).in_(list(types)))
        .where(col(Event.at) > since)
        .limit(1)
    ).first()
    return found is not None
