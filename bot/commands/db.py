"""``steward db upgrade``: apply the schema migrations to DATABASE_URL."""

from __future__ import annotations

from typing import TextIO

from bot.config.settings import Settings
from storage.db import make_engine, upgrade


def run_upgrade(settings: Settings, *, out: TextIO) -> int:
    upgrade(make_engine(settings.database_url))
    print("steward: the database schema is up to date", file=out)
    return 0
