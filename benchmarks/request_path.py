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
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import requests

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.slack.ids import ActionId
from sandbox.emulator import SlackEmulator
from tests.slack_requests import SlackSender

SECRET = "benchmark-signing-secret"
TOKEN = "xoxb-benchmark"
DELEGATOR, ASSIGNEE = "U0LEAD", "U0ALICE"
PROBED = [f"U0PROBE{n:03d}" for n in range(60)]


@dataclass(frozen=True)
class Server:
    url: str
    pid: int | None = None  # Steward's process, for its memory
    database: Path | None = None  # Steward's SQLite file, to find the offers to accept


@contextmanager
def steward_server(slack: SlackEmulator) -> Iterator[Server]:
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
        # One delegator offering thousands of tasks: far past the offer limits, which would
        # otherwise measure refusals; off (0), as for a service account. At their defaults
        # the checks read at most 30 and 10 index entries.
        Path(env["STEWARD_CONFIG"]).write_text(
            "[policy]\nmax_new_offers_per_hour = 0\nmax_open_offers_per_assignee = 0\n"
        )
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
            yield Server(url=url, pid=process.pid, database=Path(folder) / "steward.db")
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
def bare_bolt_server(slack: SlackEmulator) -> Iterator[Server]:
    """The baseline: a Bolt app that only acks the same command and the same button, in its
    own process like Steward (benchmarks/bare_bolt.py)."""
    port = _free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "benchmarks.bare_bolt", str(port), slack.api_url, SECRET, TOKEN],
        cwd=Path(__file__).resolve().parent.parent,
    )
    try:
        _wait_listening(port)
        yield Server(url=f"http://127.0.0.1:{port}")
    finally:
        process.terminate()
        process.wait(10)


def _wait_listening(port: int, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"the bare Bolt app did not start on port {port}")


Request = Callable[[SlackSender, int, int], requests.Response]


def delegate(sender: SlackSender, worker: int, count: int) -> requests.Response:
    return sender.command(f"<@{ASSIGNEE}|alice> Task {worker}-{count} by friday", user_id=DELEGATOR)


def load(
    base_url: str,
    response_url: str,
    *,
    concurrency: int,
    seconds: float,
    request: Request = delegate,
) -> dict[str, float]:
    """``concurrency`` clients sending ``request`` back to back for ``seconds``."""
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
            try:
                response = request(sender, n, count)
            except IndexError:  # ran out of offers to accept
                break
            elapsed = time.perf_counter() - started
            with lock:
                latencies.append(elapsed)
                errors += response.status_code != 200

    with ThreadPoolExecutor(concurrency) as pool:
        list(pool.map(worker, range(concurrency)))
    latencies.sort()
    if not latencies:
        raise RuntimeError("no request completed")
    return {
        "requests_per_s": len(latencies) / seconds,
        "p50_ms": 1000 * latencies[len(latencies) // 2],
        "p99_ms": 1000 * latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))],
        "errors": errors,
        "requests": len(latencies),
    }


def time_to_assignee(base_url: str, slack: SlackEmulator, *, count: int) -> dict[str, float]:
    """From the command to the offer DM reaching the double, one delegation at a time. The
    probes go round PROBED people, so no DM channel gets two within Slack's one second
    (Steward would rightly space those out)."""
    sender = SlackSender(
        base_url=base_url, signing_secret=SECRET, response_url=slack.response_url()
    )
    samples: list[float] = []
    for n in range(count):
        assignee = PROBED[n % len(PROBED)]
        dm = slack.dm_channel_for(assignee)
        before = len(
            [c for c in slack.calls_to("chat.postMessage") if c.params.get("channel") == dm]
        )
        started = time.perf_counter()
        sender.command(f"<@{assignee}> Latency probe {n}", user_id=DELEGATOR)
        slack.wait_for(
            "chat.postMessage",
            count=before + 1,
            where=lambda c, dm=dm: c.params.get("channel") == dm,
        )
        samples.append(time.perf_counter() - started)
    samples.sort()
    return {
        "p50_ms": 1000 * samples[len(samples) // 2],
        "p99_ms": 1000 * samples[min(len(samples) - 1, int(len(samples) * 0.99))],
        "samples": len(samples),
    }


def compare(
    steward: Server,
    bare: Server,
    slack: SlackEmulator,
    *,
    concurrency: int,
    seconds: float,
    repeat: int,
    requests_for: Callable[[Server], Request] = lambda _server: delegate,
) -> dict[str, Any]:
    """Steward against the baseline at one concurrency, alternated ``repeat`` times so
    machine noise hits both alike; medians, spread and the throughput ratio."""
    runs: dict[str, list[dict[str, float]]] = {"steward": [], "bare": []}
    for _ in range(repeat):
        for name, server in (("steward", steward), ("bare", bare)):
            sample = load(
                server.url,
                slack.response_url(),
                concurrency=concurrency,
                seconds=seconds,
                request=requests_for(server),
            )
            runs[name].append(sample)
    return _summarise(runs)


def offers_to_accept(server: Server, slack: SlackEmulator, *, count: int) -> Request:
    """Create ``count`` offers on Steward (through the real path), then a request that
    accepts the next one each time; the baseline acks any id."""
    if server.database is None:
        return lambda sender, _w, _n: sender.click(
            user_id=ASSIGNEE, action_id=ActionId.ACCEPT, value="1"
        )
    with ThreadPoolExecutor(16) as pool:
        senders = [
            SlackSender(
                base_url=server.url, signing_secret=SECRET, response_url=slack.response_url()
            )
            for _ in range(16)
        ]
        list(pool.map(lambda n: delegate(senders[n % 16], n, 0), range(count)))
    with sqlite3.connect(server.database) as connection:
        ids = [
            str(row[0])
            for row in connection.execute(
                "SELECT id FROM delegations WHERE status = 'offered' ORDER BY id"
            )
        ]
    waiting = deque(ids)

    def accept_next(sender: SlackSender, _worker: int, _count: int) -> requests.Response:
        return sender.click(user_id=ASSIGNEE, action_id=ActionId.ACCEPT, value=waiting.popleft())

    return accept_next


def peak_rss_mb(server: Server, slack: SlackEmulator, *, delegations: int) -> float:
    """Steward's peak resident memory (VmHWM) after ``delegations`` more delegations."""
    assert server.pid is not None
    sender_pool = [
        SlackSender(base_url=server.url, signing_secret=SECRET, response_url=slack.response_url())
        for _ in range(16)
    ]
    with ThreadPoolExecutor(16) as pool:
        list(pool.map(lambda n: delegate(sender_pool[n % 16], n, 1), range(delegations)))
    status = Path(f"/proc/{server.pid}/status").read_text()
    [kilobytes] = [line.split()[1] for line in status.splitlines() if line.startswith("VmHWM")]
    return int(kilobytes) / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--concurrency", type=int, nargs="+", default=[1, 16])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--probes", type=int, default=200)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    results = measure(
        seconds=args.seconds,
        concurrencies=args.concurrency,
        repeat=args.repeat,
        probes=args.probes,
        buttons=False,
        memory_after=0,
    )
    _print(results)
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))


