"""The Alembic migrations build exactly the tables the models describe, on both backends,
and go down and up again cleanly."""

from __future__ import annotations

from alembic import command
from sqlalchemy import inspect

from storage.db import alembic_config, make_engine, upgrade


def test_migrations_match_the_models_and_round_trip(database_url: str) -> None:
    engine = make_engine(database_url)
    try:
        upgrade(engine)
        upgrade(engine)  # idempotent: serve runs it at every start
        config = alembic_config(engine)
        command.check(config)  # raises if the models and the migrations disagree
        command.downgrade(config, "base")
        assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
        command.upgrade(config, "head")
        tables = set(inspect(engine).get_table_names())
        assert {"delegations", "events", "outbox", "checkins", "escalations"} <= tables
    finally:
        engine.dispose()
