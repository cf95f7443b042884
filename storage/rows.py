"""Two row patterns every scheduled kind of work shares: insert-once, and find-what-is-due."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, literal, select, union_all
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, SQLModel


def insert_once(session: Session, row: SQLModel) -> bool:
    """Insert ``row`` unless a unique constraint says it exists already; False then. Only
    this insert is undone, not the rest of the unit of work."""
    try:
        with session.begin_nested():
            session.add(row)
            session.flush()
    except IntegrityError:
        return False
    return True


def due_statement(columns: Mapping[str, tuple[Any, Any]]) -> Any:
    """One query for every kind of scheduled work: (kind, key, due time) of the rows whose
    "due at" column has come, oldest first, at most ``:limit`` each. Every kind keeps such
    an indexed column, cleared once done, so finding due work costs the same however much
    is not due. Built once: the tick only binds ``now`` and ``limit``."""
    now, limit = bindparam("now"), bindparam("limit")
    parts = [
        select(literal(kind).label("kind"), key.label("key"), due.label("due"))
        .where(due <= now)
        .order_by(due)
        .limit(limit)
        .subquery()
        for kind, (key, due) in columns.items()
    ]
    return union_all(*[select(part.c.kind, part.c.key, part.c.due) for part in parts])


def due_rows(
    session: Session, *, statement: Any, kinds: Iterable[str], now: datetime, limit: int
) -> dict[str, list[tuple[int, datetime]]]:
    """Run a ``due_statement``: the due rows of each kind, oldest first."""
    found: dict[str, list[tuple[int, datetime]]] = {kind: [] for kind in kinds}
    rows = session.execute(statement, {"now": now, "limit": limit}).all()
    for kind, key, due_at in sorted(rows, key=lambda row: row[2]):
        found[kind].append((int(key), due_at))
    return found
