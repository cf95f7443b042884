"""The unit of work every domain command takes."""

from __future__ import annotations

from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from sqlmodel import Session

from bot.domain.ports import Notifier
from bot.domain.supervision import Supervisor


@dataclass(frozen=True)
class Work:
    """One unit of work, what every domain command takes: a session, a notifier queuing
    inside it, the time, and the supervision policy with what it knows of people."""

    session: Session
    notifier: Notifier
    now: datetime
    supervisor: Supervisor


class WorkFactory(Protocol):
    def __call__(self, now: datetime | None = None) -> AbstractContextManager[Work]:
        """A unit of work that commits when the block ends (at ``now``, else the clock's)."""
        ...
