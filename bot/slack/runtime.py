"""What the listeners share: settings, the database, the clock, the directory and delivery."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import Engine
from sqlmodel import Session

from bot.config.settings import Settings
from bot.domain.ports import Clock
from bot.domain.supervision import Supervisor
from bot.domain.work import Work
from bot.slack.directory import SlackDirectory
from bot.slack.outbox.delivery import Delivery
from bot.slack.outbox.notifier import SlackNotifier
from storage.db import reading, unit_of_work

T = TypeVar("T")


@dataclass
class Runtime:
    settings: Settings
    engine: Engine
    clock: Clock
    directory: SlackDirectory
    delivery: Delivery
    supervisor: Supervisor

    @contextmanager
    def work(self, now: datetime | None = None) -> Iterator[Work]:
        """One unit of work with a notifier bound to it; delivery wakes once it commits."""
        now = now or self.clock.now()
        with unit_of_work(self.engine) as session:
            notifier = SlackNotifier(session, now=now, remembered=self.directory.remembered)
            yield Work(session=session, notifier=notifier, now=now, supervisor=self.supervisor)
        self.delivery.wake()

    def run(self, command: Callable[..., T], **arguments: Any) -> T:
        """``command(work, **arguments)`` in its own unit of work, committed on return."""
        with self.work() as work:
            return command(work, **arguments)

    def reading(self) -> AbstractContextManager[Session]:
        """A read-only transaction, for what a listener checks before opening a form."""
        return reading(self.engine)
