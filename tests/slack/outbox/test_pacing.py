"""Delivery paces itself to Slack's rate limits: a second's rest per channel between posts,
a workspace-wide budget shared by replicas, and a 429's Retry-After honoured as a pause."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from bot.app.clocks import ManualClock, SystemClock
from bot.app.wiring import delivery_client
from bot.config.settings import ConfigError, policy_from_mapping
from bot.slack.outbox.delivery import Delivery
from bot.slack.outbox.pacing import Pacer, PacingPolicy
from sandbox.emulator import SlackEmulator
from storage import outbox
from storage.db import make_engine, unit_of_work
from storage.models import OutboxMessage
from storage.outbox import HOME, HOME_QUEUE, POST, RESPOND, UPDATE
from tests.conftest import ALICE, BOB, CAROL, settings_for

TICK = timedelta(milliseconds=10)


def worker(
    engine: Engine,
    slack: SlackEmulator,
    database_url: str,
    clock: ManualClock,
    *,
    per_second: float = 20,
    pace_clock: SystemClock | None = None,
) -> Delivery:
    return Delivery(
        engine=engine,
        client=delivery_client(settings_for(slack, database_url)),
        clock=clock,
        pacing=PacingPolicy(per_second=per_second),
        pace_clock=pace_clock,
        poll_seconds=0.2,
    )


def queue(
    engine: Engine,
    clock: ManualClock,
    recipient: str,
    text: str,
    *,
    kind: str = POST,
    key: str = "",
) -> None:
    with unit_of_work(engine) as session:
        message = outbox.row(
            kind=kind,
            recipient=recipient,
            payload={"text": text, "blocks": []},
            now=clock.now(),
            message_key=key or None,
        )
        outbox.enqueue(session, message)


def posted(slack: SlackEmulator, recipient: str | None = None) -> list[str]:
    channel = slack.dm_channel_for(recipient) if recipient and recipient[0] == "U" else recipient
    return [
        call.params["text"]
        for call in slack.calls_to("chat.postMessage")
        if call.response.get("ok") and (channel is None or call.params["channel"] == channel)
    ]


def rows(engine: Engine) -> list[OutboxMessage]:
    with Session(engine) as session:
        return list(session.exec(select(OutboxMessage).order_by(col(OutboxMessage.id))).all())


def run(
    workers: list[Delivery], clock: ManualClock, seconds: float, step: timedelta = TICK
) -> None:
    """Let ``seconds`` of fake time pass in steps, every worker making a pass at each."""
    for _ in range(round(seconds / step.total_seconds())):
        for delivery in workers:
            delivery.deliver_due()
        clock.advance(step)


def test_a_channel_gets_one_post_a_second_after_a_short_burst(
    engine, slack, clock, database_url
) -> None:
    delivery = worker(engine, slack, database_url, clock)
    for n in range(5):
        queue(engine, clock, ALICE, f"alice {n}")
    queue(engine, clock, BOB, "bob 0")
    while delivery.deliver_due():
        pass
    assert posted(slack, ALICE) == ["alice 0", "alice 1", "alice 2"]  # a burst of three
    assert posted(slack, BOB) == ["bob 0"]
    clock.advance(timedelta(milliseconds=990))
    assert delivery.deliver_due() == 0  # then Alice's channel gets one a second
    clock.advance(timedelta(milliseconds=10))
    assert delivery.deliver_due() == 1
    assert delivery.deliver_due() == 0
    run([delivery], clock, 1.01)
    assert posted(slack, ALICE) == [f"alice {n}" for n in range(5)]
    run([delivery], clock, 3.0)  # a quiet spell: a burst is allowed again
    for n in range(5, 8):
        queue(engine, clock, ALICE, f"alice {n}")
    while delivery.deliver_due():
        pass
    assert posted(slack, ALICE)[5:] == ["alice 5", "alice 6", "alice 7"]


def test_a_persons_app_home_is_published_at_most_once_a_gap(
    engine, slack, clock, database_url
) -> None:
    """A burst of changes to someone's items is one publish per ``home_gap``, showing the
    latest state; other people's Homes and the person's own DMs are not held up by it."""
    delivery = worker(engine, slack, database_url, clock)
    gap = PacingPolicy().home_gap

    def published(user: str) -> int:
        return len([c for c in slack.calls_to("views.publish") if c.params["user_id"] == user])

    queue(engine, clock, HOME_QUEUE + ALICE, "refresh 0", kind=HOME)
    while delivery.deliver_due():
        pass
    for n in range(1, 20):  # changes keep coming while the first publish is fresh
        queue(engine, clock, HOME_QUEUE + ALICE, f"refresh {n}", kind=HOME)
        run([delivery], clock, 0.05)
    queue(engine, clock, HOME_QUEUE + BOB, "bob's refresh", kind=HOME)
    queue(engine, clock, ALICE, "a DM to alice")
    while delivery.deliver_due():
        pass
    assert published(ALICE) == 1  # 0.95 s on: still within her Home's gap
    assert published(BOB) == 1
    assert posted(slack, ALICE) == ["a DM to alice"]
    run([delivery], clock, gap.total_seconds() - 0.96)
    assert published(ALICE) == 1
    run([delivery], clock, 0.02)
    assert published(ALICE) == 2  # one publish stood for the 19 refreshes
    assert [r.status for r in rows(engine) if r.kind == HOME] == ["sent"] * 21
    run([delivery], clock, 2 * gap.total_seconds())
    assert published(ALICE) == 2


def test_delivery_comes_back_when_a_homes_gap_ends(engine, slack, clock, database_url) -> None:
    """A refresh held by its Home's gap is not polled for: the pass says when it may go."""
    delivery = worker(engine, slack, database_url, clock)
    queue(engine, clock, HOME_QUEUE + ALICE, "refresh 0", kind=HOME)
    while delivery.deliver_due():
        pass
    queue(engine, clock, HOME_QUEUE + ALICE, "refresh 1", kind=HOME)
    pacer = Pacer(policy=PacingPolicy(), clock=clock)
    with Session(engine) as session:
        assert pacer.due_heads(session, now=clock.now(), limit=10) == []
    assert pacer.wait_seconds(60) == pytest.approx(PacingPolicy().home_gap.total_seconds())


