"""The HTTP request is answered when its listener acks, not at Bolt's next 10 ms poll, and
the listener still runs on after its ack."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from slack_bolt import Ack, App, BoltRequest
from slack_bolt.authorization import AuthorizeResult
from slack_sdk import WebClient

from bot.slack.http.ack_wait import (
    AckWaitingExecutor,
    SignallingAck,
    acking_promptly,
    in_request_thread,
)
from tests.slack_requests import TEAM_ID

COMMAND = f"team_id={TEAM_ID}&user_id=U1&channel_id=C1&command=%2Fdelegate&text=hi&trigger_id=1.2.t"


@pytest.fixture
def pool() -> Iterator[AckWaitingExecutor]:
    executor = AckWaitingExecutor(ThreadPoolExecutor(4), timeout=2.0)
    yield executor
    executor.shutdown(wait=True)


def bolt_app(
    executor: AckWaitingExecutor, listener: Callable[..., None], middleware: list[Any] | None = None
) -> App:
    app = App(
        client=WebClient(base_url="http://localhost:1/api/"),
        signing_secret=None,
        request_verification_enabled=False,
        token_verification_enabled=False,
        authorize=lambda **_: AuthorizeResult(
            enterprise_id=None, team_id=TEAM_ID, bot_token="xoxb-test"
        ),
        listener_executor=executor,
    )
    app.command("/delegate", middleware=middleware or [])(listener)
    return app


def dispatch(app: App) -> tuple[Any, float]:
    request = BoltRequest(body=COMMAND, headers={})
    started = time.perf_counter()
    with acking_promptly(request):
        response = app.dispatch(request)
    return response, time.perf_counter() - started


def test_answered_on_the_ack_while_the_listener_carries_on(pool: AckWaitingExecutor) -> None:
    carry_on = threading.Event()
    finished = threading.Event()

    def listener(ack: Ack) -> None:
        ack("Offered.")
        carry_on.wait(5)
        finished.set()

    response, _ = dispatch(bolt_app(pool, listener))
    assert response.status == 200
    assert "Offered." in response.body
    assert not finished.is_set()  # answered before the listener's own work ended
    carry_on.set()
    assert finished.wait(5)


def test_a_listener_that_fails_before_acking_is_answered_when_it_ends(
    pool: AckWaitingExecutor,
) -> None:
    def listener(ack: Ack) -> None:
        raise RuntimeError("broken")

    response, _ = dispatch(bolt_app(pool, listener))
    assert response.status == 500  # answered when it ended (benchmarks/latency.py: how soon)


def test_submissions_outside_a_request_are_not_waited_for(pool: AckWaitingExecutor) -> None:
    release = threading.Event()
    future = pool.submit(release.wait, 5)
    assert not future.done()  # submit returned at once
    release.set()
    assert future.result(5) is True


def test_the_ack_says_when_it_was_called() -> None:
    ack = SignallingAck()
    assert not ack.called.is_set()
    response = ack(text="done")
    assert ack.called.is_set()
    assert ack.response is response


def test_a_listener_marked_in_request_thread_runs_in_it(pool: AckWaitingExecutor) -> None:
    ran_in: list[threading.Thread] = []

    def listener(ack: Ack) -> None:
        ran_in.append(threading.current_thread())
        ack("Offered.")

    marked = bolt_app(pool, listener, middleware=[in_request_thread])
    response, _ = dispatch(marked)
    assert "Offered." in response.body
    assert ran_in == [threading.current_thread()]
    dispatch(bolt_app(pool, listener))  # the next request, unmarked, goes to the pool
    assert ran_in[1] is not threading.current_thread()


def test_a_failure_in_the_request_thread_is_answered_as_in_the_pool(
    pool: AckWaitingExecutor,
) -> None:
    def listener(ack: Ack) -> None:
        raise RuntimeError("broken")

    response, _ = dispatch(bolt_app(pool, listener, middleware=[in_request_thread]))
    assert response.status == 500
