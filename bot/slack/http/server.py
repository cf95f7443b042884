"""The HTTP server under ``steward serve --http`` (and the sandbox and the tests): an
event-driven front that reads every request whole, on one thread and without blocking,
before a worker thread runs the WSGI app on it.

Why not a thread per connection (cheroot, which Steward ran on before): there a worker read
its own request, so eight clients sending a byte every few seconds held all eight workers
and ``/healthz`` stopped answering, and a ``Content-Length: -1`` or 150 MiB of headers were
buffered before any limit was looked at. Here a slow or hostile client costs a connection
and a few kilobytes, never a worker: a worker only ever sees a complete request within the
limits of ``limits.py``, and the answer is written back by the front. Measured on 2 cores
with 64 clients trickling headers, ``/healthz`` and a signed ``/delegate`` still answered in
milliseconds (``benchmarks/hostile_clients.py``).
"""

from __future__ import annotations

import contextlib
import errno
import logging
import queue
import selectors
import socket
import threading
import time
from collections.abc import Callable
from typing import Any

import h11

from bot.slack.http import limits
from bot.slack.http.connection import Complete, Connection, Phase, Refusal, refusal_bytes
from bot.slack.http.wsgi_call import call_app

log = logging.getLogger(__name__)

# Requests the app works on at once. More threads than the work can use only queue on the
# GIL and on SQLite's one writer. A request's wait on Slack (a first users.info, under 1 s)
# still leaves the others working.
SERVER_THREADS = 8
STOP_WAIT_SECONDS = 1.0  # at shutdown, for a worker still busy with a request
LISTEN_BACKLOG = socket.SOMAXCONN
_LISTENER, _WAKER = object(), object()
_BUSY = frozenset({errno.EAGAIN, errno.EWOULDBLOCK})


