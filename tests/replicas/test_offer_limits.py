"""The offer limit holds across replicas: two offers by one person racing on two replicas
when one place is left make exactly one offer. The test's own transaction holds the
person's offer lock, as a third replica's offer in progress would, until both replicas'
requests are waiting on it, so the two counts cannot help but meet."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine, text
from sqlmodel import Session

from bot.config.settings import Policy
from storage.db import unit_of_work
from storage.enums import EventType
from storage.events import record_event
from storage.offers import lock_offers_by
from tests.conftest import ALICE, BOB, LEAD
from tests.replicas.checks import events_of
from tests.replicas.conftest import Cluster, WatchedSlack
from tests.replicas.locks import blocked_by
from tests.waiting import eventually

LIMIT = Policy().max_new_offers_per_hour


def test_two_replicas_never_both_pass_the_hourly_offer_limit(
    cluster: Cluster, watched_slack: WatchedSlack, db: Engine
) -> None:
    with unit_of_work(db) as session:  # the lead's offers of the last hour, but one
        for number in range(LIMIT - 1):
            at = datetime.now(UTC) - timedelta(minutes=30, seconds=number)
            data = {"delegator": LEAD, "assignee": f"U0EARLY{number:02d}"}
            record_event(
                session, delegation_id=None, type=EventType.CREATED, actor=LEAD, at=at, data=data
            )
    replicas = [cluster.replica("replica-a").start(), cluster.replica("replica-b").start()]
    senders = [replica.wait_ready().sender(watched_slack.response_url()) for replica in replicas]

    with Session(db) as held, ThreadPoolExecutor(max_workers=2) as pool:
        lock_offers_by(held, delegator_id=LEAD)
        pid = int(held.execute(text("SELECT pg_backend_pid()")).scalar() or 0)
        sent = [
            pool.submit(sender.command, f"<@{assignee}> The last one", user_id=LEAD)
            for sender, assignee in zip(senders, (ALICE, BOB), strict=True)
        ]
        eventually(
            lambda: blocked_by(db, pid) == 2,
            what="both replicas to wait for the lead's offer lock",
            explain=cluster.explain,
        )
        held.rollback()
        answers = [future.result(timeout=20).json()["text"] for future in sent]

    offered = [answer for answer in answers if "Offered to" in answer]
    refused = [answer for answer in answers if f"You have made {LIMIT} new offers" in answer]
    assert (len(offered), len(refused)) == (1, 1), answers
    assert len([e for e in events_of(db, "created") if e.delegation_id is not None]) == 1
