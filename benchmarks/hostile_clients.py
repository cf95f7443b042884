"""What an unauthenticated client can do to ``steward serve --http``: the server's peak
memory while it is sent a never-ending body behind ``Content-Length: -1`` and then an
endless header, and how fast ``/healthz`` and a signed ``/delegate`` answer while 64 slow
clients each hold a half-sent request open.

    python benchmarks/hostile_clients.py [--stream-mib 300] [--header-mib 150]

Each attack runs on a fresh server; peak memory is the server process's VmHWM.
"""

from __future__ import annotations

import argparse
import json
import socket
import statistics
import sys
import time
from contextlib import ExitStack
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import requests

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.request_path import SECRET, TOKEN, steward_server
from sandbox.emulator import SlackEmulator
from tests.slack_requests import SlackSender

MIB = 1024 * 1024
CHUNK = b"x" * 65536


def _peak_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _connect(url: str) -> socket.socket:
    address = urlparse(url)
    sock = socket.create_connection((address.hostname, address.port), timeout=60)
    return sock


def _flood(url: str, head: bytes, mib: int) -> tuple[str, float]:
    """Send ``head`` then ``mib`` MiB (or until the server hangs up): the server's first
    answer line, and the seconds until it came."""
    started = time.perf_counter()
    with _connect(url) as sock:
        sock.sendall(head)
        try:
            for _ in range(mib * MIB // len(CHUNK)):
                sock.sendall(CHUNK)
        except OSError:
            pass  # it answered and closed
        try:
            answer = sock.recv(4096).split(b"\r\n", 1)[0].decode()
        except OSError as error:
            answer = f"({type(error).__name__})"
    return answer or "(closed, no answer)", time.perf_counter() - started


def memory_attack(slack: SlackEmulator, head: bytes, mib: int) -> dict[str, Any]:
    with steward_server(slack) as server:
        assert server.pid is not None
        before = _peak_mb(server.pid)
        answer, seconds = _flood(server.url, head, mib)
        return {
            "answer": answer,
            "seconds": round(seconds, 3),
            "peak_mb_before": round(before, 1),
            "peak_mb_after": round(_peak_mb(server.pid), 1),
        }


def slow_clients(slack: SlackEmulator, *, clients: int, calls: int) -> dict[str, Any]:
    with steward_server(slack) as server, ExitStack() as stack:
        for _ in range(clients):
            sock = stack.enter_context(_connect(server.url))
            sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: steward\r\nX-Slow: a")
        health, delegate = [], []
        sender = SlackSender(
            base_url=server.url, signing_secret=SECRET, response_url=slack.response_url()
        )
        for n in range(calls):
            started = time.perf_counter()
            try:
                ok = requests.get(f"{server.url}/healthz", timeout=15).ok
            except requests.RequestException:
                ok = False
            health.append(time.perf_counter() - started if ok else float("inf"))
            started = time.perf_counter()
            try:
                ok = sender.command(f"<@U0ALICE> Slow-client check {n}", user_id="U0LEAD").ok
            except requests.RequestException:
                ok = False
            delegate.append(time.perf_counter() - started if ok else float("inf"))
        return {
            "clients": clients,
            "healthz_ms_median": round(statistics.median(health) * 1000, 1),
            "healthz_ms_max": round(max(health) * 1000, 1),
            "delegate_ms_median": round(statistics.median(delegate) * 1000, 1),
            "delegate_ms_max": round(max(delegate) * 1000, 1),
        }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--stream-mib", type=int, default=300)
    parser.add_argument("--header-mib", type=int, default=150)
    parser.add_argument("--clients", type=int, default=64)
    parser.add_argument("--calls", type=int, default=10)
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    arguments = parser.parse_args()
    with SlackEmulator(bot_token=TOKEN) as slack:
        results = {
            "negative_length_stream": memory_attack(
                slack,
                b"POST /slack/events HTTP/1.1\r\nHost: steward\r\nContent-Length: -1\r\n\r\n",
                arguments.stream_mib,
            ),
            "endless_header": memory_attack(
                slack,
                b"GET /healthz HTTP/1.1\r\nHost: steward\r\nX-Padding: ",
                arguments.header_mib,
            ),
            "slow_clients": slow_clients(slack, clients=arguments.clients, calls=arguments.calls),
        }
    if arguments.json:
        arguments.json.write_text(json.dumps(results))
    for name, figures in results.items():
        print(f"{name:24} " + "  ".join(f"{key}={value}" for key, value in figures.items()))


if __name__ == "__main__":
    main()
