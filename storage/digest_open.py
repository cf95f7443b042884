"""What is open at the end of a digest's window, in SQL: who holds how many items (open,
overdue, stalled) and the oldest of them. Items are read from their events, never from
their mutable rows, so any past window can be asked about."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, exists, func, literal, not_, or_, select
from sqlalchemy.orm import aliased
from sqlmodel import Session, col

from storage.digest_queries import Scope, at_value, json_time
from storage.enums import SYSTEM_ACTOR
from storage.enums import EventType as E
from storage.models import Event
from storage.types import UTCDateTime

TERMINAL = (E.DECLINED, E.COMPLETED, E.CANCELLED)
# what people (not the scheduler) do to an item: any of these means it is not stalled
BY_PEOPLE = (
    E.CREATED,
    E.ACCEPTED,
    E.DECLINED,
    E.CHECKIN_ANSWERED,
    E.COMPLETED,
    E.CANCELLED,
    E.ACKNOWLEDGED,
    E.REASSIGNED,
    E.DUE_CHANGED,
)


def _moment(session: Session, value: datetime) -> ColumnElement[Any]:
    """A Python datetime as a SQL value comparable with ``_json_time``."""
    return at_value(session, literal(value, UTCDateTime()))


def _open_at(end: datetime, scope: Scope) -> Any:
    """The created events of items still open at ``end``."""
    created, closing = aliased(Event), aliased(Event)
    closed = exists().where(
        closing.delegation_id == created.delegation_id,
        col(closing.type).in_(TERMINAL),
        closing.at < end,
    )
    statement = select(created).where(created.type == E.CREATED, created.at < end, not_(closed))
    if scope is not None:
        statement = statement.where(created.data["delegator"].as_string().in_(list(scope)))
    return statement


def open_by_assignee(
    session: Session, *, end: datetime, stalled_since: datetime, scope: Scope = None
) -> Sequence[tuple[str, int, int, int]]:
    """(assignee, open, overdue, stalled) at ``end``, for everyone with open items, in one
    pass. Stalled: open since before ``stalled_since`` with nothing done on it by a person
    since."""
    subquery = _open_at(end, scope).subquery()
    moved = aliased(Event)
    ranked = (
        select(
            moved.delegation_id.label("delegation_id"),
            moved.data["to"].as_string().label("to"),
            func.row_number()
            .over(partition_by=moved.delegation_id, order_by=(moved.at.desc(), moved.id.desc()))
            .label("rank"),
        )
        .where(moved.type == E.REASSIGNED, moved.at < end)
        .subquery()
    )
    latest = select(ranked.c.delegation_id, ranked.c.to).where(ranked.c.rank == 1).subquery()
    # whoever holds it now: the latest reassignment before ``end``, else the first assignee
    assignee = func.coalesce(latest.c.to, subquery.c.data["assignee"].as_string())
    due = json_time(session, subquery.c.data, "due")
    activity = aliased(Event)
    touched = exists().where(
        activity.delegation_id == subquery.c.delegation_id,
        or_(
            col(activity.type).in_(BY_PEOPLE),
            and_(activity.type == E.ESCALATED, activity.actor != SYSTEM_ACTOR),  # Escalate pressed
        ),
        activity.at >= stalled_since,
        activity.at < end,
    )
    overdue = func.count().filter(
        and_(subquery.c.data["due"].as_string().is_not(None), due < _moment(session, end))
    )
    stalled = func.count().filter(and_(subquery.c.at < stalled_since, not_(touched)))
    statement = (
        select(assignee, func.count(), overdue, stalled)
        .select_from(subquery)
        .outerjoin(latest, latest.c.delegation_id == subquery.c.delegation_id)
        .group_by(assignee)
    )
    return [(str(a), int(o), int(d), int(t)) for a, o, d, t in session.execute(statement).all()]


def oldest_open(
    session: Session, *, end: datetime, limit: int, scope: Scope = None
) -> Sequence[Any]:
    subquery = _open_at(end, scope).subquery()
    statement = (
        select(subquery.c.delegation_id, subquery.c.at, subquery.c.data)
        .order_by(subquery.c.at, subquery.c.delegation_id)
        .limit(limit)
    )
    return session.execute(statement).all()
