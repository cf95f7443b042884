"""What each person chooses for themselves."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from storage.people import set_quiet


def choose_quiet(session: Session, *, user_id: str, quiet: bool, now: datetime) -> None:
    """Quiet mode mutes routine notices for this person; never escalations or requests."""
    set_quiet(session, user_id=user_id, quiet=quiet, now=now)
