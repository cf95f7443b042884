"""Messages that cannot be delivered never hold up the rest: parked after a bound, private
replies in a queue of their own, retries waited out in the row, not in the delivery thread,
and response_urls posted to only where Slack hands them out."""

from __future__ import annotations

import io
import logging
from datetime import timedelta

import pytest
from prometheus_client import CollectorRegistry
from sqlalchemy import Engine

from bot.app.clocks import ManualClock
from bot.commands.check import run_checks
from bot.observability.metrics import DeliveryCounters
from bot.slack.outbox.delivery import MAX_ATTEMPTS, MAX_BACKOFF, Delivery
from bot.slack.outbox.notifier import SlackNotifier
from bot.slack.outbox.slack_calls import RESPONSE_URL_LIFETIME, is_slack_response_url
from sandbox.emulator import SlackEmulator
from storage.db import unit_of_work
from tests.conftest import ALICE, BOB, settings_for
from tests.slack.outbox.test_delivery import posted_texts, queue, statuses, worker


@pytest.fixture
def registry() -> CollectorRegistry:
    return CollectorRegistry()


@pytest.fixture
def delivery(
    engine: Engine,
    slack: SlackEmulator,
    clock: ManualClock,
    database_url: str,
    registry: CollectorRegistry,
) -> Delivery:
    delivery = worker(engine, slack, clock, database_url)
    delivery.counters = DeliveryCounters(registry)
    return delivery


def drain(delivery: Delivery) -> None:
    while delivery.deliver_due():
        pass


def reply_privately(engine: Engine, clock: ManualClock, url: str, text: str) -> None:
    with unit_of_work(engine) as session:
        notifier = SlackNotifier(session, now=clock.now())
        notifier.reply_privately(response_url=url, user_id=ALICE, text=text)


def test_a_failed_send_is_tried_again_later_not_in_the_delivery_thread(
    engine, delivery, slack, clock
) -> None:
    slack.fail_next("chat.postMessage", status=503)
    queue(engine, clock, ALICE, "for alice")
    queue(engine, clock, BOB, "for bob")
    assert delivery.deliver_due() == 2
    # one call each: no retry (and its sleep) inside the pass holding up Bob
    assert [c.status for c in slack.calls_to("chat.postMessage")] == [503, 200]
    assert statuses(engine)[0][:2] == ("pending", 1)
    clock.advance(timedelta(seconds=1))  # the retry's time, kept in the row
    drain(delivery)
    assert posted_texts(slack) == ["for bob", "for alice"]


def test_a_message_that_keeps_failing_is_parked_and_the_queue_moves_on(
    engine, delivery, slack, clock, database_url, registry
) -> None:
    slack.fail_next("chat.postMessage", error="internal_error", times=MAX_ATTEMPTS)
    queue(engine, clock, ALICE, "a message Slack keeps failing")
    queue(engine, clock, ALICE, "the offer behind it")
    for _ in range(MAX_ATTEMPTS):  # each attempt comes due after its backoff, no sooner
        assert posted_texts(slack) == []
        drain(delivery)
        clock.advance(MAX_BACKOFF)
    assert statuses(engine) == [
        ("parked", MAX_ATTEMPTS, f"internal_error (given up after {MAX_ATTEMPTS} attempts)"),
        ("sent", 0, None),
    ]
    assert posted_texts(slack) == ["the offer behind it"]
    parked = {"method": "chat.postMessage", "reason": "internal_error", "outcome": "parked"}
    assert registry.get_sample_value("steward_slack_delivery_failures_total", parked) == 1
    report = io.StringIO()
    assert run_checks(settings_for(slack, database_url), out=report) == 1
    assert f"given up after {MAX_ATTEMPTS} attempts" in report.getvalue()


def test_an_outage_however_long_parks_nothing(engine, delivery, slack, clock) -> None:
    # Slack answering 503 (or not at all) says nothing against the message: past the
    # attempts that would park a message Slack refuses, it is still sent once Slack is back.
    slack.fail_next("chat.postMessage", status=503, times=MAX_ATTEMPTS + 5)
    queue(engine, clock, ALICE, "a check-in queued during an outage")
    for _ in range(MAX_ATTEMPTS + 5):
        drain(delivery)
        clock.advance(MAX_BACKOFF)
    assert statuses(engine)[0][:2] == ("pending", MAX_ATTEMPTS + 5)
    drain(delivery)
    assert posted_texts(slack) == ["a check-in queued during an outage"]


