"""What anyone who can reach the port can send, before a signature is checked: bad framing,
oversized heads and bodies, and slow clients, each refused while it is still being read,
without costing a worker."""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from datetime import timedelta
from urllib.parse import urlparse

import pytest
import requests

from bot.slack.http import limits
from bot.slack.http.server import HttpServer
from tests.conftest import ALICE, LEAD, METRICS_TOKEN, Running

READ_SECONDS = 10  # how long a test waits for an answer before it calls the server stuck


@contextmanager
def _client(running: Running) -> Iterator[socket.socket]:
    address = urlparse(running.base_url)
    with socket.create_connection((address.hostname, address.port), timeout=READ_SECONDS) as sock:
        yield sock


def _answer(sock: socket.socket) -> bytes:
    """What the server sends back, up to the end of its head."""
    received = b""
    while b"\r\n\r\n" not in received:
        chunk = sock.recv(65536)
        if not chunk:
            break
        received += chunk
    return received


def _status(answer: bytes) -> int:
    return int(answer.split(b" ", 2)[1])


def _post_head(*headers: str) -> bytes:
    lines = ["POST /slack/events HTTP/1.1", "Host: steward", *headers, "", ""]
    return "\r\n".join(lines).encode()


@pytest.mark.parametrize(
    ("headers", "status"),
    [
        (["Content-Length: -1"], 400),
        (["Content-Length: abc"], 400),
        (["Content-Length: 5, 5"], 400),
        (["Content-Length: 5", "Content-Length: 5"], 400),
        (["Content-Length: 5", "Content-Length: 6"], 400),
        (["Content-Length: 5", "Transfer-Encoding: chunked"], 400),
        (["Transfer-Encoding: chunked"], 400),
        ([f"Content-Length: {300 * 1024 * 1024}"], 413),
        ([f"Content-Length: {limits.MAX_BODY_BYTES + 1}"], 413),
    ],
)
def test_bad_framing_is_refused_before_any_body_is_sent(
    running: Running, headers: list[str], status: int
) -> None:
    with _client(running) as sock:
        sock.sendall(_post_head(*headers))  # and no body: the answer must not wait for one
        answer = _answer(sock)
    assert _status(answer) == status
    assert running.events() == []


def test_a_body_without_a_content_length_is_refused(running: Running) -> None:
    with _client(running) as sock:
        sock.sendall(_post_head("Content-Type: application/json") + b'{"type": "event"}')
        assert _status(_answer(sock)) == 400


def test_a_stream_behind_a_negative_length_is_not_read(running: Running) -> None:
    with _client(running) as sock:
        sock.sendall(_post_head("Content-Length: -1"))
        try:  # the answer comes while the client is still sending
            for _ in range(4):
                sock.sendall(b"x" * limits.MAX_BODY_BYTES)
        except OSError:
            pass  # the server closed the connection after answering
        assert _status(_answer(sock)) == 400


def test_headers_over_64_kib_are_refused_before_they_end(running: Running) -> None:
    with _client(running) as sock:
        sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: steward\r\nX-Padding: ")
        try:
            for _ in range(8):  # 128 KiB of one header, never finished
                sock.sendall(b"a" * 16 * 1024)
        except OSError:
            pass
        assert _status(_answer(sock)) == 431


def test_64_slow_clients_leave_the_bot_answering(running: Running) -> None:
    with ExitStack() as stack:
        for _ in range(64):  # each holds a request it never finishes, as a trickler does
            sock = stack.enter_context(_client(running))
            sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: steward\r\nX-Slow: a")
        health = requests.get(f"{running.base_url}/healthz", timeout=READ_SECONDS)
        assert health.status_code == 200
        assert (
            running.sender.command(f"<@{ALICE}> Renew the certificate", user_id=LEAD).status_code
            == 200
        )


def test_a_client_that_trickles_its_request_gets_408_at_the_whole_request_deadline(
    running: Running,
) -> None:
    with _client(running) as sock:
        sock.sendall(b"GET /healthz HTTP/1.1\r\n")
        # Once another client's request is answered, the front has read these first bytes
        # (it reads every readable connection in each turn of its loop).
        assert requests.get(f"{running.base_url}/healthz", timeout=READ_SECONDS).ok
        running.server_clock.advance(timedelta(seconds=limits.REQUEST_SECONDS))
        sock.sendall(b"X-Slow: a")  # a byte in time for each read, not for the request
        assert _status(_answer(sock)) == 408


def test_the_server_header_says_steward(running: Running) -> None:
    response = requests.get(f"{running.base_url}/healthz", timeout=READ_SECONDS)
    assert response.headers["Server"] == "steward"


def test_kept_alive_and_pipelined_requests_are_each_answered(running: Running) -> None:
    with _client(running) as sock:
        request = b"GET /healthz HTTP/1.1\r\nHost: steward\r\n\r\n"
        sock.sendall(request * 3)
        received = b""
        while received.count(b'{"ok": true}') < 3:
            chunk = sock.recv(65536)
            assert chunk, received
            received += chunk
        assert received.count(b"HTTP/1.1 200 OK") == 3


def test_metrics_ask_for_the_token(running: Running) -> None:
    url = f"{running.base_url}/metrics"
    assert requests.get(url, timeout=READ_SECONDS).status_code == 401
    wrong = {"Authorization": "Bearer not-it"}
    assert requests.get(url, headers=wrong, timeout=READ_SECONDS).status_code == 401
    right = {"Authorization": f"Bearer {METRICS_TOKEN}"}
    assert requests.get(url, headers=right, timeout=READ_SECONDS).status_code == 200


def test_a_client_waiting_for_100_continue_is_told_to_send_its_body(running: Running) -> None:
    body = b"command=%2Fdelegate&text=help"
    with _client(running) as sock:
        # and waits before sending the body, as curl does for a larger one
        sock.sendall(_post_head(f"Content-Length: {len(body)}", "Expect: 100-continue"))
        assert _answer(sock).startswith(b"HTTP/1.1 100 Continue")
        sock.sendall(body)
        assert _status(_answer(sock)) == 401  # read, then judged by its (missing) signature


def _hello(environ: dict[str, object], start_response: Callable[..., object]) -> list[bytes]:
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [b"hello"]


def test_connections_past_the_limit_are_answered_503_and_closed() -> None:
    server = HttpServer(_hello, host="127.0.0.1", port=0, threads=1, max_connections=2)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        with ExitStack() as stack:
            held = [
                stack.enter_context(socket.create_connection(("127.0.0.1", server.port), 10))
                for _ in range(2)
            ]
            for sock in held:  # each answered once, so the front has taken both in
                sock.sendall(b"GET / HTTP/1.1\r\nHost: steward\r\n\r\n")
                assert _status(_answer(sock)) == 200
            third = stack.enter_context(socket.create_connection(("127.0.0.1", server.port), 10))
            assert _status(_answer(third)) == 503
            assert third.recv(65536) == b""  # and closed
    finally:
        server.shutdown()
        thread.join(10)
