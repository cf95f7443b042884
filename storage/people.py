"""What people chose for themselves. Keyword-only, session first, never commit."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import bindparam
from sqlmodel import Session, col, select

from storage.models import PersonSettings
from storage.rows import insert_once

# Built once: the notifier asks for every routine notice.
_QUIET = select(PersonSettings.quiet).where(col(PersonSettings.user_id) == bindparam("user_id"))


def is_quiet(session: Session, *, user_id: str) -> bool:
    """Whether the person chose quiet mode (as stored; not loaded into the session)."""
    return bool(session.connection().execute(_QUIET, {"user_id": user_id}).scalar())


def set_quiet(session: Session, *, user_id: str, quiet: bool, now: datetime) -> None:
    settings = session.get(PersonSettings, user_id)
    if settings is None:
        if insert_once(session, PersonSettings(user_id=user_id, quiet=quiet, updated_at=now)):
            return
        settings = session.get(PersonSettings, user_id, populate_existing=True)
        assert settings is not None  # another request's insert won; update that row
    settings.quiet = quiet
    settings.updated_at = now
    session.add(settings)
    session.flush()
