"""What each person chooses for themselves."""

from __future__ import annotations

from bot.domain.work import Work
from storage.people import set_quiet


def choose_quiet(work: Work, *, user_id: str, quiet: bool) -> None:
    """Quiet mode mutes routine notices for this person; never escalations or requests."""
    session, now = work.session, work.now
    set_quiet(session, user_id=user_id, quiet=quiet, now=now)