def test_unpaced_delivery_sends_a_channels_backlog_at_once(
    engine, slack, clock, database_url
) -> None:
    """``slack_pacing = false`` (the sandbox's emulator): no channel second, no budget; the
    test above shows the same kind of backlog paced, three at once."""
    delivery_unpaced = Delivery(
        engine=engine,
        client=delivery_client(settings_for(slack, database_url)),
        clock=clock,
        pacing=PacingPolicy.configured(per_second=10, paced=False),
        poll_seconds=0.2,
    )
    for n in range(30):
        queue(engine, clock, ALICE, f"alice {n}")
    while delivery_unpaced.deliver_due():
        pass
    assert posted(slack, ALICE) == [f"alice {n}" for n in range(30)]
    assert slack.rate_limited == 0


def test_the_pacing_switch_is_a_policy_key() -> None:
    assert policy_from_mapping({}).slack_pacing is True
    assert policy_from_mapping({"policy": {"slack_pacing": False}}).slack_pacing is False
    with pytest.raises(ConfigError, match="slack_pacing must be true or false"):
        policy_from_mapping({"policy": {"slack_pacing": "no"}})


def test_an_edit_does_not_wait_for_the_channel_to_rest(engine, slack, clock, database_url) -> None:
    delivery = worker(engine, slack, database_url, clock)
    queue(engine, clock, ALICE, "offer", key="k1")
    queue(engine, clock, ALICE, "accepted", kind=UPDATE, key="k1")
    while delivery.deliver_due():
        pass
    assert slack.messages_in(ALICE)[0]["text"] == "accepted"  # the rule is about posts


def test_the_workspace_budget_spaces_sends_across_replicas(
    engine, slack, clock, database_url
) -> None:
    replicas = [worker(engine, slack, database_url, clock, per_second=10) for _ in range(3)]
    for n in range(30):
        queue(engine, clock, f"C0CH{n:03d}", f"message {n}")
    sent = []
    for _ in range(3):
        run(replicas, clock, 1.0, step=timedelta(milliseconds=50))
        sent.append(len(posted(slack)))
    # All replicas together: half a second's budget at once (5), then one every 0.1 s,
    # and never more than 10 in any one second
    assert sent == [10, 20, 30]
    assert sorted(posted(slack)) == sorted(f"message {n}" for n in range(30))
    assert {row.status for row in rows(engine)} == {"sent"}


def test_order_per_recipient_is_kept_and_nothing_is_lost(
    engine, slack, clock, database_url
) -> None:
    replicas = [worker(engine, slack, database_url, clock, per_second=50) for _ in range(2)]
    people = [ALICE, BOB, CAROL]
    for n in range(5):
        for person in people:
            queue(engine, clock, person, f"{person} {n}")
    for n in range(20):
        queue(engine, clock, f"C0CH{n:03d}", f"channel {n}")
    slack.fail_next("chat.postMessage", error="internal_error")  # one attempt fails for now
    run(replicas, clock, 8.0, step=timedelta(milliseconds=100))
    for person in people:
        assert posted(slack, person) == [f"{person} {n}" for n in range(5)]
    assert len(posted(slack)) == 35  # every message once: no loss, no duplicate
    assert {row.status for row in rows(engine)} == {"sent"}


