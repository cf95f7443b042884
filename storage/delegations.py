"""Queries on delegations. Keyword-only, session first, never commit."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from functools import lru_cache

from sqlalchemy import Update, bindparam, func, insert, or_, update
from sqlmodel import Session, col, select

from storage.models import Delegation, Event

# Built once, bound on each call: reading and moving an item runs on every button, and
# building a statement (and its cache key) cost more than running it.
_INSERT = insert(Delegation.__table__)  # type: ignore[attr-defined]
_BY_ID = select(Delegation).where(col(Delegation.id) == bindparam("delegation_id"))


def add_delegation(session: Session, *, delegation: Delegation) -> Delegation:
    """Insert ``delegation`` and give it its id. One plain INSERT, not an ORM flush (which
    cost several times as much on the request path): the object stays outside the session,
    and later changes go through the conditional updates below, never through it."""
    table = Delegation.__table__  # type: ignore[attr-defined]
    values = {column.key: getattr(delegation, column.key) for column in table.columns}
    values.pop("id")
    result = session.connection().execute(_INSERT, values)
    delegation.id = result.inserted_primary_key[0]
    return delegation


def get_delegation(session: Session, *, delegation_id: int) -> Delegation | None:
    """The item as stored now (an object already loaded is refreshed)."""
    return session.exec(
        _BY_ID,
        params={"delegation_id": delegation_id},
        execution_options={"populate_existing": True},
    ).first()


def move_status(
    session: Session,
    *,
    delegation_id: int,
    from_statuses: Iterable[str],
    to_status: str | None,
    now: datetime,
    values: dict[str, object] | None = None,
    assignee_id: str | None = None,
    version: datetime | None = None,
) -> bool:
    """Conditionally change an item: to ``to_status`` (None keeps its status) with
    ``values``; False, writing nothing, unless it is still in ``from_statuses`` (and still
    with ``assignee_id``, and still at ``version``, its ``updated_at``, when given).

    The check and the write are one statement, so of two racing requests exactly one wins,
    on every backend. Objects already loaded are not updated to match: read the item again
    afterwards (``get_delegation`` does).
    """
    values = dict(values or {})
    if to_status is not None:
        values["status"] = to_status
    statement = _move_statement(
        tuple(sorted(values)), with_assignee=assignee_id is not None, versioned=version is not None
    )
    parameters = {f"set_{key}": value for key, value in values.items()}
    # the session's connection: no evaluating the criteria against loaded objects
    result = session.connection().execute(
        statement,
        {
            **parameters,
            "delegation_id": delegation_id,
            "from_statuses": list(from_statuses),
            "now": now,
            "still_with": assignee_id,
            "version": version,
        },
    )
    return result.rowcount == 1


@lru_cache(maxsize=64)
def _move_statement(keys: tuple[str, ...], *, with_assignee: bool, versioned: bool) -> Update:
    """``move_status``'s UPDATE for one set of columns written: there are a handful."""
    statement = (
        update(Delegation)
        .where(col(Delegation.id) == bindparam("delegation_id"))
        .where(col(Delegation.status).in_(bindparam("from_statuses", expanding=True)))
        .values(updated_at=bindparam("now"), **{key: bindparam(f"set_{key}") for key in keys})
    )
    if with_assignee:  # and still with the person it was with when read
        statement = statement.where(col(Delegation.assignee_id) == bindparam("still_with"))
    if versioned:  # and unchanged since it was read
        statement = statement.where(col(Delegation.updated_at) == bindparam("version"))
    return statement


def open_delegations_of(
    session: Session, *, user_id: str, statuses: Iterable[str], limit: int
) -> Sequence[Delegation]:
    """Items the person delegated or was delegated, in the given statuses, soonest due first."""
    statement = (
        select(Delegation)
        .where(or_(Delegation.delegator_id == user_id, Delegation.assignee_id == user_id))
        .where(col(Delegation.status).in_(list(statuses)))
        .order_by(col(Delegation.due_at).is_(None), col(Delegation.due_at), col(Delegation.id))
        .limit(limit)
    )
    return session.exec(statement).all()


def latest_event(session: Session, *, delegation_id: int, types: Iterable[str]) -> Event | None:
    statement = (
        select(Event)
        .where(col(Event.delegation_id) == delegation_id, col(Event.type).in_(list(types)))
        .order_by(col(Event.at).desc(), col(Event.id).desc())
        .limit(1)
    )
    return session.exec(statement).first()


def open_items_of(
    session: Session,
    *,
    statuses: Iterable[str],
    limit: int,
    assignee_id: str | None = None,
    delegator_id: str | None = None,
) -> tuple[Sequence[Delegation], int]:
    """The person's items in ``statuses`` (to them, or by them), soonest due first, at most
    ``limit``; and how many there are in all."""
    whose = (
        col(Delegation.assignee_id) == assignee_id
        if assignee_id is not None
        else col(Delegation.delegator_id) == delegator_id
    )
    condition = [whose, col(Delegation.status).in_(list(statuses))]
    total = session.exec(select(func.count()).select_from(Delegation).where(*condition)).one()
    items = session.exec(
        select(Delegation)
        .where(*condition)
        .order_by(col(Delegation.due_at).is_(None), col(Delegation.due_at), col(Delegation.id))
        .limit(limit)
    ).all()
    return items, int(total)
