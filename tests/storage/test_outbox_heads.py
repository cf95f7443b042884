"""``outbox.due_heads``: each recipient's oldest pending message, and only where it is due
and free, on both backends."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine

from storage import outbox
from storage.db import unit_of_work

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


def queue(engine: Engine, recipient: str, text: str, *, due: datetime = NOW) -> int:
    with unit_of_work(engine) as session:
        message = outbox.row(kind="post", recipient=recipient, payload={"text": text}, now=due)
        return outbox.enqueue(session, message)


def heads(engine: Engine, *, limit: int = 50) -> list[tuple[str, str]]:
    with unit_of_work(engine) as session:
        found = outbox.due_heads(session, now=NOW, limit=limit)
        return [(message.recipient, message.payload["text"]) for message in found]


def test_each_recipient_offers_its_oldest_pending_message_in_queue_order(engine) -> None:
    for n in range(3):  # interleaved, so the oldest of each is not the lowest ids overall
        for person in ("U0CAROL", "U0ALICE", "U0BOB"):
            queue(engine, person, f"{person} {n}")
    assert heads(engine) == [
        ("U0CAROL", "U0CAROL 0"),
        ("U0ALICE", "U0ALICE 0"),
        ("U0BOB", "U0BOB 0"),
    ]
    assert heads(engine, limit=2) == [("U0CAROL", "U0CAROL 0"), ("U0ALICE", "U0ALICE 0")]


def test_a_sent_head_gives_way_and_a_waiting_head_holds_its_queue(engine) -> None:
    first = queue(engine, "U0ALICE", "alice 0")
    queue(engine, "U0ALICE", "alice 1")
    queue(engine, "U0BOB", "bob later", due=NOW + timedelta(minutes=5))  # a retry, say
    queue(engine, "U0BOB", "bob after it")
    with unit_of_work(engine) as session:
        assert outbox.claim(
            session, message_id=first, now=NOW, lease=timedelta(minutes=1), token="t"
        )
        assert outbox.mark_sent(session, message_id=first, token="t", now=NOW)
    # Alice's next one moves up; Bob's queue waits behind its head, not due yet
    assert heads(engine) == [("U0ALICE", "alice 1")]


def test_a_claimed_head_is_not_handed_out_until_its_lease_runs_out(engine) -> None:
    held = queue(engine, "U0ALICE", "alice 0")
    queue(engine, "U0ALICE", "alice 1")
    with unit_of_work(engine) as session:
        assert outbox.claim(
            session, message_id=held, now=NOW, lease=timedelta(minutes=1), token="t"
        )
    assert heads(engine) == []
    with unit_of_work(engine) as session:
        later = outbox.due_heads(session, now=NOW + timedelta(minutes=2), limit=10)
        assert [message.id for message in later] == [held]


def test_no_pending_messages_no_heads(engine) -> None:
    assert heads(engine) == []
