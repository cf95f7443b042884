"""The outbox: Slack calls committed with the change that caused them, delivered later."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, func, insert, or_, update
from sqlmodel import Session, col, select

from storage.models import OutboxMessage

PENDING = "pending"
SENT = "sent"
PARKED = "parked"
# The kinds of Slack call the outbox holds; delivery, pacing and the metrics tell them apart.
POST = "post"
UPDATE = "update"
RESPOND = "respond"
UPLOAD = "upload"
HOME = "home"  # publish the recipient's App Home as it is when delivered
HOME_QUEUE = "home:"  # + a person: their Home's own queue, never holding up their DMs
REPLY_QUEUE = "reply:"  # + a person: their private replies (response_url), apart from DMs
_INSERT = insert(OutboxMessage.__table__)  # type: ignore[attr-defined]  # built once


def enqueue(session: Session, message: dict[str, Any]) -> int:
    """Queue one message (made by ``row``) in the caller's transaction; its outbox id. A
    plain INSERT rather than an ORM flush: nothing changes the row in this unit of work, and
    the flush cost several times the INSERT on the request path."""
    result = session.connection().execute(_INSERT, message)
    return int(result.inserted_primary_key[0])


def row(
    *,
    kind: str,
    recipient: str,
    payload: dict[str, Any],
    now: datetime,
    delegation_id: int | None = None,
    message_key: str | None = None,
) -> dict[str, Any]:
    """One message, as ``enqueue`` and ``enqueue_rows`` take it."""
    return {
        "kind": kind,
        "recipient": recipient,
        "payload": payload,
        "delegation_id": delegation_id,
        "message_key": message_key,
        "status": PENDING,
        "attempts": 0,
        "created_at": now,
        "next_attempt_at": now,
    }


def enqueue_rows(session: Session, *, rows: list[dict[str, Any]]) -> None:
    """Queue several messages (made by ``row``) in one statement, in the order given: each
    recipient still receives its messages in that order."""
    if rows:
        session.connection().execute(_INSERT, rows)


def due_heads(
    session: Session,
    *,
    now: datetime,
    limit: int,
    busy_after: Mapping[str, datetime] | None = None,
    held_kinds: Collection[str] = (),
) -> Sequence[OutboxMessage]:
    """The oldest pending message of each recipient, where it is due and not claimed.

    Only a recipient's oldest message is ever handed out, so each person receives their
    messages in the order they were queued, even across retries. A head of a kind in
    ``busy_after`` waits while its recipient is busy, i.e. one of their messages has
    ``channel_due_at`` after that kind's time (found by its index); heads of ``held_kinds``
    wait altogether.
    """
    heads = (
        select(func.min(OutboxMessage.id))
        .where(OutboxMessage.status == PENDING)
        .group_by(col(OutboxMessage.recipient))
    )
    statement = (
        select(OutboxMessage)
        .where(col(OutboxMessage.id).in_(heads))
        .where(OutboxMessage.next_attempt_at <= now)
        .where(
            or_(
                col(OutboxMessage.claimed_until).is_(None),
                col(OutboxMessage.claimed_until) < now,
            )
        )
        .order_by(col(OutboxMessage.id))
        .limit(limit)
    )
    for kind, after in (busy_after or {}).items():
        busy = select(OutboxMessage.recipient).where(col(OutboxMessage.channel_due_at) > after)
        statement = statement.where(
            or_(col(OutboxMessage.kind) != kind, col(OutboxMessage.recipient).not_in(busy))
        )
    if held_kinds:
        statement = statement.where(col(OutboxMessage.kind).not_in(list(held_kinds)))
    return session.exec(statement).all()


def claim(
    session: Session, *, message_id: int, now: datetime, lease: timedelta, token: str
) -> bool:
    """Take a message for delivery until ``now + lease``; False when another worker holds
    it or it moved on. Only the holder of ``token`` may then record the outcome."""
    statement = (
        update(OutboxMessage)
        .where(col(OutboxMessage.id) == message_id)
        .where(col(OutboxMessage.status) == PENDING)
        .where(
            or_(
                col(OutboxMessage.claimed_until).is_(None),
                col(OutboxMessage.claimed_until) < now,
            )
        )
        .values(claimed_until=now + lease, claim_token=token)
    )
    return session.execute(statement).rowcount == 1


def _held(message_id: int, token: str) -> Any:
    return (col(OutboxMessage.id) == message_id) & (col(OutboxMessage.claim_token) == token)


def mark_sent(
    session: Session,
    *,
    message_id: int,
    token: str,
    now: datetime,
    channel_due_at: datetime | None = None,
) -> bool:
    statement = (
        update(OutboxMessage)
        .where(_held(message_id, token))
        .values(status=SENT, sent_at=now, claimed_until=None, claim_token=None, last_error=None)
    )
    if channel_due_at is not None:
        statement = statement.values(channel_due_at=channel_due_at)
    return session.execute(statement).rowcount == 1


def supersede(session: Session, *, message: OutboxMessage, now: datetime) -> int:
    """Mark the other waiting messages of ``message``'s recipient and kind as sent: one
    send that reads the state afterwards (an App Home publish) stands for them all. Only
    unclaimed ones, committed before this runs; later ones still go."""
    statement = (
        update(OutboxMessage)
        .where(col(OutboxMessage.recipient) == message.recipient)
        .where(col(OutboxMessage.kind) == message.kind, col(OutboxMessage.id) != message.id)
        .where(col(OutboxMessage.status) == PENDING, col(OutboxMessage.claimed_until).is_(None))
        .values(status=SENT, sent_at=now, last_error="superseded")
    )
    return session.execute(statement).rowcount


def release(session: Session, *, message_id: int, token: str, error: str) -> bool:
    """Give a claimed message back untried (no attempt counted, due as before): Slack
    turned the call away for a reason that is not the message's."""
    statement = (
        update(OutboxMessage)
        .where(_held(message_id, token))
        .values(claimed_until=None, claim_token=None, last_error=error)
    )
    return session.execute(statement).rowcount == 1