class HttpServer:
    """``app`` served on ``host:port`` (0 for any free port, then read ``port``): listening,
    and its worker threads started, once constructed; ``run()`` serves until ``shutdown()``
    from another thread."""

    def __init__(
        self,
        app: Callable[..., Any],
        *,
        host: str,
        port: int,
        threads: int = SERVER_THREADS,
        monotonic: Callable[[], float] = time.monotonic,
        max_connections: int = limits.MAX_CONNECTIONS,
    ) -> None:
        self._app = app
        self._max_connections = max_connections
        self._monotonic = monotonic
        self._listener = socket.create_server((host, port), backlog=LISTEN_BACKLOG)
        self._listener.setblocking(False)
        self._address = (host, int(self._listener.getsockname()[1]))
        self._selector = selectors.DefaultSelector()
        self._selector.register(self._listener, selectors.EVENT_READ, _LISTENER)
        self._wake_reader, self._wake_writer = socket.socketpair()
        self._wake_reader.setblocking(False)
        self._wake_writer.setblocking(False)
        self._selector.register(self._wake_reader, selectors.EVENT_READ, _WAKER)
        self._connections: set[Connection] = set()
        self._work: queue.SimpleQueue[tuple[Connection, Complete] | None] = queue.SimpleQueue()
        # Connections a worker is done with, its answer sent or partly sent.
        self._answered: queue.SimpleQueue[Connection] = queue.SimpleQueue()
        self._stopping = threading.Event()
        self._workers = [
            threading.Thread(target=self._work_loop, name=f"http-worker-{n}", daemon=True)
            for n in range(threads)
        ]
        for worker in self._workers:
            worker.start()

    @property
    def port(self) -> int:
        return self._address[1]

    def run(self) -> None:
        """Serve until ``shutdown()``; however serving ends (Ctrl-C included), every
        connection is closed and the workers are stopped."""
        try:
            while not self._stopping.is_set():
                try:
                    self._turn()
                except Exception:  # a fault in the front must not stop it serving
                    log.exception("the HTTP front's loop failed a turn; it goes on")
        finally:
            self._close()

    def shutdown(self) -> None:
        self._stopping.set()
        self._wake()

    # --- the front's loop -------------------------------------------------------------

    def _turn(self) -> None:
        for key, events in self._selector.select(timeout=self._wait()):
            try:
                self._ready(key.data, events)
            except Exception:  # one connection's fault must not stop the others
                log.exception("dropped a connection after an error in the front")
                if isinstance(key.data, Connection):
                    self._drop(key.data)
        self._expire(self._monotonic())

    def _ready(self, what: Any, events: int) -> None:
        if what is _LISTENER:
            self._accept()
        elif what is _WAKER:
            with contextlib.suppress(BlockingIOError):
                self._wake_reader.recv(4096)
            self._take_answers()
        elif events & selectors.EVENT_WRITE:
            self._write(what)
        else:
            self._read(what)

    def _accept(self) -> None:
        while True:
            try:
                sock, address = self._listener.accept()
            except OSError as error:  # nothing more to accept, or out of descriptors
                if error.errno not in _BUSY:
                    log.warning("could not accept a connection: %s", error)
                return
            sock.setblocking(False)
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            if len(self._connections) >= self._max_connections:
                with contextlib.suppress(OSError):
                    sock.send(refusal_bytes(Refusal(503, "too many connections")))
                sock.close()
                continue
            connection = Connection(sock, address, self._monotonic())
            self._connections.add(connection)
            self._selector.register(sock, selectors.EVENT_READ, connection)

    def _read(self, connection: Connection) -> None:
        try:
            data = connection.sock.recv(limits.READ_CHUNK_BYTES)
        except OSError as error:
            if error.errno not in _BUSY:
                self._drop(connection)
            return
        if not data:
            self._drop(connection)
            return
        self._handle(connection, connection.received(data, self._monotonic()))

    def _handle(self, connection: Connection, outcome: Complete | Refusal | None) -> None:
        now = self._monotonic()
        if isinstance(outcome, Refusal):
            connection.refuse(outcome, now)
            self._write(connection)
        elif isinstance(outcome, Complete):
            self._selector.unregister(connection.sock)
            connection.with_worker = True
            self._work.put((connection, outcome))
        elif connection.outgoing:  # "100 Continue", before the body is sent
            with contextlib.suppress(OSError):
                connection.sock.send(connection.outgoing)
            connection.outgoing = b""

    def _take_answers(self) -> None:
        while True:
            try:
                connection = self._answered.get_nowait()
            except queue.Empty:
                return
            connection.with_worker = False
            if connection not in self._connections:
                continue
            self._selector.register(connection.sock, selectors.EVENT_READ, connection)
            self._write(connection)  # what the worker could not send, if anything

    def _write(self, connection: Connection) -> None:
        try:
            sent = connection.sock.send(connection.outgoing)
        except OSError as error:
            if error.errno not in _BUSY:
                self._drop(connection)
            return
        connection.outgoing = connection.outgoing[sent:]
        if connection.outgoing:
            self._selector.modify(connection.sock, selectors.EVENT_WRITE, connection)
            return
        if connection.close_after_write:
            self._drop(connection)
            return
        self._selector.modify(connection.sock, selectors.EVENT_READ, connection)
        self._handle(connection, connection.written(self._monotonic()))

    def _expire(self, now: float) -> None:
        for connection in [c for c in self._connections if (c.deadline or now + 1) <= now]:
            if connection.phase is Phase.READING and connection.started:
                connection.refuse(Refusal(408, "request not sent in time"), now)
                self._write(connection)
                if connection in self._connections and connection.outgoing:
                    self._drop(connection)  # it does not read either
            else:
                self._drop(connection)

    def _wait(self) -> float:
        deadlines = [c.deadline for c in self._connections if c.deadline is not None]
        if not deadlines:
            return 1.0
        return min(1.0, max(0.0, min(deadlines) - self._monotonic()))

    def _drop(self, connection: Connection) -> None:
        self._connections.discard(connection)
        with contextlib.suppress(KeyError, ValueError):
            self._selector.unregister(connection.sock)
        connection.sock.close()

    def _wake(self) -> None:
        # BlockingIOError: a wake-up already pending will do; OSError: the front has stopped.
        with contextlib.suppress(OSError):
            self._wake_writer.send(b"\0")

    def _close(self) -> None:
        for connection in list(self._connections):
            self._drop(connection)
        for _ in self._workers:
            self._work.put(None)
        deadline = time.monotonic() + STOP_WAIT_SECONDS
        for worker in self._workers:
            worker.join(timeout=max(0.0, deadline - time.monotonic()))
        self._selector.close()
        for sock in (self._listener, self._wake_reader, self._wake_writer):
            sock.close()

    # --- the workers ------------------------------------------------------------------

    def _work_loop(self) -> None:
        while (item := self._work.get()) is not None:
            connection, complete = item
            response, body = call_app(
                self._app, complete, client=connection.address, server=self._address
            )
            self._send_answer(connection, response, body)
            self._answered.put(connection)
            self._wake()

    def _send_answer(self, connection: Connection, response: h11.Response, body: bytes) -> None:
        """Write the answer from the worker, while it still holds the connection: the
        client has it at once, not after the loop's next turn (the loop writes whatever a
        full socket buffer leaves over)."""
        now = self._monotonic()
        try:
            connection.answer(response, body, now)
        except h11.LocalProtocolError:  # an answer HTTP cannot carry: the app's fault
            log.exception("the app's answer could not be sent")
            connection.refuse(Refusal(500, "error"), now)
        # OSError: a full buffer for the loop to wait on, or a client gone, which it sees.
        with contextlib.suppress(OSError):
            connection.outgoing = connection.outgoing[connection.sock.send(connection.outgoing) :]
