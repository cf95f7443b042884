"""The same signed request reaching two replicas at the same moment (a replay, or a proxy
retrying on another replica) is run by exactly one of them."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import requests
from sqlalchemy import Engine

from bot.slack.http.wsgi import REPLAYED_COMMAND
from sandbox.slack_payloads import FORM, command_form, signed_headers
from tests.conftest import ALICE, LEAD, SIGNING_SECRET
from tests.replicas.checks import channel_of, events_of, undelivered
from tests.replicas.conftest import Cluster, Replica, WatchedSlack
from tests.slack_requests import WORKSPACE
from tests.waiting import eventually

REQUESTS = 5


def _both_at_once(replicas: list[Replica], body: str, headers: dict[str, str]) -> list[str]:
    """POST the one signed request to every replica, released together; the answers."""
    start = threading.Barrier(len(replicas))

    def send(replica: Replica) -> str:
        start.wait()
        url = replica.base_url + "/slack/events"
        answer = requests.post(url, data=body.encode(), headers=headers, timeout=20)
        assert answer.status_code == 200, answer.text
        return str(answer.json()["text"])

    with ThreadPoolExecutor(max_workers=len(replicas)) as pool:
        return list(pool.map(send, replicas))


def test_a_signed_command_sent_to_two_replicas_at_once_is_run_once(
    cluster: Cluster, watched_slack: WatchedSlack, db: Engine
) -> None:
    replicas = [cluster.replica("replica-a").start(), cluster.replica("replica-b").start()]
    for replica in replicas:
        replica.wait_ready()
    for number in range(REQUESTS):
        body = command_form(
            WORKSPACE,
            user_id=LEAD,
            user_name="lead",
            text=f"<@{ALICE}> Request {number}",
            channel_id="C0GENERAL",
            channel_name="general",
            response_url=watched_slack.response_url(),
            trigger_id=f"{number}.1234.trigger",
        )
        answers = _both_at_once(
            replicas, body, signed_headers(SIGNING_SECRET, body, content_type=FORM)
        )
        assert sorted(answers) == sorted(
            [REPLAYED_COMMAND["text"], f"Offered to <@{ALICE}>: Request {number} (due no due date)"]
        ), answers

    assert sorted(str(e.data["text"]) for e in events_of(db, "created")) == [
        f"Request {number}" for number in range(REQUESTS)
    ]
    eventually(lambda: undelivered(db) == 0, what="the offers to be sent", explain=cluster.explain)
    offers = [
        call
        for call in watched_slack.calls_to("chat.postMessage")
        if call.params["channel"] == channel_of(ALICE)
    ]
    assert len(offers) == REQUESTS
