"""A person Steward has never seen, remembered by two replicas at the same moment.

Each replica remembers what Slack said of a person (``slack_users``) the first time it needs
them: a ``users.info`` lookup on a request, a ``conversations.open`` when delivering. Two
replicas (or two requests) doing so for the same new person race to insert the same row.
Here the test's own transaction plays the other replica: it inserts the row with Steward's
own query and commits only once the replica under test is waiting on it, which makes the
race happen every time instead of once in a while.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from datetime import UTC, datetime

from sqlalchemy import Engine, text
from sqlmodel import Session

from storage.slack_cache import save_user
from tests.replicas import seed
from tests.replicas.checks import assert_delivered_exactly_once, outbox, undelivered
from tests.replicas.conftest import Cluster, WatchedSlack
from tests.replicas.locks import blocked_by
from tests.waiting import eventually

NEWCOMER, ASSIGNEE = "U0FIRST", "U0TEAM1"


@contextmanager
def remembered_elsewhere(db: Engine, user_id: str) -> Iterator[Callable[[], int]]:
    """Another replica remembering ``user_id``: its row inserted and not yet committed; it
    commits when the block ends. Yields how many are waiting on that row."""
    with Session(db) as session:
        save_user(
            session,
            user_id=user_id,
            name=user_id.lower(),
            tz="UTC",
            is_bot=False,
            deleted=False,
            fetched_at=datetime.now(UTC),
        )
        pid = int(session.execute(text("SELECT pg_backend_pid()")).scalar() or 0)
        yield lambda: blocked_by(db, pid)
        session.commit()


def test_a_request_from_a_person_another_replica_is_remembering_succeeds(
    cluster: Cluster, watched_slack: WatchedSlack, db: Engine
) -> None:
    for user in (NEWCOMER, ASSIGNEE):
        watched_slack.add_user(user, tz="UTC")
    seed.remember_people(db, [ASSIGNEE], now=datetime.now(UTC))  # only the delegator is new
    replica = cluster.replica("replica-a").start().wait_ready()
    sender = replica.sender(watched_slack.response_url())
    with ThreadPoolExecutor(max_workers=1) as pool:
        with remembered_elsewhere(db, NEWCOMER) as waiting:
            request = pool.submit(sender.command, f"<@{ASSIGNEE}> Hello", user_id=NEWCOMER)
            eventually(waiting, timeout=20, what="the replica to wait on the row")
        answer = request.result(timeout=20)
    assert f"Offered to <@{ASSIGNEE}>" in answer.text, answer.text


def test_a_message_to_a_person_another_replica_is_remembering_is_delivered(
    cluster: Cluster, watched_slack: WatchedSlack, db: Engine
) -> None:
    watched_slack.add_user(NEWCOMER, tz="UTC")
    seed.pending_messages(db, recipients=[NEWCOMER], per_recipient=1, now=datetime.now(UTC))
    with remembered_elsewhere(db, NEWCOMER) as waiting:
        cluster.replica("replica-a").start()
        eventually(waiting, timeout=20, what="delivery to wait on the row")
    eventually(
        lambda: undelivered(db) == 0 or any(m.status == "parked" for m in outbox(db)),
        timeout=30,
        what="the message to be delivered or given up",
        explain=cluster.explain,
    )
    assert_delivered_exactly_once(db, watched_slack)
