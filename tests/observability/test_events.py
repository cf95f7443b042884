"""Slack re-sends an Events API request it thinks failed; each event_id is processed once,
on whichever replica each delivery lands."""

from __future__ import annotations

import json
import threading
from typing import Any

import requests

from bot.app.wiring import Steward, assemble
from tests.conftest import ALICE, Running, settings_for
from tests.observability.conftest import event_callback, scrape, serving, value
from tests.slack_requests import SlackSender
from tests.waiting import eventually

# A real event type Steward does not handle itself, so the test's listener gets them all.
EVENT_TYPE = "reaction_added"


class Seen:
    """A listener that records the event ids it was given."""

    def __init__(self) -> None:
        self.ids: list[str] = []
        self._lock = threading.Lock()

    def listen_on(self, steward: Steward) -> None:
        @steward.app.event(EVENT_TYPE)
        def on_event(ack: Any, body: dict[str, Any]) -> None:
            ack()
            with self._lock:
                self.ids.append(body["event_id"])

    def settled(self, count: int, steward: Steward) -> list[str]:
        """The ids seen once ``count`` have arrived and every listener the app was given
        has finished: a duplicate wrongly dispatched would be among them by then (each
        request was answered, so its listener was submitted, before this is called)."""
        eventually(lambda: len(self.ids) >= count, what=f"{count} events", explain=str)
        steward.listeners.shutdown(wait=True)
        with self._lock:
            return list(self.ids)


def _send(sender: SlackSender, event_id: str, *, retry: int = 0) -> requests.Response:
    headers = {"X-Slack-Retry-Num": str(retry), "X-Slack-Retry-Reason": "http_timeout"}
    return sender.post(
        json.dumps(event_callback(event_id, user=ALICE, event_type=EVENT_TYPE)),
        content_type="application/json",
        extra_headers=headers if retry else None,
    )


def test_a_retried_event_is_processed_once(running: Running) -> None:
    seen = Seen()
    seen.listen_on(running.steward)

    assert _send(running.sender, "Ev0001").status_code == 200
    assert eventually(lambda: list(seen.ids), what="the first event") == ["Ev0001"]
    for attempt in (1, 2, 3):
        assert _send(running.sender, "Ev0001", retry=attempt).status_code == 200
    assert _send(running.sender, "Ev0002").status_code == 200

    assert seen.settled(2, running.steward) == ["Ev0001", "Ev0002"]
    samples = scrape(running.base_url)
    assert value(samples, "steward_slack_duplicate_events_total", retry_reason="http_timeout") == 3
    assert (
        value(
            samples,
            "steward_http_requests_total",
            route="/slack/events",
            kind="event",
            status="200",
        )
        == 5
    )


def test_a_retry_reaching_another_replica_is_not_processed_again(running: Running) -> None:
    first = Seen()
    first.listen_on(running.steward)
    settings = settings_for(running.slack, running.engine.url.render_as_string(hide_password=False))
    other = assemble(settings, clock=running.clock)
    second = Seen()
    second.listen_on(other)
    with serving(other, response_url=running.slack.response_url()) as (_, other_sender):
        assert _send(running.sender, "Ev0100").status_code == 200
        assert _send(other_sender, "Ev0100", retry=1).status_code == 200
        assert _send(other_sender, "Ev0101").status_code == 200

        assert first.settled(1, running.steward) == ["Ev0100"]
        assert second.settled(1, other) == ["Ev0101"]


def test_a_url_verification_is_answered_and_never_deduplicated(running: Running) -> None:
    body = json.dumps({"type": "url_verification", "challenge": "abc", "token": "t"})
    for _ in range(2):
        response = running.sender.post(body, content_type="application/json")
        assert response.status_code == 200 and response.json() == {"challenge": "abc"}
