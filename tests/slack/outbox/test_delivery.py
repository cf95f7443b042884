"""The outbox delivered to the Slack double: retries, parking, per-recipient order."""

from __future__ import annotations

import io
import threading
import time
from datetime import timedelta

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from bot.app.clocks import ManualClock
from bot.app.wiring import delivery_client
from bot.commands.check import run_checks
from bot.slack.outbox.delivery import Delivery
from bot.slack.outbox.pacing import PacingPolicy
from sandbox.emulator import SlackEmulator
from storage import outbox
from storage.db import unit_of_work
from storage.models import OutboxMessage
from storage.outbox import HOME, HOME_QUEUE, POST, UPDATE
from tests.conftest import ALICE, BOB, settings_for

# These tests are about retries and order; pacing has its own (test_delivery_pacing.py).
# A roomy workspace budget, so that the frozen clock never holds a message back.
ROOMY = PacingPolicy(per_second=1000)


def worker(engine: Engine, slack: SlackEmulator, clock: ManualClock, database_url: str) -> Delivery:
    settings = settings_for(slack, database_url)
    return Delivery(engine=engine, client=delivery_client(settings), clock=clock, pacing=ROOMY)


@pytest.fixture
def delivery(
    engine: Engine, slack: SlackEmulator, clock: ManualClock, database_url: str
) -> Delivery:
    return worker(engine, slack, clock, database_url)


def queue(engine: Engine, clock: ManualClock, recipient: str, text: str, **kwargs: object) -> int:
    with unit_of_work(engine) as session:
        message = outbox.row(
            kind=str(kwargs.get("kind", POST)),
            recipient=recipient,
            payload={"text": text, "blocks": []},
            now=clock.now(),
            message_key=kwargs.get("key"),  # type: ignore[arg-type]
        )
        return outbox.enqueue(session, message)


def statuses(engine: Engine) -> list[tuple[str, int, str | None]]:
    with Session(engine) as session:
        rows = session.exec(select(OutboxMessage).order_by(col(OutboxMessage.id))).all()
        return [(row.status, row.attempts, row.last_error) for row in rows]


def claimed(engine: Engine) -> bool:
    with Session(engine) as session:
        rows = session.exec(
            select(OutboxMessage).where(col(OutboxMessage.claim_token).is_not(None))
        )
        return rows.first() is not None


def posted_texts(slack: SlackEmulator) -> list[str]:
    return [c.params["text"] for c in slack.calls_to("chat.postMessage") if c.response.get("ok")]


def test_delivers_and_remembers_the_dm_channel(engine, delivery, slack, clock) -> None:
    queue(engine, clock, ALICE, "one")
    queue(engine, clock, ALICE, "two")
    while delivery.deliver_due():
        pass
    assert posted_texts(slack) == ["one", "two"]
    assert len(slack.calls_to("conversations.open")) == 1  # the D channel is kept
    assert [s for s, _, _ in statuses(engine)] == ["sent", "sent"]


def test_an_update_edits_the_posted_message(engine, delivery, slack, clock) -> None:
    queue(engine, clock, ALICE, "offer", key="k1")
    queue(engine, clock, ALICE, "accepted", kind=UPDATE, key="k1")
    while delivery.deliver_due():
        pass
    [posted] = slack.calls_to("chat.postMessage")
    [update] = slack.calls_to("chat.update")
    assert update.params["ts"] == posted.response["ts"]
    assert slack.messages_in(slack.dm_channel_for(ALICE))[0]["text"] == "accepted"


def test_a_rate_limit_pauses_posts_for_retry_after(engine, delivery, slack, clock) -> None:
    slack.fail_next("chat.postMessage", status=429, retry_after=1)
    queue(engine, clock, ALICE, "hello")
    assert delivery.deliver_due() == 1  # answered 429 at once: no sleeping in the worker
    assert posted_texts(slack) == []
    assert statuses(engine) == [("pending", 0, "ratelimited (chat.postMessage)")]
    assert delivery.deliver_due() == 0  # paused, not retried blindly
    clock.advance(timedelta(seconds=1))
    assert delivery.deliver_due() == 1
    assert posted_texts(slack) == ["hello"]
    assert statuses(engine) == [("sent", 0, None)]


