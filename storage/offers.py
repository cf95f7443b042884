"""Counting a person's offers, under a lock that makes two replicas count one after the
other. Keyword-only, session first, never commit."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import bindparam, func, text
from sqlmodel import Session, col, select

from storage.enums import DelegationStatus, EventType
from storage.models import Delegation, Event

# The events that put a new offer in someone's DM: a new item, or one handed to someone else.
OFFERING = (EventType.CREATED.value, EventType.REASSIGNED.value)
_LOCK_SPACE = 0x5374  # "St": Steward's advisory locks, apart from anyone else's
_LOCK = text("SELECT pg_advisory_xact_lock(:space, hashtext(:who))")
# One row, read off ix_events_actor_type_at: the work is the limit's, never the history's.
_NTH_RECENT = (
    select(Event.at)
    .where(col(Event.actor) == bindparam("actor"))
    .where(col(Event.type).in_(OFFERING))
    .where(col(Event.at) > bindparam("since"))
    .order_by(col(Event.at).desc())
    .offset(bindparam("skip"))
    .limit(1)
)
# Counted no further than the limit, on ix_delegations_offers: the work stays the same
# however many items the two people have had between them.
_WAITING = select(func.count()).select_from(
    select(Delegation.id)
    .where(col(Delegation.delegator_id) == bindparam("delegator_id"))
    .where(col(Delegation.assignee_id) == bindparam("assignee_id"))
    .where(col(Delegation.status) == DelegationStatus.OFFERED.value)
    .limit(bindparam("limit"))
    .subquery()
)


def lock_offers_by(session: Session, *, delegator_id: str) -> None:
    """Until this transaction ends, no other one can count or make ``delegator_id``'s
    offers. PostgreSQL: an advisory lock. SQLite: nothing to do, a writing transaction
    already holds the whole database (``BEGIN IMMEDIATE``)."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(_LOCK, {"space": _LOCK_SPACE, "who": delegator_id})


def nth_latest_offer_since(
    session: Session, *, delegator_id: str, since: datetime, n: int
) -> datetime | None:
    """When ``delegator_id`` made the ``n``-th latest of their offers after ``since``; None
    when they made fewer than ``n``."""
    params = {"actor": delegator_id, "since": since, "skip": n - 1}
    return session.execute(_NTH_RECENT, params).scalars().first()


def offers_waiting(session: Session, *, delegator_id: str, assignee_id: str, limit: int) -> int:
    """Offers from ``delegator_id`` that ``assignee_id`` has not accepted or declined yet,
    counted up to ``limit``."""
    params = {"delegator_id": delegator_id, "assignee_id": assignee_id, "limit": limit}
    return int(session.execute(_WAITING, params).scalar_one())
