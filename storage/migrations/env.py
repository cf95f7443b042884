"""Alembic environment: runs against the engine Steward hands over (see storage.db.upgrade)."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Engine, create_engine
from sqlmodel import SQLModel

import storage.models  # noqa: F401  (registers the tables on the metadata)

target_metadata = SQLModel.metadata


def _engine() -> Engine:
    engine = context.config.attributes.get("engine")
    if engine is not None:
        return engine
    return create_engine(context.config.get_main_option("sqlalchemy.url"))


def run_migrations_online() -> None:
    with _engine().connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_as_batch=connection.dialect.name == "sqlite",
        )
        with context.begin_transaction():
            context.run_migrations()
        connection.commit()


run_migrations_online()
