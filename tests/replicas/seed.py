"""Due work written straight into the database, as a backlog left by downtime would be."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import Engine

from storage.db import unit_of_work
from storage.models import Delegation, Escalation, SlackUser
from storage.outbox import enqueue, row


def remember_people(engine: Engine, user_ids: Sequence[str], *, now: datetime) -> None:
    """What users.info would have told Steward already (UTC, fresh): no lookup needed."""
    with unit_of_work(engine) as session:
        for user_id in user_ids:
            session.add(SlackUser(user_id=user_id, name=user_id.lower(), tz="UTC", fetched_at=now))


def accepted_items_due(
    engine: Engine,
    *,
    delegators: Sequence[str],
    assignees: Sequence[str],
    count: int,
    now: datetime,
    task: str = "Backlog task",
) -> dict[int, datetime]:
    """``count`` accepted items whose next check-in is already past, spread round-robin over
    ``delegators`` and ``assignees``; {delegation id: the slot due}."""
    slots: dict[int, datetime] = {}
    with unit_of_work(engine) as session:
        items = []
        for number in range(count):
            slot = now - timedelta(minutes=30) + timedelta(seconds=number)
            item = Delegation(
                delegator_id=delegators[number % len(delegators)],
                assignee_id=assignees[number % len(assignees)],
                task=f"{task} {number:03d}",
                status="accepted",
                created_at=now - timedelta(days=2),
                updated_at=now - timedelta(days=1),
                next_checkin_at=slot,
            )
            session.add(item)
            items.append((item, slot))
        session.flush()
        for item, slot in items:
            assert item.id is not None
            slots[item.id] = slot
    return slots


def escalations_due(
    engine: Engine,
    *,
    delegation_ids: Sequence[int],
    chains: Sequence[Sequence[str]],
    now: datetime,
) -> dict[int, list[str]]:
    """An open escalation at level 1 on each item (chains taken round-robin), its level-1
    timeout already past: each must climb to every further level exactly once.
    {escalation id: its chain}."""
    with unit_of_work(engine) as session:
        rows = []
        for number, delegation_id in enumerate(delegation_ids):
            chain = chains[number % len(chains)]
            row = Escalation(
                delegation_id=delegation_id,
                reason="overdue",
                chain=list(chain),
                level=1,
                target=chain[0],
                status="open",
                started_at=now - timedelta(hours=1),
                stalled_since=now - timedelta(hours=2),
                level_started_at=now - timedelta(hours=1),
                next_step_at=now - timedelta(minutes=1),
            )
            session.add(row)
            rows.append(row)
        session.flush()
        return {row.id: row.chain for row in rows if row.id is not None}


def pending_messages(
    engine: Engine, *, recipients: Sequence[str], per_recipient: int, now: datetime
) -> list[int]:
    """Messages queued but never delivered, interleaved across recipients; outbox ids."""
    ids = []
    with unit_of_work(engine) as session:
        for number in range(per_recipient):
            for recipient in recipients:
                message = row(
                    kind="post",
                    recipient=recipient,
                    payload={"text": f"Queued {number:03d} for {recipient}"},
                    now=now - timedelta(minutes=5),
                )
                message_id = enqueue(session, message)
                ids.append(message_id)
    return ids
