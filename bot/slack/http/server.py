"""The HTTP server under ``steward serve --http`` (and the sandbox and the tests): cheroot,
CherryPy's production WSGI server, with a pool of threads each serving a request from its
first byte to its last.

Why cheroot and not waitress, which Steward ran on before: waitress reads and writes every
connection on one extra thread (an asyncore loop) that competes for the GIL with the
threads doing the work. Once Steward's work kept the GIL busy, that loop spun: at 16
connections on 2 cores it used about 0.45 s of CPU a second against 0.04 s at one
connection, and /delegate ran at about 230 requests/s with a p99 near 200 ms. On cheroot the
same app did about 500-550 requests/s with a p99 near 60 ms, while a bare Bolt app that only
acks did about 740 on either server (alternated runs, ``benchmarks/request_path.py``).

A worker reads its request itself, so a client that sends slowly holds a worker until a read
waits ``READ_TIMEOUT_SECONDS``; in production the reverse proxy or load balancer in front
(TLS ends there anyway) buffers requests before they reach Steward. The same timeout closes
a kept-alive connection left idle.
"""

from __future__ import annotations

import socket
from typing import Any

from cheroot import wsgi

# Requests served at once. More threads than the work can use only queue on the GIL and on
# SQLite's one writer. A request's wait on Slack (a first users.info, under 1 s) still
# leaves the others working.
SERVER_THREADS = 8
READ_TIMEOUT_SECONDS = 10  # cheroot's default
IDLE_CONNECTIONS = 64  # kept-alive connections waiting for their next request
# How often the loop over idle connections looks up: it also bounds how long shutdown waits
# for that loop (cheroot's default, 0.5 s, made each test's server take half a second to
# stop); 0.05 s is what cheroot itself uses on Windows.
WAKE_SECONDS = 0.05
SERVER_SOFTWARE = "steward"  # the Server header
STOP_WAIT_SECONDS = 1  # at shutdown, for a worker still busy before its socket is closed


def create(app: Any, *, host: str, port: int, threads: int = SERVER_THREADS) -> wsgi.Server:
    """A cheroot server for ``app`` (not yet listening): Steward's and the benchmark's
    baseline's, so both are served alike."""
    server = wsgi.Server(
        (host, port),
        app,
        numthreads=threads,
        request_queue_size=socket.SOMAXCONN,  # cheroot's default backlog is 5
        timeout=READ_TIMEOUT_SECONDS,
        shutdown_timeout=STOP_WAIT_SECONDS,
    )
    server.keep_alive_conn_limit = IDLE_CONNECTIONS
    server.expiration_interval = WAKE_SECONDS
    server.software = SERVER_SOFTWARE
    return server


class HttpServer:
    """``app`` served on ``host:port`` (0 for any free port, then read ``port``): listening,
    and its worker threads started, once constructed; ``run()`` serves until ``shutdown()``
    from another thread."""

    def __init__(self, app: Any, *, host: str, port: int, threads: int = SERVER_THREADS) -> None:
        self._server = create(app, host=host, port=port, threads=threads)
        self._server.prepare()  # binds and listens, so the port is known at once

    @property
    def port(self) -> int:
        return int(self._server.bind_addr[1])

    def run(self) -> None:
        """Serve until ``shutdown()``; however serving ends (Ctrl-C included), the workers
        are stopped, since they would keep the process alive."""
        try:
            self._server.serve()
        finally:
            self._server.stop()

    def shutdown(self) -> None:
        self._server.stop()