def mark_failed(
    session: Session, *, message_id: int, token: str, error: str, retry_at: datetime
) -> bool:
    statement = (
        update(OutboxMessage)
        .where(_held(message_id, token))
        .values(
            attempts=OutboxMessage.attempts + 1,
            next_attempt_at=retry_at,
            claimed_until=None,
            claim_token=None,
            last_error=error,
        )
    )
    return session.execute(statement).rowcount == 1


def park(session: Session, *, message_id: int, token: str, error: str) -> bool:
    statement = (
        update(OutboxMessage)
        .where(_held(message_id, token))
        .values(
            status=PARKED,
            attempts=OutboxMessage.attempts + 1,
            claimed_until=None,
            claim_token=None,
            last_error=error,
        )
    )
    return session.execute(statement).rowcount == 1


def parked_messages(session: Session, *, limit: int = 50) -> Sequence[OutboxMessage]:
    statement = (
        select(OutboxMessage)
        .where(OutboxMessage.status == PARKED)
        .order_by(col(OutboxMessage.id).desc())
        .limit(limit)
    )
    return session.exec(statement).all()


def delivered_before(session: Session, *, sent_before: datetime, limit: int) -> list[int]:
    """Ids of up to ``limit`` messages delivered before ``sent_before``."""
    oldest = (
        select(OutboxMessage.id)
        .where(col(OutboxMessage.sent_at) < sent_before, OutboxMessage.status == SENT)
        .order_by(col(OutboxMessage.sent_at))
        .limit(limit)
    )
    return [int(message_id) for message_id in session.exec(oldest).all() if message_id]


def forget(session: Session, *, message_ids: list[int]) -> None:
    """Delete delivered messages (the events keep the history; the outbox is a queue)."""
    session.execute(delete(OutboxMessage).where(col(OutboxMessage.id).in_(message_ids)))