def test_two_workers_count_each_attempt_once_and_park_once(
    engine, slack, clock, database_url
) -> None:
    workers = [worker(engine, slack, clock, database_url) for _ in range(2)]
    slack.fail_next("chat.postMessage", error="internal_error", times=MAX_ATTEMPTS)
    queue(engine, clock, ALICE, "a message Slack keeps failing")
    for _ in range(MAX_ATTEMPTS):
        for delivery in workers:  # both look each time; one claims the due attempt
            drain(delivery)
        clock.advance(MAX_BACKOFF)
    assert len(slack.calls_to("chat.postMessage")) == MAX_ATTEMPTS
    assert statuses(engine)[0][:2] == ("parked", MAX_ATTEMPTS)


@pytest.mark.parametrize("error", ["missing_scope", "restricted_action", "not_allowed_token_type"])
def test_refusals_no_retry_cures_are_parked_at_once(engine, delivery, slack, clock, error) -> None:
    slack.fail_next("chat.postMessage", error=error)
    queue(engine, clock, "C0GENERAL", "refused")
    queue(engine, clock, "C0GENERAL", "the next one")
    drain(delivery)
    assert statuses(engine) == [("parked", 1, error), ("sent", 0, None)]


def test_a_private_reply_never_holds_up_the_persons_messages(
    engine, delivery, slack, clock
) -> None:
    slack.fail_next("response_url", status=503, times=3)
    reply_privately(engine, clock, slack.response_url("r1"), "Nothing changed")
    queue(engine, clock, ALICE, "an offer for alice")
    drain(delivery)
    assert posted_texts(slack) == ["an offer for alice"]
    assert statuses(engine)[0] == ("pending", 1, "response_url answered 503")


@pytest.mark.parametrize(
    ("status", "word"), [(404, "expired_url"), (410, "used_url"), (403, "invalid_token")]
)
def test_a_dead_response_url_is_parked_at_once(
    engine, delivery, slack, clock, status, word
) -> None:
    slack.fail_next("response_url", status=status, error=word)
    reply_privately(engine, clock, slack.response_url("r1"), "too late")
    reply_privately(engine, clock, slack.response_url("r2"), "in time")
    drain(delivery)
    assert statuses(engine) == [("parked", 1, word), ("sent", 0, None)]
    assert [response["text"] for response in slack.responses] == ["in time"]


def test_a_private_reply_older_than_its_response_url_is_not_sent(
    engine, delivery, slack, clock
) -> None:
    slack.fail_next("response_url", status=503)
    reply_privately(engine, clock, slack.response_url("r1"), "Nothing changed")
    drain(delivery)
    clock.advance(
        RESPONSE_URL_LIFETIME + timedelta(seconds=1)
    )  # its retry comes due after Slack stopped taking it
    drain(delivery)
    assert statuses(engine) == [("parked", 2, "response_url expired")]
    assert slack.responses == []


def test_a_response_url_elsewhere_than_slack_is_never_posted(
    engine, delivery, slack, clock, caplog
) -> None:
    elsewhere = slack.response_url("r1").replace("127.0.0.1", "localhost")  # same server
    reply_privately(engine, clock, elsewhere, "for an impostor")
    reply_privately(engine, clock, "https://hooks.slack.com.evil.example/x", "for an impostor")
    reply_privately(engine, clock, slack.response_url("r2"), "for alice")
    with caplog.at_level(logging.WARNING, logger="bot.slack.outbox.slack_calls"):
        drain(delivery)
    assert [response["text"] for response in slack.responses] == ["for alice"]
    refused = ("parked", 1, "response_url_not_slack")
    assert statuses(engine) == [refused, refused, ("sent", 0, None)]
    assert "not a Slack response_url" in caplog.text


@pytest.mark.parametrize(
    ("url", "allowed"),
    [
        ("https://hooks.slack.com/actions/T0/1/abc", True),
        ("https://hooks.slack.com:443/commands/T0/1/abc", True),
        ("https://acme.enterprise.slack.com/x", True),
        ("http://hooks.slack.com/actions/T0/1/abc", False),  # in clear
        ("https://hooks.slack.com:8443/x", False),
        ("https://hooks.slack.com.evil.example/x", False),
        ("https://evilslack.com/x", False),
        ("https://hooks.slack.com@evil.example/x", False),
        ("https://evil.example/?https://hooks.slack.com/", False),
        ("https://hooks.slack.com:port/x", False),
        ("http://127.0.0.1:3100/response/r1", True),  # SLACK_API_URL's host: the sandbox
        ("http://127.0.0.1:3101/response/r1", False),
        ("not a url", False),
    ],
)
def test_which_response_urls_are_slacks(url: str, allowed: bool) -> None:
    assert is_slack_response_url(url, api_url="http://127.0.0.1:3100/api/") is allowed
