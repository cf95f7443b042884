"""Holding a replica at a known point: a transaction of the test's own that keeps rows locked,
as a slow transaction elsewhere would. Whatever writes those rows waits until it ends, so a
test can SIGKILL a replica while its work is certainly in flight."""

from __future__ import annotations

from collections.abc import Collection
from types import TracebackType

from sqlalchemy import Connection, Engine, text


def blocked_by(engine: Engine, pid: int) -> int:
    """How many sessions are waiting, directly or behind another waiter, for a lock that
    backend ``pid`` holds. (The second transaction to wait for a row queues behind the
    first one, which is then what PostgreSQL reports as blocking it.)"""
    query = text(
        "SELECT pid, pg_blocking_pids(pid) FROM pg_stat_activity"
        " WHERE cardinality(pg_blocking_pids(pid)) > 0"
    )
    with engine.connect() as connection:
        waits = {int(waiter): set(blockers) for waiter, blockers in connection.execute(query)}
    behind = {pid}
    while True:
        more = {waiter for waiter, blockers in waits.items() if blockers & behind} - behind
        if not more:
            return len(behind) - 1
        behind |= more


class RowLocks:
    """``SELECT ... FOR UPDATE`` on some rows, held until :meth:`release`."""

    def __init__(self, engine: Engine, *, table: str, ids: Collection[int]) -> None:
        self._engine = engine
        self._table = table
        self._ids = sorted(ids)
        self._connection: Connection | None = None
        self.pid = 0

    def __enter__(self) -> RowLocks:
        self._connection = self._engine.connect()
        self._connection.begin()
        self.pid = int(self._connection.execute(text("SELECT pg_backend_pid()")).scalar() or 0)
        self._connection.execute(
            text(f"SELECT id FROM {self._table} WHERE id = ANY(:ids) FOR UPDATE"),
            {"ids": self._ids},
        )
        return self

    def waiting(self) -> int:
        """How many transactions are stuck behind these locks right now."""
        return blocked_by(self._engine, self.pid)

    def release(self) -> None:
        if self._connection is not None:
            self._connection.rollback()
            self._connection.close()
            self._connection = None

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.release()