def test_a_429_pauses_that_kind_of_send_on_every_replica(
    engine, slack, clock, database_url
) -> None:
    first, second = (worker(engine, slack, database_url, clock) for _ in range(2))
    queue(engine, clock, ALICE, "offer", key="k1")
    assert first.deliver_due() == 1
    clock.advance(timedelta(seconds=1))
    slack.fail_next("chat.postMessage", status=429, retry_after=3)
    queue(engine, clock, BOB, "for bob")
    queue(engine, clock, ALICE, "accepted", kind=UPDATE, key="k1")
    assert first.deliver_due() == 2  # Bob's post is refused and put back; the edit goes
    assert slack.messages_in(ALICE)[0]["text"] == "accepted"
    bob = rows(engine)[1]
    assert (bob.status, bob.attempts, bob.last_error) == (
        "pending",
        0,
        "ratelimited (chat.postMessage)",
    )
    clock.advance(timedelta(milliseconds=2990))
    assert second.deliver_due() == 0  # the other replica holds off too
    assert first.deliver_due() == 0
    clock.advance(timedelta(milliseconds=10))
    assert second.deliver_due() == 1
    assert posted(slack, BOB) == ["for bob"]
    statuses = [call.status for call in slack.calls_to("chat.postMessage")]
    assert statuses == [200, 429, 200]  # asked once, waited, asked again: no hammering


def test_sends_outside_the_budget_go_on_once_it_is_spent(
    engine, slack, clock, database_url
) -> None:
    delivery = worker(engine, slack, database_url, clock, per_second=10)
    for n in range(7):
        queue(engine, clock, f"C0CH{n}", f"message {n}")
    with unit_of_work(engine) as session:
        payload = {"response_url": slack.response_url("r1"), "text": "only you see this"}
        reply = outbox.row(kind=RESPOND, recipient=BOB, payload=payload, now=clock.now())
        outbox.enqueue(session, reply)
    assert delivery.deliver_due() == 6  # five posts spend the budget; the reply still goes
    assert len(posted(slack)) == 5
    assert [response["text"] for response in slack.responses] == ["only you see this"]


def test_the_loop_sleeps_until_the_next_slot_not_a_whole_poll(
    engine, slack, clock, database_url
) -> None:
    delivery = worker(engine, slack, database_url, clock, per_second=10)
    for n in range(6):
        queue(engine, clock, f"C0CH{n}", f"message {n}")
    assert delivery.deliver_due() == 5
    assert delivery.deliver_due() == 0  # the budget is spent for 0.1 s
    assert delivery._pacer.wait_seconds(5.0) == pytest.approx(0.1)


# -- against the double enforcing Slack's limits, in real time ---------------------------------


def deliver_all(
    workers: list[Delivery], engine: Engine, count: int, timeout: float = 10.0
) -> float:
    """Run the delivery threads until ``count`` messages are sent; how long it took."""
    started = time.monotonic()
    for delivery in workers:
        delivery.start()
    try:
        while sum(row.status == "sent" for row in rows(engine)) < count:
            assert time.monotonic() - started < timeout, [r.last_error for r in rows(engine)]
            time.sleep(0.05)
    finally:
        for delivery in workers:
            delivery.stop()
    return time.monotonic() - started


def test_replicas_meet_the_enforced_limits_together_without_429s(
    engine, slack, clock, database_url
) -> None:
    slack.enforce_rate_limit(per_channel=1, workspace=20)
    pools = [make_engine(database_url) for _ in range(3)]  # as separate processes would
    real = SystemClock()
    replicas = [worker(pool, slack, database_url, clock, pace_clock=real) for pool in pools]
    for n in range(5):
        queue(engine, clock, ALICE, f"alice {n}")
    for n in range(35):
        queue(engine, clock, f"C0CH{n:03d}", f"channel {n}")
    try:
        took = deliver_all(replicas, engine, 40)
    finally:
        for pool in pools:
            pool.dispose()
    assert slack.rate_limited == 0
    assert posted(slack, ALICE) == [f"alice {n}" for n in range(5)]
    assert len(posted(slack)) == 40
    assert took >= 2.0  # Alice's last two posts come a second apart after her burst of three


def test_a_budget_above_slacks_limit_is_reined_in_by_retry_after(
    engine, slack, clock, database_url
) -> None:
    slack.enforce_rate_limit(per_channel=None, workspace=10)
    delivery = worker(engine, slack, database_url, clock, per_second=100, pace_clock=SystemClock())
    for n in range(25):
        queue(engine, clock, f"C0CH{n:03d}", f"channel {n}")
    deliver_all([delivery], engine, 25)
    # 10 at once, then a 429: a second's pause; 10 more, a 429, a pause; the last 5
    assert 1 <= slack.rate_limited <= 3  # one per pause, not one per message
    assert sorted(posted(slack)) == sorted(f"channel {n}" for n in range(25))
    assert {row.attempts for row in rows(engine)} == {0}  # a 429 is not the message's fault


# -- the knob ---------------------------------------------------------------------------------


def test_the_workspace_budget_is_a_policy_key() -> None:
    assert policy_from_mapping({}).slack_messages_per_second == 10.0  # 600 a minute
    policy = policy_from_mapping({"policy": {"slack_messages_per_second": 45}})
    assert policy.slack_messages_per_second == 45.0
    for bad in (0, -1, "fast", True, 5000):
        with pytest.raises(ConfigError, match="slack_messages_per_second"):
            policy_from_mapping({"policy": {"slack_messages_per_second": bad}})
