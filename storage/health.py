"""Is the database there right now? Asked on a fresh connection, within a short deadline.

A pooled connection would lie: an open SQLite file keeps answering after its directory is
gone, and a pooled PostgreSQL connection may hang until the operating system gives up on
it. So each check opens a new connection (no pool; PostgreSQL with a connect timeout,
SQLite read-write without creating the file) and waits at most ``timeout`` seconds for
``SELECT 1``. The same deadline is lent to other cheap scrape-time queries (``within``).

A probe storm must not become a connection storm (each PostgreSQL connection is a new
backend process): an answer stands for ``FRESH_SECONDS``, and the checks asked for while one
is under way wait for its answer instead of opening their own connections.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from typing import TypeVar
from urllib.parse import quote

from sqlalchemy import Engine, create_engine, text
from sqlalchemy.pool import NullPool

T = TypeVar("T")
DEFAULT_TIMEOUT_SECONDS = 2.0
FRESH_SECONDS = 1.0  # how long one answer stands for every check asked for


class DatabaseTimeout(Exception):
    """The database did not answer within the deadline."""


class DatabaseCheck:
    def __init__(
        self,
        engine: Engine,
        *,
        timeout: float = DEFAULT_TIMEOUT_SECONDS,
        monotonic: Callable[[], float] = time.monotonic,  # seconds, for how fresh an answer is
    ) -> None:
        self._timeout = timeout
        self._monotonic = monotonic
        self._lock = threading.Lock()
        self._answer: tuple[float, str | None] | None = None  # (when asked, the answer)
        self._own_probe = _probe_engine(engine, timeout)
        self._probe = self._own_probe or engine
        # Two workers: a hung probe holds one; a timed-out call that never started is
        # cancelled, so calls cannot pile up behind a hang.
        self._pool = ThreadPoolExecutor(max_workers=2, thread_name_prefix="db-check")

    def problem(self) -> str | None:
        """None when ``SELECT 1`` answered on a new connection in time, at most
        ``FRESH_SECONDS`` ago, else a short reason."""
        with self._lock:
            now = self._monotonic()
            if self._answer is None or not 0 <= now - self._answer[0] < FRESH_SECONDS:
                self._answer = (now, self._ask())
            return self._answer[1]

    def _ask(self) -> str | None:
        try:
            self.within(self._select_one)
        except DatabaseTimeout:
            return f"database did not answer within {self._timeout:g}s"
        except Exception as error:
            return f"database unreachable ({type(error).__name__})"
        return None

    def within(self, call: Callable[[], T]) -> T:
        """``call()`` in a worker; raises DatabaseTimeout when it takes longer than the
        deadline (the worker is left to finish on its own)."""
        future = self._pool.submit(call)
        try:
            return future.result(timeout=self._timeout)
        except FutureTimeout:
            future.cancel()
            raise DatabaseTimeout from None

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)
        if self._own_probe is not None:
            self._own_probe.dispose()

    def _select_one(self) -> None:
        with self._probe.connect() as connection:
            connection.execute(text("SELECT 1"))


def _probe_engine(engine: Engine, timeout: float) -> Engine | None:
    """A pool-less engine for the check, or None to use the app's own (in-memory SQLite:
    nothing on disk to lose)."""
    url = engine.url
    if url.get_backend_name() == "sqlite":
        path = url.database
        if not path or path == ":memory:":
            return None
        return create_engine(
            "sqlite://",
            poolclass=NullPool,
            creator=lambda: sqlite3.connect(
                f"file:{quote(path)}?mode=rw", uri=True, timeout=timeout, check_same_thread=False
            ),
        )
    connect_args = {"connect_timeout": max(1, round(timeout))}
    if url.get_backend_name() != "postgresql":
        connect_args = {}
    return create_engine(url, poolclass=NullPool, connect_args=connect_args)
