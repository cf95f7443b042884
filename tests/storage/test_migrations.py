"""The Alembic migrations build exactly the tables the models describe, on both backends,
and go down and up again cleanly."""

from __future__ import annotations

import json
from datetime import datetime

from alembic import command
from sqlalchemy import inspect, text
from sqlmodel import Session, select

from storage.db import alembic_config, make_engine, upgrade
from storage.models import EscalationNotice

AT = datetime(2026, 11, 23, 9, 0)  # as the old rows hold it (UTC)


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


def test_escalations_in_progress_keep_their_messages_across_0012(database_url: str) -> None:
    """An escalation climbing when Steward is upgraded: each level it told is recorded
    under the key its message landed with, so later edits still find those messages."""
    engine = make_engine(database_url)
    try:
        upgrade(engine, "0011")
        with engine.begin() as connection:
            connection.execute(
                text(
                    "INSERT INTO delegations (id, delegator_id, assignee_id, task, status,"
                    " created_at, updated_at) VALUES (1, 'U0LEAD', 'U0ALICE', 'Ship it',"
                    " 'accepted', :at, :at)"
                ),
                {"at": AT},
            )
            connection.execute(
                text(
                    "INSERT INTO escalations (id, delegation_id, reason, chain, level, target,"
                    " status, started_at, stalled_since, level_started_at) VALUES (7, 1,"
                    " 'blocked', :chain, 2, 'U0DAVE', 'open', :at, :at, :at)"
                ),
                {"chain": json.dumps(["U0CAROL", "U0DAVE", "C0FALLBACK"]), "at": AT},
            )
        upgrade(engine)
        with Session(engine) as session:
            notices = session.exec(select(EscalationNotice).order_by(EscalationNotice.level))
            assert [(n.level, n.recipient, n.message_key) for n in notices] == [
                (1, "U0CAROL", "escalation:7:to:U0CAROL"),
                (2, "U0DAVE", "escalation:7:to:U0DAVE"),
            ]
    finally:
        engine.dispose()
