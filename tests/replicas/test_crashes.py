"""SIGKILL with work in flight: a restart (or the other replica) finishes it, once.

The one duplicate allowed is the documented at-least-once window: a message whose Slack call
succeeded but whose "sent" was never committed goes again when its lease runs out. The
replicas here run with a 3 s lease (tests/replicas/short_lease.py) instead of ten minutes.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import UTC, datetime

import requests
from sqlalchemy import Engine, func
from sqlmodel import col, select

from bot.slack.ids import ActionId
from storage.db import reading
from storage.events import iso
from storage.models import Checkin, Delegation, OutboxMessage
from tests.conftest import LEAD
from tests.replicas import seed
from tests.replicas.checks import (
    assert_delivered_exactly_once,
    channel_of,
    events_of,
    in_flight,
    seen_at_slack,
    summary,
    undelivered,
)
from tests.replicas.conftest import Cluster, WatchedSlack
from tests.replicas.locks import RowLocks
from tests.waiting import eventually

LEASE_SECONDS = 3.0
ASSIGNEES = [f"U0W{number:02d}" for number in range(40)]  # at most ~5 posts a channel


def count(db: Engine, model: type, *where: object) -> int:
    with reading(db) as session:
        return int(session.exec(select(func.count()).select_from(model).where(*where)).one())


def queued(db: Engine, *, kind: str, recipient: str | None = None) -> list[str]:
    """The texts of the outbox messages of this kind (to this recipient), oldest first."""
    with reading(db) as session:
        statement = select(OutboxMessage).where(OutboxMessage.kind == kind)
        if recipient is not None:
            statement = statement.where(OutboxMessage.recipient == recipient)
        rows = session.exec(statement.order_by(col(OutboxMessage.id))).all()
    return [str(row.payload.get("text")) for row in rows]


def all_delivered(db: Engine) -> Callable[[], bool]:
    return lambda: undelivered(db) == 0


def test_killed_mid_tick_the_restart_sends_every_checkin_once(
    cluster: Cluster, watched_slack: WatchedSlack, db: Engine
) -> None:
    items = 120
    for user in ASSIGNEES:
        watched_slack.add_user(user, tz="UTC")
    slots = seed.accepted_items_due(
        db, delegators=[LEAD], assignees=ASSIGNEES, count=items, now=datetime.now(UTC)
    )
    # A slow transaction elsewhere holds one item half-way through the backlog: replica A's
    # first tick sends the check-ins before it, then waits on it, and is killed there.
    cluster.raise_send_budget()
    stuck = sorted(slots)[items // 2]
    with RowLocks(db, table="delegations", ids=[stuck]) as lock:
        first = cluster.replica("replica-a", lease_seconds=LEASE_SECONDS).start()
        eventually(
            lambda: lock.waiting() and count(db, Checkin) == items // 2,
            timeout=30,
            what="replica A's tick to wait on the locked item",
            explain=lambda: f"{summary(db)}\n{cluster.explain()}",
        )
        first.kill()
    claimed = in_flight(db)
    done = count(db, Checkin)
    assert done == items // 2

    # Each check-in is all or nothing: rescheduled, recorded, its event and its DM queued.
    assert len(events_of(db, "checkin_sent")) == done
    assert count(db, OutboxMessage, col(OutboxMessage.message_key).like("checkin:%")) == done
    still_due = count(db, Delegation, col(Delegation.next_checkin_at) < datetime.now(UTC))
    assert still_due == items - done

    second = cluster.replica("replica-b", lease_seconds=LEASE_SECONDS).start()
    eventually(
        lambda: len(events_of(db, "checkin_sent")) == items and undelivered(db) == 0,
        timeout=45,
        what="every check-in to be sent after the restart",
        explain=lambda: f"{summary(db)}\n{cluster.explain()}",
        every=0.2,
    )
    assert second.running
    sent = events_of(db, "checkin_sent")
    assert sorted(event.delegation_id for event in sent) == sorted(slots)
    assert {event.delegation_id: event.data["slot"] for event in sent} == {
        item: iso(slot) for item, slot in slots.items()
    }
    assert_delivered_exactly_once(db, watched_slack, may_repeat=claimed)


def test_killed_mid_delivery_the_other_replica_takes_over_after_the_lease(
    cluster: Cluster, watched_slack: WatchedSlack, db: Engine
) -> None:
    slack = watched_slack
    recipients = ASSIGNEES[:6]
    for user in recipients:
        slack.add_user(user, tz="UTC")
    seed.pending_messages(db, recipients=recipients, per_recipient=5, now=datetime.now(UTC))
    slack.delay_next("chat.postMessage", 1.0, times=4)  # Slack is slow for a moment

    first = cluster.replica("replica-a", lease_seconds=LEASE_SECONDS).start()
    second = cluster.replica("replica-b", lease_seconds=LEASE_SECONDS).start()
    # Each replica delivers one message at a time: two in flight means each has one.
    eventually(
        lambda: slack.in_flight("chat.postMessage") == 2,
        timeout=30,
        what="both replicas to be waiting on Slack",
        explain=cluster.explain,
        every=0.01,
    )
    first.kill()
    claimed = in_flight(db)
    assert claimed, "nothing was in flight"

    eventually(
        all_delivered(db),
        timeout=30,
        what="the other replica to deliver everything",
        explain=lambda: f"{summary(db)}\n{cluster.explain()}",
        every=0.1,
    )
    first.start().wait_ready()  # the restarted replica finds nothing left to send
    assert second.running
    assert_delivered_exactly_once(db, slack, may_repeat=claimed)
    # The killed replica's post had reached Slack, but its "sent" never got committed: it is
    # the one message that went twice, once its lease ran out.
    seen = seen_at_slack(slack)
    twice = {key for key in seen if seen.count(key) == 2}
    assert len(twice) == 1 and len(seen) == 31, twice
    for recipient in recipients:
        texts = [text for kind, where, text in seen if where == channel_of(recipient)]
        expected = [f"Queued {number:03d} for {recipient}" for number in range(5)]
        assert list(dict.fromkeys(texts)) == expected


def test_killed_mid_request_nothing_is_half_done(
    cluster: Cluster, watched_slack: WatchedSlack, db: Engine
) -> None:
    slack = watched_slack
    newcomers = [f"U0NEW{number:02d}" for number in range(24)]
    for user in newcomers:
        slack.add_user(user, tz="UTC")
    seed.remember_people(db, [LEAD], now=datetime.now(UTC))
    first = cluster.replica("replica-a", lease_seconds=LEASE_SECONDS).start()
    second = cluster.replica("replica-b", lease_seconds=LEASE_SECONDS).start()
    first.wait_ready(), second.wait_ready()
    # Looking a new person up takes a while: requests pile up inside replica A.
    slack.delay_next("users.info", 0.4, times=len(newcomers))
    sender = first.sender(slack.response_url())

    def delegate(number: int) -> requests.Response:
        return sender.command(f"<@{newcomers[number]}> Crash request {number:02d}", user_id=LEAD)

    with ThreadPoolExecutor(max_workers=8) as pool:
        futures = [pool.submit(delegate, number) for number in range(len(newcomers))]
        eventually(
            lambda: sum(f.done() for f in futures) >= 4 and slack.in_flight("users.info") >= 2,
            timeout=30,
            what="requests answered and others still in flight",
            explain=cluster.explain,
            every=0.01,
        )
        first.kill()
    claimed = in_flight(db)
    answered = [number for number, f in enumerate(futures) if confirmed(f, newcomers[number])]
    lost = [number for number in range(len(newcomers)) if number not in answered]
    assert answered and lost, (answered, lost)

    with reading(db) as session:
        tasks = [row.task for row in session.exec(select(Delegation)).all()]
    for number in answered:  # confirmed to the user: created, exactly once
        assert tasks.count(f"Crash request {number:02d}") == 1
    for number in lost:  # the connection dropped: created entirely or not at all
        assert tasks.count(f"Crash request {number:02d}") <= 1
    assert len(events_of(db, "created")) == len(tasks)

    eventually(
        all_delivered(db),
        timeout=30,
        what="the other replica to deliver the offers",
        explain=lambda: f"{summary(db)}\n{cluster.explain()}",
        every=0.1,
    )
    for number, user in enumerate(newcomers):
        offers = queued(db, kind="post", recipient=user)
        assert len(offers) == tasks.count(f"Crash request {number:02d}"), (user, offers)
    assert_delivered_exactly_once(db, slack, may_repeat=claimed)


def confirmed(future: Future[requests.Response], assignee: str) -> bool:
    if future.exception() is not None:
        return False
    response = future.result()
    return response.status_code == 200 and f"Offered to <@{assignee}>" in response.text


def test_accept_clicked_twice_across_replicas_and_a_crash_counts_once(
    cluster: Cluster, watched_slack: WatchedSlack, db: Engine
) -> None:
    slack = watched_slack
    people = [f"U0ACC{number:02d}" for number in range(20)]
    leads = [f"U0LD{number:02d}" for number in range(20)]  # each told of one acceptance
    for user in [*people, *leads]:
        slack.add_user(user, tz="UTC")
    seed.remember_people(db, [*leads, *people], now=datetime.now(UTC))
    first = cluster.replica("replica-a", lease_seconds=LEASE_SECONDS).start()
    second = cluster.replica("replica-b", lease_seconds=LEASE_SECONDS).start()
    first.wait_ready(), second.wait_ready()
    to_first, to_second = (
        first.sender(slack.response_url()),
        second.sender(slack.response_url()),
    )
    for number, user in enumerate(people):
        answer = to_second.command(f"<@{user}> Click task {number:02d}", user_id=leads[number])
        assert "Offered to" in answer.text, answer.text
    eventually(
        all_delivered(db),
        timeout=30,
        what="the offers to be delivered",
        explain=cluster.explain,
        every=0.1,
    )
    with reading(db) as session:
        ids = {row.assignee_id: row.id for row in session.exec(select(Delegation)).all()}

    def click(sender_index: int, user: str) -> requests.Response:
        sender = (to_first, to_second)[sender_index]
        return sender.click(user_id=user, action_id=ActionId.ACCEPT, value=str(ids[user]))

    # The same Accept on both replicas, for the first half of the items: held back by a lock
    # until all of them are waiting, so that each pair really writes at the same moment...
    racing = people[:10]
    with RowLocks(db, table="delegations", ids=[ids[user] for user in racing]) as lock:
        with ThreadPoolExecutor(max_workers=8) as pool:
            pairs = [(replica, user) for user in racing for replica in (0, 1)]
            acks = list(pool.map(lambda pair: click(*pair), pairs))
        assert all(ack.status_code == 200 for ack in acks)
        eventually(
            lambda: lock.waiting() == len(pairs),
            timeout=30,
            what="both replicas to be writing every racing item",
            explain=cluster.explain,
        )
    eventually(
        lambda: len(events_of(db, "accepted")) == len(racing),
        timeout=30,
        what="the racing items to be accepted",
        explain=cluster.explain,
    )
    # ...and for the second half, sent to replica A, which is killed as it works through
    # them: it has acked every click, accepted some, and is writing the others (a slow
    # transaction elsewhere holds their rows) when it dies.
    crashing = people[10:]
    held = [ids[user] for user in crashing[::2]]
    with RowLocks(db, table="delegations", ids=held) as lock:
        with ThreadPoolExecutor(max_workers=8) as pool:
            acks = list(pool.map(lambda user: click(0, user), crashing))
        assert all(ack.status_code == 200 for ack in acks)
        eventually(
            lambda: (
                lock.waiting() == len(held)
                and len(events_of(db, "accepted")) == len(racing) + len(crashing) - len(held)
            ),
            timeout=30,
            what="replica A to accept the others and wait on the held items",
            explain=lambda: f"{summary(db)}\n{cluster.explain()}",
        )
        first.kill()
    claimed = in_flight(db)
    accepted_at_kill = len(events_of(db, "accepted"))
    # Then everyone clicks again (a person whose click went unanswered does), on B.
    for user in people:
        assert click(1, user).status_code == 200
    first.start().wait_ready()
    eventually(
        lambda: len(events_of(db, "accepted")) == len(people) and undelivered(db) == 0,
        timeout=30,
        what="every item to be accepted and every message delivered",
        explain=lambda: f"{summary(db)}\n{cluster.explain()}",
        every=0.1,
    )
    assert accepted_at_kill == len(people) - len(held)  # what A was writing died with it

    accepted = events_of(db, "accepted")
    assert sorted(event.delegation_id for event in accepted) == sorted(ids.values())
    for number, user in enumerate(people):  # one "accepted" to the lead, one offer edited
        task = f"Click task {number:02d}"
        told = queued(db, kind="post", recipient=leads[number])
        assert len(told) == 1 and task in told[0] and "accepted" in told[0], told
        assert len([t for t in queued(db, kind="update", recipient=user) if task in t]) == 1
    # every other click was told privately that nothing changed: the racing pairs' losers,
    # and the second round's clicks on items accepted before it
    refused = [t for t in queued(db, kind="respond") if "Nothing changed" in t]
    assert len(refused) == len(racing) + accepted_at_kill
    assert_delivered_exactly_once(db, slack, may_repeat=claimed)
