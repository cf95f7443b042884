"""SQL aggregates over the activity events for the digest. Everything is counted in the
database; only the few numbers (and at most a handful of named items) come back."""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, case, func, or_, select
from sqlalchemy.orm import aliased
from sqlmodel import Session, col

from storage.enums import EventType as E
from storage.models import Event


def _dialect(session: Session) -> str:
    return session.get_bind().dialect.name


def _seconds(session: Session, later: Any, earlier: Any) -> ColumnElement[float]:
    """``later - earlier`` in seconds, on either backend."""
    if _dialect(session) == "sqlite":
        return (func.julianday(later) - func.julianday(earlier)) * 86400.0
    return func.extract("epoch", later - earlier)


def json_time(session: Session, column: Any, key: str) -> ColumnElement[Any]:
    """An ISO-8601 UTC string stored in a JSON field ("2026-11-27T23:00:00Z"), as a
    timestamp comparable with the ``at`` column."""
    text = column[key].as_string()
    if _dialect(session) == "sqlite":
        return func.julianday(func.replace(func.replace(text, "T", " "), "Z", ""))
    return func.cast(text, _timestamptz())


def at_value(session: Session, column: Any) -> ColumnElement[Any]:
    return func.julianday(column) if _dialect(session) == "sqlite" else column


def _timestamptz() -> Any:
    from sqlalchemy.dialects.postgresql import TIMESTAMP

    return TIMESTAMP(timezone=True)


Scope = Sequence[str] | None  # delegators whose items count; None: everyone's


def _scoped(statement: Any, delegation_id: Any, scope: Scope) -> Any:
    """``statement`` restricted to items delegated by someone in ``scope``: the delegator
    is read from the item's ``created`` event, never from mutable state."""
    if scope is None:
        return statement
    created = aliased(Event)
    items = select(created.delegation_id).where(
        created.type == E.CREATED, created.data["delegator"].as_string().in_(list(scope))
    )
    return statement.where(delegation_id.in_(items))


COUNTED = (
    E.CREATED,
    E.ACCEPTED,
    E.DECLINED,
    E.CHECKIN_SENT,
    E.CHECKIN_ANSWERED,
    E.COMPLETED,
    E.ESCALATED,
    E.ACKNOWLEDGED,
)


def counts_by_type(
    session: Session, *, start: datetime, end: datetime, scope: Scope = None
) -> dict[str, int]:
    statement = (
        select(Event.type, func.count())
        .where(col(Event.type).in_(COUNTED), col(Event.at) >= start, col(Event.at) < end)
        .group_by(col(Event.type))
    )
    rows = session.execute(_scoped(statement, col(Event.delegation_id), scope)).all()
    return {str(kind): int(count) for kind, count in rows}


def daily_counts(
    session: Session,
    *,
    boundaries: Sequence[datetime],
    kinds: Sequence[str],
    scope: Scope = None,
) -> dict[tuple[int, str], int]:
    """Counts per (day number, type) between consecutive ``boundaries`` (local midnights,
    worked out by the caller so days are right across DST), in one query."""
    bucket = case(
        *[(col(Event.at) < edge, number) for number, edge in enumerate(boundaries[1:])],
        else_=len(boundaries) - 1,
    )
    statement = (
        select(bucket, Event.type, func.count())
        .where(col(Event.type).in_(kinds))
        .where(col(Event.at) >= boundaries[0], col(Event.at) < boundaries[-1])
        .group_by(bucket, col(Event.type))
    )
    rows = session.execute(_scoped(statement, col(Event.delegation_id), scope)).all()
    return {(int(day), str(kind)): int(count) for day, kind, count in rows}


def percentiles(session: Session, values: Any, fractions: Sequence[float]) -> list[float | None]:
    """Nearest-rank percentiles (the value at rank ceil(f x n)) of a one-column subquery,
    ranked and picked in one SQL pass: no values are loaded."""
    subquery = values.subquery()
    value = subquery.c[0]
    ranked = select(
        value.label("value"),
        func.row_number().over(order_by=value).label("rank"),
        func.count().over().label("total"),
    ).subquery()
    rows = session.execute(
        select(ranked.c.value, ranked.c.rank, ranked.c.total).where(
            or_(*[ranked.c.rank == _rank_of(fraction, ranked.c.total) for fraction in fractions])
        )
    ).all()
    by_rank = {int(rank): float(round(v)) for v, rank, _ in rows}
    total = int(rows[0][2]) if rows else 0
    return [by_rank.get(max(math.ceil(f * total), 1)) if total else None for f in fractions]


def _rank_of(fraction: float, total: Any) -> Any:
    """ceil(fraction x total) in integer SQL arithmetic (fraction in whole percent)."""
    percent = round(fraction * 100)
    return (total * percent + 99) // 100


