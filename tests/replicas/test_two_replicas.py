"""Two replicas on one database share a backlog: everything once, nothing lost, in order."""

from __future__ import annotations

import re
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime

import requests
from sqlalchemy import Engine
from sqlmodel import select

from storage.db import reading
from storage.events import iso
from storage.models import Checkin, Escalation
from tests.conftest import LEAD
from tests.replicas import seed
from tests.replicas.checks import (
    assert_delivered_exactly_once,
    channel_of,
    events_of,
    summary,
    undelivered,
)
from tests.replicas.conftest import Cluster, Replica, WatchedSlack
from tests.waiting import eventually

# Spread over many people so that no channel gets more than ~10 posts: Slack takes about one
# post a second per channel, and delivery may pace itself to that.
ITEMS, ESCALATED = 200, 10
ASSIGNEES = [f"U0W{number:02d}" for number in range(40)]  # 5 check-ins each
DELEGATORS = [f"U0D{number:02d}" for number in range(20)]
QUEUED_FOR = [f"U0Q{number:02d}" for number in range(5)]  # 5 queued messages each
NEWCOMERS = [f"U0NEW{number:02d}" for number in range(10)]
CHAINS = [[f"U0MA{k}", f"U0MB{k}", f"C0FALL{k}"] for k in range(5)]  # manager, theirs, channel


def posts_in(slack: WatchedSlack, channel: str) -> list[str]:
    return [
        str(call.params.get("text"))
        for call in slack.calls_to("chat.postMessage")
        if call.response.get("ok") is True and call.response["channel"] == channel
    ]


def latest_escalation_messages(slack: WatchedSlack, channel: str) -> list[str]:
    """Each escalation message posted in ``channel``, as its last edit left it."""
    latest: dict[str, str] = {}
    for call in slack.calls:
        if call.response.get("ok") is not True or "Escalated to you" not in str(
            call.params.get("text")
        ):
            continue
        if call.method == "chat.postMessage" and call.response["channel"] == channel:
            latest[str(call.response["ts"])] = str(call.params.get("blocks"))
        elif call.method == "chat.update" and call.params.get("channel") == channel:
            latest[str(call.params["ts"])] = str(call.params.get("blocks"))
    return list(latest.values())


def ticked(replica: Replica, what: str) -> int:
    """How many pieces of ``what`` this replica's ticks say they claimed and did."""
    found = re.findall(rf"TickReport\([^)]*\b{what}=(\d+)", replica.tail(10**6))
    return sum(int(count) for count in found)


