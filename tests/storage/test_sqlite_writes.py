"""SQLite's one writer at a time: the write lock passes to the next writer only once the
transaction has really ended, so that writer never finds the database still locked."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import Connection, Engine, event

from storage.db import make_engine, unit_of_work, upgrade
from storage.events import record_event
from storage.outbox import enqueue, row

NOW = datetime(2026, 11, 21, 15, 0, tzinfo=UTC)


@pytest.fixture
def sqlite_file(tmp_path: Path) -> Path:
    return tmp_path / "steward.db"


@pytest.fixture
def engine(sqlite_file: Path) -> Engine:
    engine = make_engine(f"sqlite:///{sqlite_file}")
    upgrade(engine)
    return engine


def another_writer_could_begin(sqlite_file: Path) -> bool:
    """Whether a writer on its own connection could begin now, without waiting at all."""
    other = sqlite3.connect(sqlite_file, timeout=0, isolation_level=None)
    try:
        other.execute("BEGIN IMMEDIATE")
        other.execute("ROLLBACK")
        return True
    except sqlite3.OperationalError:  # database is locked
        return False
    finally:
        other.close()


@pytest.mark.parametrize("ending", ["commit", "rollback"])
def test_the_database_is_free_when_the_lock_passes(
    engine: Engine, sqlite_file: Path, ending: str
) -> None:
    seen: list[bool] = []

    def after_ours(connection: Connection) -> None:  # runs after Steward's own listener
        seen.append(another_writer_could_begin(sqlite_file))

    event.listen(engine, ending, after_ours)
    try:
        with unit_of_work(engine) as session:
            enqueue(session, row(kind="post", recipient="U1", payload={"text": "hi"}, now=NOW))
            if ending == "rollback":
                raise RuntimeError("undo")
    except RuntimeError:
        pass
    assert seen == [True]


def test_committed_rows_are_kept_and_rolled_back_ones_are_not(engine: Engine) -> None:
    with unit_of_work(engine) as session:
        kept = record_event(session, delegation_id=None, type="kept", actor="U1", at=NOW)
    with pytest.raises(RuntimeError), unit_of_work(engine) as session:
        record_event(session, delegation_id=None, type="undone", actor="U1", at=NOW)
        raise RuntimeError("undo")
    with engine.connect() as connection:
        types = [row[0] for row in connection.exec_driver_sql("SELECT type FROM events")]
    assert types == ["kept"]
    assert kept.id is not None