def measure(
    *,
    seconds: float,
    concurrencies: list[int],
    repeat: int,
    probes: int,
    buttons: bool,
    memory_after: int,
) -> dict[str, Any]:
    """The request path (and on request the button path and memory), both sides served
    side by side against one Slack double."""
    results: dict[str, Any] = {"request_path": {}, "button_path": {}}
    with SlackEmulator(bot_token=TOKEN) as slack:
        slack.add_user(DELEGATOR, tz="America/New_York")
        slack.add_user(ASSIGNEE, tz="Europe/London")
        for person in PROBED:
            slack.add_user(person, tz="Europe/London")
        with steward_server(slack) as steward, bare_bolt_server(slack) as bare:
            for server in (steward, bare):  # warm up both
                load(server.url, slack.response_url(), concurrency=2, seconds=1)
            for concurrency in concurrencies:
                results["request_path"][concurrency] = compare(
                    steward, bare, slack, concurrency=concurrency, seconds=seconds, repeat=repeat
                )
            results["time_to_assignee"] = time_to_assignee(steward.url, slack, count=probes)
            if buttons:
                for concurrency in concurrencies:
                    # enough offers for the fastest run seen so far, with room to spare
                    fastest = max(
                        r["steward"]["requests_per_s"] for r in results["request_path"].values()
                    )
                    needed = int(fastest * seconds * repeat * 1.5) + 50
                    offers = offers_to_accept(steward, slack, count=needed)
                    results["button_path"][concurrency] = compare(
                        steward,
                        bare,
                        slack,
                        concurrency=concurrency,
                        seconds=seconds,
                        repeat=repeat,
                        requests_for=lambda server, offers=offers: (
                            offers
                            if server is steward
                            else offers_to_accept(server, slack, count=0)
                        ),
                    )
            if memory_after:
                results["peak_rss_mb"] = peak_rss_mb(steward, slack, delegations=memory_after)
                results["memory_after_delegations"] = memory_after
    return results


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


def table_rows(results: dict[str, Any], path: str) -> list[str]:
    """One line per concurrency and side: medians, spread, errors, ratio to the baseline."""
    lines = []
    for concurrency, summary in results[path].items():
        for name in ("steward", "bare"):
            row = summary[name]
            ratio = summary["throughput_ratio"] if name == "steward" else 1.0
            values = (row["requests_per_s"], row["rps_spread"], row["p50_ms"], row["p99_ms"])
            lines.append(
                "{:>4} {:<8} {:>8.1f} {:>6.1f} {:>8.1f} {:>8.1f} {:>6} {:>6.2f}".format(
                    concurrency, name, *values, row["errors"], ratio
                )
            )
    return lines


HEADER = "{:>4} {:<8} {:>8} {:>6} {:>8} {:>8} {:>6} {:>6}".format(
    "conn", "side", "req/s", "±", "p50 ms", "p99 ms", "errors", "ratio"
)


def _print(results: dict[str, Any]) -> None:
    print(HEADER)
    print("\n".join(table_rows(results, "request_path")))
    tta = results["time_to_assignee"]
    print(
        f"time to assignee DM: p50 {tta['p50_ms']:.1f} ms, "
        f"p99 {tta['p99_ms']:.1f} ms over {tta['samples']} delegations"
    )


if __name__ == "__main__":
    main()
