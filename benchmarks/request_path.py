"""Ack latency and throughput of ``/delegate`` through the real HTTP server, against a bare
Bolt app that only acks the same command on the same kind of server, in the same run.

    python benchmarks/request_path.py [--seconds 5] [--concurrency 1 16] [--repeat 3]

Load generator: a thread pool of ``requests`` sessions posting correctly signed slash
commands (so client overhead is the same for both sides). Also measures the time from the
command to the offer DM reaching the Slack double.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import requests
from slack_bolt import App
from slack_bolt.adapter.wsgi import SlackRequestHandler
from slack_sdk import WebClient
from waitress.server import create_server

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.slack_double import SlackDouble
from tests.slack_requests import SlackSender

SECRET = "benchmark-signing-secret"
TOKEN = "xoxb-benchmark"
DELEGATOR, ASSIGNEE = "U0LEAD", "U0ALICE"


@contextmanager
def steward_server(slack: SlackDouble) -> Iterator[str]:
    """``steward serve --http`` in its own process, as it runs in production."""
    with tempfile.TemporaryDirectory() as folder:
        port = _free_port()
        env = {
            **os.environ,
            "SLACK_BOT_TOKEN": TOKEN,
            "SLACK_SIGNING_SECRET": SECRET,
            "SLACK_API_URL": slack.api_url,
            "DATABASE_URL": f"sqlite:///{folder}/steward.db",
            "STEWARD_CONFIG": str(Path(folder) / "steward.toml"),
            "LOG_LEVEL": "WARNING",
        }
        env.pop("SLACK_APP_TOKEN", None)
        Path(env["STEWARD_CONFIG"]).write_text("")
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "bot.cli",
                "serve",
                "--http",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
            ],
            env=env,
            cwd=folder,
        )
        url = f"http://127.0.0.1:{port}"
        try:
            _wait_healthy(url)
            yield url
        finally:
            process.terminate()
            process.wait(10)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _wait_healthy(url: str, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if requests.get(f"{url}/healthz", timeout=1).status_code == 200:
                return
        except requests.ConnectionError:
            pass
        time.sleep(0.05)
    raise RuntimeError(f"steward did not become healthy at {url}")


@contextmanager
def bare_bolt_server(slack: SlackDouble) -> Iterator[str]:
    client = WebClient(base_url=slack.api_url, token=TOKEN)
    app = App(client=client, signing_secret=SECRET, token_verification_enabled=False)

    @app.command("/delegate")
    def ack_only(ack: Callable[..., None]) -> None:
        ack()

    server: Any = create_server(SlackRequestHandler(app), host="127.0.0.1", port=0, threads=16)
    threading.Thread(target=server.run, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.effective_port}"
    finally:
        server.close()


def load(base_url: str, response_url: str, *, concurrency: int, seconds: float) -> dict[str, float]:
    latencies: list[float] = []
    errors = 0
    lock = threading.Lock()
    stop_at = time.perf_counter() + seconds

    def worker(n: int) -> None:
        nonlocal errors
        sender = SlackSender(base_url=base_url, signing_secret=SECRET, response_url=response_url)
        count = 0
        while time.perf_counter() < stop_at:
            count += 1
            started = time.perf_counter()
            response = sender.command(
                f"<@{ASSIGNEE}|alice> Task {n}-{count} by friday", user_id=DELEGATOR
            )
            elapsed = time.perf_counter() - started
            with lock:
                latencies.append(elapsed)
                errors += response.status_code != 200

    with ThreadPoolExecutor(concurrency) as pool:
        list(pool.map(worker, range(concurrency)))
    latencies.sort()
    return {
        "requests_per_s": len(latencies) / seconds,
        "p50_ms": 1000 * latencies[len(latencies) // 2],
        "p99_ms": 1000 * latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))],
        "errors": errors,
        "requests": len(latencies),
    }


def time_to_assignee(base_url: str, slack: SlackDouble, *, count: int) -> dict[str, float]:
    sender = SlackSender(
        base_url=base_url, signing_secret=SECRET, response_url=slack.response_url()
    )
    dm = slack.dm_channel_for(ASSIGNEE)
    samples: list[float] = []
    for n in range(count):
        before = len(
            [c for c in slack.calls_to("chat.postMessage") if c.params.get("channel") == dm]
        )
        started = time.perf_counter()
        sender.command(f"<@{ASSIGNEE}> Latency probe {n}", user_id=DELEGATOR)
        slack.wait_for(
            "chat.postMessage", count=before + 1, where=lambda c: c.params.get("channel") == dm
        )
        samples.append(time.perf_counter() - started)
    samples.sort()
    return {
        "p50_ms": 1000 * samples[len(samples) // 2],
        "p99_ms": 1000 * samples[min(len(samples) - 1, int(len(samples) * 0.99))],
        "samples": len(samples),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--concurrency", type=int, nargs="+", default=[1, 16])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--probes", type=int, default=200)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()

    results: dict[str, Any] = {"request_path": {}, "time_to_assignee": None}
    with SlackDouble(bot_token=TOKEN) as slack:
        slack.add_user(DELEGATOR, tz="America/New_York")
        slack.add_user(ASSIGNEE, tz="Europe/London")
        with steward_server(slack) as steward_url, bare_bolt_server(slack) as bare_url:
            for url in (steward_url, bare_url):  # warm up both
                load(url, slack.response_url(), concurrency=2, seconds=1)
            for concurrency in args.concurrency:
                runs: dict[str, list[dict[str, float]]] = {"steward": [], "bare": []}
                for _ in range(args.repeat):  # alternate so machine noise hits both
                    for name, url in (("steward", steward_url), ("bare", bare_url)):
                        runs[name].append(
                            load(
                                url,
                                slack.response_url(),
                                concurrency=concurrency,
                                seconds=args.seconds,
                            )
                        )
                results["request_path"][concurrency] = _summarise(runs)
            results["time_to_assignee"] = time_to_assignee(steward_url, slack, count=args.probes)
    _print(results)
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))


def _summarise(runs: dict[str, list[dict[str, float]]]) -> dict[str, Any]:
    summary: dict[str, Any] = {}
    for name, samples in runs.items():
        summary[name] = {
            key: statistics.median(s[key] for s in samples)
            for key in ("requests_per_s", "p50_ms", "p99_ms")
        }
        summary[name]["rps_spread"] = max(s["requests_per_s"] for s in samples) - min(
            s["requests_per_s"] for s in samples
        )
        summary[name]["errors"] = sum(s["errors"] for s in samples)
    summary["throughput_ratio"] = (
        summary["steward"]["requests_per_s"] / summary["bare"]["requests_per_s"]
    )
    return summary


def _print(results: dict[str, Any]) -> None:
    columns = ("conn", "side", "req/s", "±", "p50 ms", "p99 ms", "errors", "ratio")
    print("{:>4} {:<8} {:>8} {:>6} {:>8} {:>8} {:>6} {:>6}".format(*columns))
    for concurrency, summary in results["request_path"].items():
        for name in ("steward", "bare"):
            row = summary[name]
            ratio = summary["throughput_ratio"] if name == "steward" else 1.0
            values = (row["requests_per_s"], row["rps_spread"], row["p50_ms"], row["p99_ms"])
            print(
                "{:>4} {:<8} {:>8.1f} {:>6.1f} {:>8.1f} {:>8.1f} {:>6} {:>6.2f}".format(
                    concurrency, name, *values, row["errors"], ratio
                )
            )
    tta = results["time_to_assignee"]
    print(
        f"time to assignee DM: p50 {tta['p50_ms']:.1f} ms, "
        f"p99 {tta['p99_ms']:.1f} ms over {tta['samples']} delegations"
    )


if __name__ == "__main__":
    main()