def test_a_long_outage_reschedules_and_keeps_order(engine, delivery, slack, clock) -> None:
    slack.fail_next("chat.postMessage", status=500)  # tried once a pass: no retry in the call
    queue(engine, clock, ALICE, "first")
    queue(engine, clock, ALICE, "second")
    queue(engine, clock, BOB, "for bob")
    while delivery.deliver_due():
        pass
    # Alice's first failed for now; her second waits behind it; Bob is not held up
    assert posted_texts(slack) == ["for bob"]
    assert statuses(engine)[0][:2] == ("pending", 1)
    assert delivery.deliver_due() == 0  # not due again until the backoff passes
    clock.advance(timedelta(seconds=1))
    while delivery.deliver_due():
        pass
    assert posted_texts(slack) == ["for bob", "first", "second"]


def test_permanent_errors_are_parked_and_reported(
    engine, delivery, slack, clock, database_url
) -> None:
    slack.fail_next("chat.postMessage", error="is_archived")
    queue(engine, clock, "C0ARCHIVED", "to an archived channel")
    queue(engine, clock, "C0ARCHIVED", "next one")
    while delivery.deliver_due():
        pass
    assert statuses(engine)[0] == ("parked", 1, "is_archived")
    assert statuses(engine)[1][0] == "sent"  # a parked message does not block the queue

    report = io.StringIO()
    assert run_checks(settings_for(slack, database_url), out=report) == 1
    assert "is_archived" in report.getvalue()


def test_a_post_to_a_channel_without_the_bot_is_parked_with_the_fix(
    engine, delivery, slack, clock, database_url
) -> None:
    slack.set_channel("C0DIGEST", name="digest", member=False)
    queue(engine, clock, "C0DIGEST", "this week's digest")
    queue(engine, clock, "C0FALLBACK", "an escalation nobody else could take")
    queue(engine, clock, "C0DIGEST", "next week's digest")
    while delivery.deliver_due():
        pass
    assert posted_texts(slack) == ["an escalation nobody else could take"]
    assert [row[:3:2] for row in statuses(engine)] == [
        ("parked", "not_in_channel"),
        ("sent", None),
        ("parked", "not_in_channel"),
    ]
    report = io.StringIO()
    assert run_checks(settings_for(slack, database_url), out=report) == 1
    [parked, *_] = [line for line in report.getvalue().splitlines() if "C0DIGEST" in line]
    assert "not_in_channel" in parked and "/invite @Steward" in parked

    slack.set_channel("C0DIGEST", name="digest")  # invited: the following week's goes
    queue(engine, clock, "C0DIGEST", "the week after's digest")
    while delivery.deliver_due():
        pass
    assert posted_texts(slack)[-1] == "the week after's digest"