def _durations(
    session: Session,
    *,
    earlier: str,
    later: str | tuple[str, ...],
    start: datetime,
    end: datetime,
    scope: Scope,
    same_escalation: bool = False,
) -> Any:
    """Seconds from each item's ``earlier`` event to its ``later`` one, for ``later`` events
    in the window: a one-column subquery for ``percentiles``. ``same_escalation`` pairs an
    acknowledgement with the first level of its own escalation."""
    first, then = aliased(Event), aliased(Event)
    pairing = [first.delegation_id == then.delegation_id, first.type == earlier]
    if same_escalation:
        pairing += [
            first.data["escalation_id"].as_integer() == then.data["escalation_id"].as_integer(),
            first.data["level"].as_integer() == 1,
        ]
    statement = (
        select(_seconds(session, then.at, first.at).label("seconds"))
        .select_from(then)
        .join(first, and_(*pairing))
        .where(col(then.type).in_([later] if isinstance(later, str) else list(later)))
        .where(then.at >= start, then.at < end)
    )
    return _scoped(statement, then.delegation_id, scope)


def accept_durations(session: Session, **window: Any) -> Any:
    """Creation to acceptance, for acceptances in the window (``start``, ``end``, ``scope``)."""
    return _durations(session, earlier=E.CREATED, later=E.ACCEPTED, **window)


def completion_durations(session: Session, **window: Any) -> Any:
    """Acceptance to Done, for completions in the window."""
    return _durations(session, earlier=E.ACCEPTED, later=E.COMPLETED, **window)


def acknowledge_durations(session: Session, **window: Any) -> Any:
    """An escalation's first level to its acknowledgement, for those in the window."""
    return _durations(
        session, earlier=E.ESCALATED, later=E.ACKNOWLEDGED, same_escalation=True, **window
    )


def ending_durations(session: Session, **window: Any) -> Any:
    """An escalation's first level to its ending (acknowledged, or resolved by its cause;
    each escalation has one), for endings in the window."""
    endings = (E.ACKNOWLEDGED, E.ESCALATION_RESOLVED)
    return _durations(session, earlier=E.ESCALATED, later=endings, same_escalation=True, **window)


def resolved_by_cause(
    session: Session, *, start: datetime, end: datetime, scope: Scope = None
) -> dict[str, int]:
    """How many escalations their cause resolved in the window, by cause."""
    cause = Event.data["cause"].as_string()
    statement = (
        select(cause, func.count())
        .where(col(Event.type) == E.ESCALATION_RESOLVED)
        .where(col(Event.at) >= start, col(Event.at) < end)
        .group_by(cause)
    )
    rows = session.execute(_scoped(statement, col(Event.delegation_id), scope)).all()
    return {str(name): int(count) for name, count in rows}


def still_open(session: Session, *, start: datetime, end: datetime, scope: Scope = None) -> int:
    """Escalations started in the window that had not ended by its end."""
    started, ending = aliased(Event), aliased(Event)
    ended = (
        select(ending.id)
        .where(ending.delegation_id == started.delegation_id)
        .where(col(ending.type).in_([E.ACKNOWLEDGED, E.ESCALATION_RESOLVED]))
        .where(
            ending.data["escalation_id"].as_integer() == started.data["escalation_id"].as_integer()
        )
        .where(ending.at < end)
    )
    statement = (
        select(func.count())
        .select_from(started)
        .where(started.type == E.ESCALATED, started.data["level"].as_integer() == 1)
        .where(started.at >= start, started.at < end)
        .where(~ended.exists())
    )
    return int(session.execute(_scoped(statement, started.delegation_id, scope)).scalar_one())


def completed_on_time(
    session: Session, *, start: datetime, end: datetime, scope: Scope = None
) -> int:
    """Completions in the window no later than the due date (no due date: on time)."""
    completed, created = aliased(Event), aliased(Event)
    due = json_time(session, created.data, "due")
    statement = (
        select(func.count())
        .select_from(completed)
        .join(
            created,
            and_(created.delegation_id == completed.delegation_id, created.type == E.CREATED),
        )
        .where(completed.type == E.COMPLETED, completed.at >= start, completed.at < end)
        .where(
            or_(created.data["due"].as_string().is_(None), at_value(session, completed.at) <= due)
        )
    )
    if scope is not None:  # the created event is already joined: filter it directly
        statement = statement.where(created.data["delegator"].as_string().in_(list(scope)))
    return int(session.execute(statement).scalar_one())


def escalations_by(
    session: Session, *, start: datetime, end: datetime, scope: Scope = None
) -> Sequence[tuple[str, int, int]]:
    """(reason, level, count) of the escalations in the window, in one pass."""
    reason, level = Event.data["reason"].as_string(), Event.data["level"].as_integer()
    statement = (
        select(reason, level, func.count())
        .where(col(Event.type) == E.ESCALATED, col(Event.at) >= start, col(Event.at) < end)
        .group_by(reason, level)
    )
    rows = session.execute(_scoped(statement, col(Event.delegation_id), scope)).all()
    return [(str(r), int(lv), int(c)) for r, lv, c in rows]
