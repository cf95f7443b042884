"""GET /metrics: Prometheus text that parses, with counters that move as Steward works."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import requests

from bot.app.clocks import ManualClock
from bot.app.wiring import assemble
from bot.observability.metrics import failure_reason
from bot.slack.ids import ActionId
from sandbox.emulator import SlackEmulator
from tests.conftest import ALICE, BOB, LEAD, Running, settings_for
from tests.observability.conftest import Samples, scrape, serving, total, value
from tests.waiting import eventually

EVENTS = "/slack/events"


def test_requests_deliveries_and_ticks_are_counted(running: Running) -> None:
    before = scrape(running.base_url)
    assert (
        value(
            before, "steward_http_requests_total", route=EVENTS, kind="slash_command", status="200"
        )
        == 0
    )

    running.accepted("Prepare the Q3 report by friday")
    running.delegate(f"<@{BOB}> Renew the certificate")
    running.offer_to(BOB)
    running.dms_to(LEAD)  # told of Alice's acceptance
    running.tick()

    samples = scrape(running.base_url)
    commands = dict(route=EVENTS, kind="slash_command", status="200")
    assert value(samples, "steward_http_requests_total", **commands) == 2
    assert (
        value(
            samples, "steward_http_requests_total", route=EVENTS, kind="interaction", status="200"
        )
        == 1
    )
    assert (
        value(
            samples,
            "steward_http_request_duration_seconds_count",
            route=EVENTS,
            kind="slash_command",
        )
        == 2
    )
    assert (
        value(
            samples,
            "steward_http_request_duration_seconds_bucket",
            route=EVENTS,
            kind="slash_command",
            le="+Inf",
        )
        == 2
    )
    assert (
        value(samples, "steward_http_requests_total", route="/metrics", kind="none", status="200")
        == 1
    )  # the scrape before
    # two offers and the delegator's notice posted, the offer edited in place
    assert value(samples, "steward_slack_deliveries_total", method="chat.postMessage") >= 3
    assert value(samples, "steward_slack_deliveries_total", method="chat.update") >= 1
    assert value(samples, "steward_scheduler_tick_duration_seconds_count") == 1
    assert value(samples, "steward_database_up") == 1
    samples = eventually(  # delivery runs beside the requests
        lambda: (
            (fresh := scrape(running.base_url))
            and not value(fresh, "steward_outbox_pending")
            and fresh
        ),
        what="the outbox delivered",
        explain=running.slack.summary,
    )
    assert value(samples, "steward_outbox_oldest_pending_age_seconds") == 0


def test_a_view_and_a_bad_signature_are_labelled(running: Running) -> None:
    running.delegate(f"<@{ALICE}> Prepare the Q3 report")
    _, value_ = running.offer_to(ALICE)
    running.click(ALICE, ActionId.DECLINE, value_)
    modal = running.slack.wait_for("views.open")[0].params["view"]
    response = running.sender.submit_view(user_id=ALICE, view=modal, values={})
    assert response.status_code == 200
    assert running.sender.post("command=/delegate", secret="wrong").status_code == 401

    samples = scrape(running.base_url)
    assert (
        value(samples, "steward_http_requests_total", route=EVENTS, kind="view", status="200") == 1
    )
    assert (
        value(samples, "steward_http_requests_total", route=EVENTS, kind="none", status="401") == 1
    )


def test_the_outbox_depth_age_and_failures_are_read_at_scrape_time(running: Running) -> None:
    running.slack.fail_next("chat.postMessage", error="internal_error", times=20)
    running.delegate(f"<@{ALICE}> Prepare the Q3 report")
    eventually(
        lambda: total(scrape(running.base_url), "steward_slack_delivery_failures_total"),
        what="a failed delivery counted",
        explain=running.slack.summary,
    )
    running.clock.advance(timedelta(seconds=90))

    samples = scrape(running.base_url)
    assert value(samples, "steward_outbox_pending") >= 1  # the offer (and any App Home view)
    assert value(samples, "steward_outbox_oldest_pending_age_seconds") == 90
    assert (
        total(
            samples,
            "steward_slack_delivery_failures_total",
            method="chat.postMessage",
            reason="internal_error",
            outcome="retry",
        )
        >= 1
    )


def test_a_parked_message_is_counted_by_reason_and_in_the_queue(running: Running) -> None:
    running.slack.add_channel_not_found(running.slack.dm_channel_for(ALICE))
    running.delegate(f"<@{ALICE}> Prepare the Q3 report")
    eventually(
        lambda: value(scrape(running.base_url), "steward_outbox_parked") >= 1,
        what="a parked message counted",
        explain=running.slack.summary,
    )

    samples = scrape(running.base_url)
    assert (
        value(
            samples,
            "steward_slack_delivery_failures_total",
            method="chat.postMessage",
            reason="channel_not_found",
            outcome="parked",
        )
        == 1
    )


def test_failure_reasons_are_a_bounded_set() -> None:
    assert failure_reason("channel_not_found") == "channel_not_found"
    assert failure_reason("http 503") == "http_503"
    assert failure_reason("response_url answered 500") == "http_500"
    assert failure_reason("response_url expired") == "response_url_expired"
    non_json = "Received a response in a non-JSON format: <html>503</html>"
    assert failure_reason(non_json) == "non_json_response"
    assert failure_reason("chart upload: missing_scope") == "missing_scope"
    assert failure_reason("URLError(ConnectionRefusedError(111, 'refused'))") == "URLError"
    assert failure_reason("the message to update was never posted") == "other"


def _delivered(samples: Samples) -> Samples | None:
    """The samples if nothing is pending in the outbox, else None."""
    return None if value(samples, "steward_outbox_pending") else samples


def test_without_a_token_metrics_are_not_served_on_the_slack_port(
    slack: SlackEmulator, clock: ManualClock, tmp_path: Path
) -> None:
    settings = settings_for(slack, f"sqlite:///{tmp_path / 'steward.db'}", METRICS_TOKEN="")
    with serving(assemble(settings, clock=clock), response_url=slack.response_url()) as (url, _):
        assert requests.get(f"{url}/metrics", timeout=10).status_code == 404
        assert requests.get(f"{url}/healthz", timeout=10).status_code == 200