def test_two_workers_never_send_the_same_message_twice(engine, slack, clock, database_url) -> None:
    workers = [worker(engine, slack, clock, database_url) for _ in range(2)]
    for n in range(20):
        queue(engine, clock, f"C0P{n:03d}", f"message {n}")
    threads = [
        threading.Thread(target=lambda w=w: [None for _ in iter(w.deliver_due, 0)]) for w in workers
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    texts = posted_texts(slack)
    assert sorted(texts) == sorted(f"message {n}" for n in range(20))


def test_a_slow_send_is_not_taken_over_by_another_worker(
    engine, slack, clock, database_url
) -> None:
    first, second = (worker(engine, slack, clock, database_url) for _ in range(2))
    queue(engine, clock, ALICE, "to alice")
    queue(engine, clock, BOB, "to bob")
    slack.delay_next("conversations.open", 1.0)  # the first worker's first send is slow
    slow = threading.Thread(target=first.deliver_due)
    slow.start()
    deadline = time.monotonic() + 5
    while not claimed(engine):  # the first worker holds a message and is inside Slack
        assert time.monotonic() < deadline
        time.sleep(0.01)
    clock.advance(timedelta(minutes=3))  # longer than a short lease would have been
    while second.deliver_due():
        pass
    slow.join()
    while first.deliver_due() or second.deliver_due():
        pass
    assert sorted(posted_texts(slack)) == ["to alice", "to bob"]


def test_passes_in_one_process_take_turns_so_queue_order_holds_across_people(
    engine, delivery, slack, clock
) -> None:
    queue(engine, clock, ALICE, "first")
    queue(engine, clock, BOB, "second")
    slack.delay_next("conversations.open", 0.5)  # the first send is slow
    background = threading.Thread(target=delivery.deliver_due)  # as the delivery loop
    background.start()
    deadline = time.monotonic() + 5
    while not claimed(engine):
        assert time.monotonic() < deadline
        time.sleep(0.01)
    while delivery.deliver_due():  # as the sandbox settling beside it: waits for the pass
        pass
    background.join()
    assert posted_texts(slack) == ["first", "second"]


def test_delivered_messages_are_forgotten_after_a_week(engine, delivery, slack, clock) -> None:
    from storage.outbox import delivered_before, forget

    queue(engine, clock, ALICE, "old")
    while delivery.deliver_due():
        pass
    queue(engine, clock, ALICE, "pending")  # not delivered: never purged
    slack.fail_next("chat.postMessage", status=500)
    delivery.deliver_due()
    with unit_of_work(engine) as session:
        assert delivered_before(session, sent_before=clock.now(), limit=10) == []  # sent "now"
    clock.advance(timedelta(days=8))
    with unit_of_work(engine) as session:
        old = delivered_before(session, sent_before=clock.now() - timedelta(days=7), limit=10)
        assert len(old) == 1
        forget(session, message_ids=old)
    assert [status for status, _, _ in statuses(engine)] == ["pending"]


def test_a_refused_chart_upload_is_parked_and_holds_nothing_up(
    engine, delivery, slack, clock
) -> None:
    from storage.outbox import UPLOAD

    channel = "C0DIGEST"
    queue(engine, clock, channel, "this week's digest", key="digest:1")
    with unit_of_work(engine) as session:
        payload = {
            "thread_key": "digest:1",
            "filename": "d.png",
            "title": "Daily",
            "png_base64": "iVBORw0KGgo=",
        }
        upload = outbox.row(kind=UPLOAD, recipient=channel, payload=payload, now=clock.now())
        outbox.enqueue(session, upload)
    queue(engine, clock, channel, "next week's digest")
    slack.fail_next("files.completeUploadExternal", error="missing_scope")
    while delivery.deliver_due():
        pass
    assert posted_texts(slack) == ["this week's digest", "next week's digest"]
    assert [status for status, _, _ in statuses(engine)] == ["sent", "parked", "sent"]
    assert "missing_scope" in (statuses(engine)[1][2] or "")


def test_a_database_hiccup_while_sending_is_retried_not_parked(
    engine, delivery, slack, clock
) -> None:
    queue(engine, clock, ALICE, "offer", key="k1")
    while delivery.deliver_due():
        pass
    queue(engine, clock, ALICE, "accepted", kind=UPDATE, key="k1")
    with engine.begin() as connection:  # where the offer landed cannot be read for a moment
        connection.exec_driver_sql("ALTER TABLE slack_messages RENAME TO slack_messages_away")
    delivery.deliver_due()
    assert statuses(engine)[1][:2] == ("pending", 1)
    with engine.begin() as connection:
        connection.exec_driver_sql("ALTER TABLE slack_messages_away RENAME TO slack_messages")
    clock.advance(timedelta(minutes=1))
    while delivery.deliver_due():
        pass
    assert [s for s, _, _ in statuses(engine)] == ["sent", "sent"]
    assert len(slack.calls_to("chat.update")) == 1


def test_waiting_app_home_refreshes_collapse_into_one_publish(
    engine, delivery, slack, clock
) -> None:
    for n in range(3):
        queue(engine, clock, f"{HOME_QUEUE}{ALICE}", f"refresh {n}", kind=HOME)
    while delivery.deliver_due():
        pass
    [published] = slack.calls_to("views.publish")
    assert published.params["user_id"] == ALICE
    assert [s for s, _, _ in statuses(engine)] == ["sent", "sent", "sent"]
    queue(engine, clock, f"{HOME_QUEUE}{ALICE}", "a later change", kind=HOME)
    while delivery.deliver_due():
        pass
    assert len(slack.calls_to("views.publish")) == 1  # not within the Home's gap
    clock.advance(ROOMY.home_gap)
    while delivery.deliver_due():
        pass
    assert len(slack.calls_to("views.publish")) == 2  # a change after the publish still goes
