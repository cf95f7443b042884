"""Delivery's shared pacing, in the database so it holds however many replicas deliver:
send budgets and pauses (``delivery_pace`` rows, keys named by the caller), the slots sends
took (``outbox.slot_at``), and each channel's schedule (``outbox.channel_due_at``, stamped
on the posts that landed there).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import bindparam, exists, func, insert, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from storage.models import DeliveryPace, OutboxMessage
from storage.outbox import PENDING


def take_slot(
    session: Session,
    *,
    key: str,
    message_id: int,
    now: datetime,
    interval: timedelta,
    burst: int,
    most: int,
    window: timedelta,
) -> datetime | None:
    """Take a slot of the budget ``key`` for outbox message ``message_id``: slots
    ``interval`` apart, up to ``burst`` of them at once after a quiet spell, and never more
    than ``most`` in any ``window`` (counted from the slots messages took, by index). None
    when the slot was taken; else when the next one frees.

    The row is locked until the transaction ends (PostgreSQL), so replicas take their slots
    one after another and never both take the last one.
    """
    due = _locked(session, key=key, now=now)
    start = max(due, now)  # the next slot: a quiet spell banks no more than the burst
    free_at = start - interval * (burst - 1)
    if free_at > now:
        return free_at
    full = session.exec(
        select(OutboxMessage.slot_at)
        .where(col(OutboxMessage.slot_at) > now - window)
        .order_by(col(OutboxMessage.slot_at).desc())
        .offset(most - 1)
        .limit(1)
    ).first()
    if full is not None:  # the window holds ``most`` already: free when the oldest leaves
        return full + window
    _set(session, key=key, at=start + interval)
    session.execute(
        update(OutboxMessage).where(col(OutboxMessage.id) == message_id).values(slot_at=now)
    )
    return None


def pause(session: Session, *, key: str, until: datetime, now: datetime) -> datetime:
    """Hold ``key`` until ``until`` (a pause already running longer stands); the end."""
    current = _locked(session, key=key, now=now)
    if until > current:
        _set(session, key=key, at=until)
        return until
    return current


def pauses(session: Session, *, prefix: str, now: datetime) -> dict[str, datetime]:
    """The keys starting with ``prefix`` held beyond ``now``, with when each hold ends."""
    statement = select(DeliveryPace.key, DeliveryPace.not_before).where(
        col(DeliveryPace.key).startswith(prefix, autoescape=True),
        col(DeliveryPace.not_before) > now,
    )
    return {key: not_before for key, not_before in session.exec(statement).all()}


def channel_due(session: Session, *, recipient: str) -> datetime | None:
    """When ``recipient``'s channel next has a slot, as its last post left it (by index)."""
    statement = select(func.max(OutboxMessage.channel_due_at)).where(
        col(OutboxMessage.recipient) == recipient
    )
    return session.exec(statement).one()


def first_channel_due_after(session: Session, *, after: datetime) -> datetime | None:
    """The soonest ``channel_due_at`` after ``after`` among recipients with messages still
    pending (by the ``channel_due_at`` and ``recipient`` indexes)."""
    return session.execute(_FIRST_CHANNEL_DUE, {"after": after}).scalar_one()


_waiting = aliased(OutboxMessage)
# Built once: delivery asks it on every pass.
_FIRST_CHANNEL_DUE = select(func.min(OutboxMessage.channel_due_at)).where(
    col(OutboxMessage.channel_due_at) > bindparam("after"),  # takes the column's type
    exists().where(_waiting.recipient == OutboxMessage.recipient, _waiting.status == PENDING),
)


def _locked(session: Session, *, key: str, now: datetime) -> datetime:
    """The row's time, locked for this transaction; made (as ``now``) if it is missing."""
    statement = (
        select(DeliveryPace.not_before).where(col(DeliveryPace.key) == key).with_for_update()
    )
    found = session.exec(statement).first()
    if found is not None:
        return found
    try:
        with session.begin_nested():  # another replica may be making the same row
            session.execute(insert(DeliveryPace).values(key=key, not_before=now))
    except IntegrityError:
        return session.exec(statement).one()
    return now


def _set(session: Session, *, key: str, at: datetime) -> None:
    session.execute(update(DeliveryPace).where(col(DeliveryPace.key) == key).values(not_before=at))
