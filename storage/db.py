"""Engines, the unit of work, and the schema migrations runner."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config as AlembicConfig
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlmodel import Session

MIGRATIONS_DIR = Path(__file__).parent / "migrations"
READ_ONLY = "steward_read_only"


def normalise_url(url: str) -> str:
    """Let people write ``postgresql://`` and still get the psycopg 3 driver we ship."""
    parsed = make_url(url)
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed.render_as_string(hide_password=False)


def make_engine(url: str) -> Engine:
    url = normalise_url(url)
    if make_url(url).get_backend_name() == "sqlite":
        return _sqlite_engine(url)
    return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=10)


def _sqlite_engine(url: str) -> Engine:
    engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})
    # SQLite has one writer at a time. Writers queue on this lock, so they are woken the
    # moment the previous one finishes instead of polling in SQLite's busy handler.
    write_lock = threading.Lock()

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy, not the driver, decide when transactions begin (see _on_begin).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        if make_url(url).database not in (None, "", ":memory:"):
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")  # safe with WAL; one fsync per checkpoint
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Connection) -> None:
        if connection.get_execution_options().get(READ_ONLY):
            connection.exec_driver_sql("BEGIN")  # readers never wait for writers under WAL
            return
        # Take the write lock up front: a read-then-write unit of work can then never fail
        # half-way with "database is locked" because another writer got in between.
        write_lock.acquire()
        connection.info["holds_write_lock"] = True
        try:
            connection.exec_driver_sql("BEGIN IMMEDIATE")
        except BaseException:
            _release(connection)
            raise

    def _release(connection: Connection) -> None:
        if connection.info.pop("holds_write_lock", False):
            write_lock.release()

    # SQLAlchemy fires "commit" and "rollback" just *before* it commits or rolls back.
    # Releasing the lock there let the next writer's BEGIN IMMEDIATE find the database
    # still locked and sleep in SQLite's busy handler, holding the lock meanwhile. So the
    # transaction ends here, then the lock goes; SQLAlchemy's own COMMIT or ROLLBACK that
    # follows finds no transaction and does nothing.
    def _commit_then_release(connection: Connection) -> None:
        if connection.info.get("holds_write_lock"):
            try:
                connection.connection.dbapi_connection.commit()  # type: ignore[union-attr]
            except Exception:
                return  # SQLAlchemy's commit raises it properly; its rollback releases
        _release(connection)

    def _rollback_then_release(connection: Connection) -> None:
        if connection.info.get("holds_write_lock"):
            try:
                connection.connection.dbapi_connection.rollback()  # type: ignore[union-attr]
            finally:
                _release(connection)

    event.listen(engine, "commit", _commit_then_release)
    event.listen(engine, "rollback", _rollback_then_release)
    return engine


@contextmanager
def unit_of_work(engine: Engine) -> Iterator[Session]:
    """One transaction: commits once when the block ends, rolls back if it raises."""
    with Session(engine, expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


@contextmanager
def reading(engine: Engine) -> Iterator[Session]:
    """A read-only transaction. On SQLite it does not queue behind writers."""
    with Session(engine.execution_options(**{READ_ONLY: True})) as session:
        yield session  # closing ends the transaction and keeps loaded rows readable


def is_reachable(engine: Engine) -> bool:
    try:
        with engine.execution_options(**{READ_ONLY: True}).connect() as connection:
            connection.execute(text("SELECT 1"))
    except Exception:
        return False
    return True


def alembic_config(engine: Engine) -> AlembicConfig:
    config = AlembicConfig()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["engine"] = engine
    return config


def schema_problem(engine: Engine) -> str | None:
    """Why this database cannot be read as it is (unreachable, not created, or older or
    newer than this version of Steward), or None. Changes nothing."""
    if not is_reachable(engine):
        return "cannot connect to the database (DATABASE_URL)"
    script = ScriptDirectory.from_config(alembic_config(engine))
    with engine.execution_options(**{READ_ONLY: True}).connect() as connection:
        current = MigrationContext.configure(connection).get_current_revision()
    if current is None:
        return "the database has no Steward schema yet; run `steward db upgrade`"
    if current != script.get_current_head():
        known = {revision.revision for revision in script.walk_revisions()}
        if current not in known:
            return f"the database is at revision {current}, newer than this Steward"
        return "the database schema is out of date; run `steward db upgrade`"
    return None


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Create or upgrade the schema to ``revision``."""
    command.upgrade(alembic_config(engine), revision)
