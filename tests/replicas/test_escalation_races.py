"""An escalation's endings racing on two replicas: a resolve (the check-in answered On track
on one replica) against a climb (the other's tick) or an Acknowledge (clicked on the other).

Every race is held in flight by a transaction of the test's own that keeps the escalation's
row locked. PostgreSQL grants a row's waiters in the order they queued, so the order the
test lets them queue (``RowLocks.waiting``) is the order they commit. (The ticks climb as
soon as the replicas start: to queue the resolve first, the item is also held FOR SHARE.)
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine, text

from bot.slack.ids import ActionId
from bot.slack.outbox.sends import checkin_key, escalation_key
from storage.db import reading, unit_of_work
from storage.models import Checkin, Delegation, Escalation, EscalationNotice
from storage.outbox import enqueue, row
from tests.conftest import LEAD
from tests.replicas import seed
from tests.replicas.checks import assert_delivered_exactly_once, events_of, summary, undelivered
from tests.replicas.conftest import Cluster, Replica, WatchedSlack
from tests.replicas.locks import RowLocks, blocked_by
from tests.waiting import eventually

ASSIGNEE = "U0RACER"
CHAIN = ["U0RMGR1", "U0RMGR2", "C0RFALL"]  # manager, theirs, the fallback channel
RESOLVED = "Resolved: the check-in was answered."


@dataclass(frozen=True)
class Seeded:
    item: int
    checkin: int
    escalation: int


def escalated_checkin(db: Engine, *, now: datetime, step_at: datetime) -> Seeded:
    """An accepted item whose check-in went unanswered: its answer deadline passed (and was
    claimed, as the tick that started the escalation does), and an open escalation about it
    at level 1, whose next step is due at ``step_at``. The check-in and the level-1 notice
    are queued, for the replicas to deliver before anything edits them."""
    with unit_of_work(db) as session:
        item = Delegation(
            delegator_id=LEAD,
            assignee_id=ASSIGNEE,
            task="Race task",
            status="accepted",
            created_at=now - timedelta(days=2),
            updated_at=now - timedelta(days=1),
            next_checkin_at=now + timedelta(days=1),
        )
        session.add(item)
        session.flush()
        assert item.id is not None
        sent = now - timedelta(hours=5)
        checkin = Checkin(delegation_id=item.id, slot=sent, sent_at=sent, answer_deadline_at=None)
        session.add(checkin)
        escalation = Escalation(
            delegation_id=item.id,
            reason="checkin_unanswered",
            chain=CHAIN,
            level=1,
            target=CHAIN[0],
            status="open",
            started_at=now - timedelta(hours=1),
            stalled_since=sent,
            level_started_at=now - timedelta(hours=1),
            next_step_at=step_at,
        )
        session.add(escalation)
        session.flush()
        assert checkin.id is not None and escalation.id is not None
        told = escalation_key(escalation, CHAIN[0])
        notice = {"level": 1, "recipient": CHAIN[0], "message_key": told, "sent_at": now}
        session.add(EscalationNotice(escalation_id=escalation.id, **notice))
        for recipient, key, words in (
            (ASSIGNEE, checkin_key(checkin), "Check-in: Race task"),
            (CHAIN[0], told, "Escalated to you: Race task"),
        ):
            message = row(
                kind="post",
                recipient=recipient,
                payload={"text": words},
                now=now,
                delegation_id=item.id,
                message_key=key,
            )
            enqueue(session, message)
        return Seeded(item=item.id, checkin=checkin.id, escalation=escalation.id)


def prepare(slack: WatchedSlack, db: Engine, *, step_in: timedelta = timedelta(0)) -> Seeded:
    for user in (ASSIGNEE, *CHAIN[:2]):
        slack.add_user(user, tz="UTC")
    now = datetime.now(UTC)
    seed.remember_people(db, [LEAD, ASSIGNEE, *CHAIN[:2]], now=now)
    return escalated_checkin(db, now=now, step_at=now + step_in)


def start(cluster: Cluster) -> tuple[Replica, Replica]:
    first, second = cluster.replica("replica-a"), cluster.replica("replica-b")
    first.start(), second.start()
    return first.wait_ready(), second.wait_ready()


def click(replica: Replica, slack: WatchedSlack, *, user: str, action: str, value: int) -> None:
    sender = replica.sender(slack.response_url())
    channel = "D" + user[1:]  # the button on the DM the bot sent
    assert sender.click(user_id=user, action_id=action, value=str(value), channel_id=channel).ok


def answer_on_track(replica: Replica, slack: WatchedSlack, seeded: Seeded) -> None:
    click(replica, slack, user=ASSIGNEE, action=ActionId.CHECKIN_ON_TRACK, value=seeded.checkin)


def queued(lock: RowLocks, count: int, cluster: Cluster, *, what: str) -> None:
    eventually(lambda: lock.waiting() == count, what=what, explain=cluster.explain)


@contextmanager
def item_held_for_share(db: Engine, item: int) -> Iterator[int]:
    """FOR SHARE on the item's row: the climb, which first holds the item with an UPDATE,
    waits; the answer, which only writes rows referring to the item, goes by. The pid."""
    with db.connect() as connection, connection.begin():
        pid = int(connection.execute(text("SELECT pg_backend_pid()")).scalar() or 0)
        connection.execute(text("SELECT 1 FROM delegations WHERE id = :id FOR SHARE"), {"id": item})
        yield pid


def all_done(db: Engine, cluster: Cluster, seeded: Seeded) -> Escalation:
    """Once every transaction holding or queued for the item has ended (an UPDATE of it
    queues behind them all) and every message is delivered: the escalation as it ends."""
    with db.connect() as connection, connection.begin():
        connection.execute(text("SET LOCAL lock_timeout = '30s'"))
        connection.execute(
            text("SELECT 1 FROM delegations WHERE id = :id FOR UPDATE"), {"id": seeded.item}
        )

    def explain() -> str:
        return f"{summary(db)}\n{cluster.explain()}"

    eventually(lambda: undelivered(db) == 0, what="every message delivered", explain=explain)
    with reading(db) as session:
        escalation = session.get(Escalation, seeded.escalation)
    assert escalation is not None
    return escalation


def ending_events(db: Engine, seeded: Seeded) -> dict[str, list[dict[str, object]]]:
    """This escalation's climbs and endings by type, each event's data without its id."""
    return {
        kind: [
            {key: value for key, value in event.data.items() if key != "escalation_id"}
            for event in events_of(db, kind)
            if event.data["escalation_id"] == seeded.escalation
        ]
        for kind in ("escalated", "acknowledged", "escalation_resolved")
    }


def state(escalation: Escalation) -> tuple[object, ...]:
    return escalation.status, escalation.resolved_cause, escalation.level, escalation.next_step_at


def test_a_resolve_committing_first_stops_the_climb(
    cluster: Cluster, watched_slack: WatchedSlack, db: Engine
) -> None:
    seeded = prepare(watched_slack, db)  # its next level is due now
    with RowLocks(db, table="escalations", ids=[seeded.escalation]) as lock:
        with item_held_for_share(db, seeded.item) as item_lock:
            first, _ = start(cluster)
            eventually(
                lambda: blocked_by(db, item_lock) == 2,
                what="both replicas' ticks to start the climb and wait to hold the item",
                explain=cluster.explain,
            )
            answer_on_track(first, watched_slack, seeded)
            queued(lock, 1, cluster, what="the answer's resolve to wait")
        queued(lock, 3, cluster, what="both climbs to queue behind the resolve")
    escalation = all_done(db, cluster, seeded)

    events = ending_events(db, seeded)
    assert events["escalated"] == [], "the climb went ahead after the resolve"
    assert events["escalation_resolved"] == [{"cause": "checkin_answered"}]
    assert state(escalation) == ("resolved", "checkin_answered", 1, None)
    assert watched_slack.messages_in(CHAIN[1]) == []  # level 2 was never told
    (shown,) = watched_slack.messages_in(CHAIN[0])  # level 1's message, edited to say so
    assert RESOLVED in shown["text"], shown["text"]
    assert_delivered_exactly_once(db, watched_slack)


def test_a_climb_committing_first_stands_and_the_resolve_then_ends_it(
    cluster: Cluster, watched_slack: WatchedSlack, db: Engine
) -> None:
    seeded = prepare(watched_slack, db)
    with RowLocks(db, table="escalations", ids=[seeded.escalation]) as lock:
        _, second = start(cluster)
        # one holds the item and waits on the escalation, the other waits on the item
        queued(lock, 2, cluster, what="both replicas' climbs to wait")
        answer_on_track(second, watched_slack, seeded)
        queued(lock, 3, cluster, what="the answer's resolve to queue behind the climb")
    escalation = all_done(db, cluster, seeded)

    events = ending_events(db, seeded)
    assert [(e["level"], e["to"], e["reason"]) for e in events["escalated"]] == [
        (2, CHAIN[1], "unacknowledged")
    ]
    assert events["escalation_resolved"] == [{"cause": "checkin_answered"}]
    (climbed,), (ended,) = events_of(db, "escalated"), events_of(db, "escalation_resolved")
    assert climbed.id is not None and ended.id is not None and climbed.id < ended.id
    assert state(escalation) == ("resolved", "checkin_answered", 2, None)
    # the level-2 message, posted by the climb, was edited by the resolve to say so
    (told,) = watched_slack.messages_in(CHAIN[1])
    assert RESOLVED in told["text"], told["text"]
    edits = [c for c in watched_slack.calls_to("chat.update") if c.params.get("ts") == told["ts"]]
    assert edits and RESOLVED in str(edits[-1].params.get("text"))
    assert_delivered_exactly_once(db, watched_slack)


@pytest.mark.parametrize("first", ["acknowledge", "answer"])
def test_an_acknowledgement_and_a_resolve_racing_end_it_once(
    first: str, cluster: Cluster, watched_slack: WatchedSlack, db: Engine
) -> None:
    seeded = prepare(watched_slack, db, step_in=timedelta(hours=1))  # no climb meanwhile
    one, other = start(cluster)
    clicks = {
        "acknowledge": lambda: click(
            one, watched_slack, user=CHAIN[0], action=ActionId.ACKNOWLEDGE, value=seeded.escalation
        ),
        "answer": lambda: answer_on_track(other, watched_slack, seeded),
    }
    with RowLocks(db, table="escalations", ids=[seeded.escalation]) as lock:
        order = [first, *(name for name in clicks if name != first)]
        for count, name in enumerate(order, start=1):
            clicks[name]()
            queued(lock, count, cluster, what=f"{name} to wait on the escalation")

    def refusals() -> list[str]:
        return [str(r.get("text")) for r in watched_slack.snapshot()[1]]

    eventually(
        lambda: ending_events(db, seeded)["acknowledged"] or refusals(),
        what="the acknowledgement to be recorded or refused",
        explain=cluster.explain,
    )
    escalation = all_done(db, cluster, seeded)

    events = ending_events(db, seeded)
    acked, resolved = events["acknowledged"], events["escalation_resolved"]
    assert len(acked) + len(resolved) == 1, events  # one ending, never both
    assert state(escalation) == ("resolved", "checkin_answered", 1, None)
    (message,) = watched_slack.messages_in(CHAIN[0])
    shown = str(message["text"])
    if first == "acknowledge":  # picked up; the answer then ended it quietly
        assert acked == [{"level": 1}]
        assert escalation.acknowledged_by == CHAIN[0] and not refusals()
        assert f"<@{CHAIN[0]}> picked this up; since resolved" in shown, shown
    else:  # resolved; the acknowledgement refused, privately
        assert resolved == [{"cause": "checkin_answered"}]
        assert escalation.acknowledged_by is None
        assert refusals() == ["This escalation is already resolved: the check-in was answered."]
        assert RESOLVED in shown, shown
    assert_delivered_exactly_once(db, watched_slack)