def test_two_replicas_do_every_piece_of_due_work_exactly_once(
    cluster: Cluster, watched_slack: WatchedSlack, db: Engine
) -> None:
    slack = watched_slack
    managers = [person for chain in CHAINS for person in chain[:2]]
    for user in [*ASSIGNEES, *DELEGATORS, *QUEUED_FOR, *NEWCOMERS, *managers]:
        slack.add_user(user, tz="UTC")
    now = datetime.now(UTC)
    # The lead has used Steward before (test_first_contact.py: a person's very first lookup).
    seed.remember_people(db, [LEAD], now=now)
    slots = seed.accepted_items_due(
        db, delegators=DELEGATORS, assignees=ASSIGNEES, count=ITEMS, now=now
    )
    escalations = seed.escalations_due(
        db, delegation_ids=sorted(slots)[:ESCALATED], chains=CHAINS, now=now
    )
    # Queued before the backlog's check-ins, for people who also get check-ins.
    seed.pending_messages(db, recipients=QUEUED_FOR, per_recipient=5, now=now)
    slots.update(
        seed.accepted_items_due(
            db,
            delegators=[LEAD],
            assignees=QUEUED_FOR,
            count=len(QUEUED_FOR),
            now=now,
            task="Later task",
        )
    )

    cluster.raise_send_budget()
    first, second = cluster.replica("replica-a"), cluster.replica("replica-b")
    first.start(), second.start()  # at once: both find the whole backlog due
    first.wait_ready(), second.wait_ready()

    # Meanwhile people use Slack: /delegate alternately through each replica, four at once.
    senders = [first.sender(slack.response_url()), second.sender(slack.response_url())]

    def delegate(number: int) -> requests.Response:
        text = f"<@{NEWCOMERS[number]}> Fresh request {number:02d}"
        return senders[number % 2].command(text, user_id=LEAD)

    with ThreadPoolExecutor(max_workers=4) as pool:
        answers = list(pool.map(delegate, range(len(NEWCOMERS))))
    for number, answer in enumerate(answers):
        assert answer.status_code == 200, answer.text
        assert f"Offered to <@{NEWCOMERS[number]}>" in answer.json()["text"], answer.text

    all_items = len(slots)

    def settled() -> bool:
        with reading(db) as session:
            climbing = session.exec(select(Escalation).where(Escalation.status == "open")).all()
        sent = len(events_of(db, "checkin_sent"))
        return sent == all_items and not climbing and undelivered(db) == 0

    eventually(
        settled,
        timeout=75,
        what="every check-in, escalation step and message to be done",
        explain=lambda: f"{summary(db)}\n{cluster.explain()}",
        every=0.2,
    )
    assert_delivered_exactly_once(db, slack)  # and each channel got its posts in queued order

    # one check-in per item and slot, recorded once, sent once
    sent = events_of(db, "checkin_sent")
    assert sorted(event.delegation_id for event in sent) == sorted(slots)
    assert {event.delegation_id: event.data["slot"] for event in sent} == {
        item: iso(slot) for item, slot in slots.items()
    }
    with reading(db) as session:
        checkins = session.exec(select(Checkin)).all()
    assert Counter(checkin.delegation_id for checkin in checkins) == Counter(
        event.delegation_id for event in sent
    )
    for number in range(ITEMS):
        channel = channel_of(ASSIGNEES[number % len(ASSIGNEES)])
        task = f"Backlog task {number:03d}"
        checkin_posts = [t for t in posts_in(slack, channel) if "Check-in" in t and task in t]
        assert len(checkin_posts) == 1, (task, checkin_posts)
    for recipient in QUEUED_FOR:  # what was queued first went first
        texts = posts_in(slack, channel_of(recipient))
        assert texts[:5] == [f"Queued {n:03d} for {recipient}" for n in range(5)]
        assert len(texts) == 6 and "Check-in" in texts[5]

    # every escalation climbed through levels 2 and 3 once each, and told each level once
    steps = Counter(
        (event.data["escalation_id"], event.data["level"], event.data["to"])
        for event in events_of(db, "escalated")
    )
    assert steps == Counter(
        {(e, level, chain[level - 1]): 1 for e, chain in escalations.items() for level in (2, 3)}
    )
    # each level got one message: two escalations reaching it at once share it
    for _, manager, channel in CHAINS:
        for where in (channel_of(manager), channel):
            posts = [t for t in posts_in(slack, where) if "Escalated to you" in t]
            assert len(posts) == 1, (where, posts)
    for number in range(ESCALATED):
        task = f"Backlog task {number:03d}"
        _, manager, channel = CHAINS[number % len(CHAINS)]
        for where in (channel_of(manager), channel):
            shown = [
                blocks for blocks in latest_escalation_messages(slack, where) if task in blocks
            ]
            assert len(shown) == 1, (task, where)

    # each fresh request: one offer DM to its assignee
    for number, user in enumerate(NEWCOMERS):
        offers = [t for t in posts_in(slack, channel_of(user)) if f"request {number:02d}" in t]
        assert len(offers) == 1, (user, offers)

    # and by the replicas' own account, the claims they won add up to the work there was
    claimed = {replica.name: ticked(replica, "checkins") for replica in (first, second)}
    assert sum(claimed.values()) == all_items, claimed
    climbed = {replica.name: ticked(replica, "climbs") for replica in (first, second)}
    assert sum(climbed.values()) == 2 * ESCALATED, climbed
