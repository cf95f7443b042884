"""Latencies the tests hold in behaviour, measured here in seconds, each beside its baseline:

    python benchmarks/latency.py [--repeat 20] [--json FILE]

- ack wait: how long after a listener's ack its HTTP answer goes out (Steward's
  ``acking_promptly``), against Bolt alone, which notices an ack at its next 10 ms poll;
- a failing listener: how long before its 500 goes out, against Bolt's 3 s ack timeout;
- /delegate while Slack's chat.postMessage fails, against /delegate with Slack well: the
  ack must not wait on Slack's retries;
- /delegate while users.info takes 5 s, against Slack's 3 s limit for an ack;
- the health check against a database that accepts and never answers, against its 0.5 s
  deadline.
"""

from __future__ import annotations

import argparse
import json
import socket
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from slack_bolt import Ack, App, BoltRequest  # noqa: E402
from slack_bolt.authorization import AuthorizeResult  # noqa: E402
from sqlalchemy import create_engine  # noqa: E402

from benchmarks.request_path import ASSIGNEE, DELEGATOR, SECRET, TOKEN, steward_server  # noqa: E402
from bot.slack.http.ack_wait import AckWaitingExecutor, acking_promptly  # noqa: E402
from sandbox.emulator import SlackEmulator  # noqa: E402
from storage.health import DatabaseCheck  # noqa: E402
from tests.slack_requests import TEAM_ID, SlackSender  # noqa: E402

FRESH = "U0FRESH"
COMMAND = f"team_id={TEAM_ID}&user_id=U1&channel_id=C1&command=%2Fdelegate&text=hi&trigger_id=1"


def _bolt(listener: Callable[..., None], *, waits_on_ack: bool) -> Callable[[], float]:
    from concurrent.futures import ThreadPoolExecutor

    inner = ThreadPoolExecutor(max_workers=4)
    app = App(
        signing_secret=None,
        request_verification_enabled=False,
        token_verification_enabled=False,
        authorize=lambda **_: AuthorizeResult(
            enterprise_id=None, team_id=TEAM_ID, bot_token="xoxb-bench"
        ),
        listener_executor=AckWaitingExecutor(inner) if waits_on_ack else inner,
    )
    app.command("/delegate")(listener)

    def once() -> float:
        request = BoltRequest(body=COMMAND, headers={})
        started = time.perf_counter()
        if waits_on_ack:
            with acking_promptly(request):
                app.dispatch(request)
        else:
            app.dispatch(request)
        return time.perf_counter() - started

    return once


def _median(sample: Callable[[], float], repeat: int) -> float:
    sample()  # warm up
    return statistics.median(sample() for _ in range(repeat))


def ack_wait(repeat: int) -> dict[str, float]:
    def listener(ack: Ack) -> None:
        time.sleep(0.002)  # Bolt's loop is already polling when this acks
        ack("ok")

    def failing(ack: Ack) -> None:
        raise RuntimeError("broken")

    return {
        "ack_answer_s": _median(_bolt(listener, waits_on_ack=True), repeat),
        "ack_answer_bolt_alone_s": _median(_bolt(listener, waits_on_ack=False), repeat),
        "failing_listener_answer_s": _median(_bolt(failing, waits_on_ack=True), 3),
        "bolt_ack_timeout_s": 3.0,
    }


def slack_trouble(repeat: int) -> dict[str, float]:
    with SlackEmulator(bot_token=TOKEN) as slack, steward_server(slack) as server:
        for person in (DELEGATOR, ASSIGNEE, FRESH):
            slack.add_user(person, tz="Europe/London")
        sender = SlackSender(
            base_url=server.url, signing_secret=SECRET, response_url=slack.response_url()
        )

        def delegate(*, by: str = DELEGATOR) -> float:
            started = time.perf_counter()
            answer = sender.command(f"<@{ASSIGNEE}|alice> Task by friday", user_id=by)
            assert answer.ok and "Offered to" in answer.text, answer.text
            return time.perf_counter() - started

        well = _median(delegate, repeat)
        slack.fail_next("chat.postMessage", status=500, times=6 * (repeat + 1))
        post_failing = _median(delegate, repeat)
        slack.delay_next("users.info", 5.0, times=8)
        users_info_slow = delegate(by=FRESH)  # not looked up before: users.info is asked
    return {
        "delegate_slack_well_s": well,
        "delegate_postmessage_failing_s": post_failing,
        "delegate_users_info_5s_s": users_info_slow,
        "slack_ack_limit_s": 3.0,
    }


def silent_database() -> dict[str, float]:
    with socket.socket() as silent:  # accepts connections, never says a word
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        port = silent.getsockname()[1]
        engine = create_engine(f"postgresql+psycopg://steward@127.0.0.1:{port}/steward")
        check = DatabaseCheck(engine, timeout=0.5)
        try:
            started = time.perf_counter()
            problem = check.problem()
            elapsed = time.perf_counter() - started
            assert problem == "database did not answer within 0.5s", problem
        finally:
            check.close()
            engine.dispose()
    return {"health_silent_database_s": elapsed, "health_deadline_s": 0.5}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    results: dict[str, Any] = {}
    for part in (ack_wait(args.repeat), slack_trouble(args.repeat), silent_database()):
        results.update(part)
    for name, seconds in results.items():
        print(f"{name:34} {seconds * 1000:9.1f} ms")
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
