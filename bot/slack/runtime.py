"""What the listeners share: settings, the database, the clock, the directory and delivery."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from sqlalchemy import Engine

from bot.config.settings import Settings
from bot.domain.ports import Clock, Work
from bot.domain.supervision import Supervisor
from bot.slack.directory import SlackDirectory
from bot.slack.outbox.delivery import Delivery
from bot.slack.outbox.notifier import SlackNotifier
from storage.db import unit_of_work


@dataclass
class Runtime:
    settings: Settings
    engine: Engine
    clock: Clock
    directory: SlackDirectory
    delivery: Delivery
    supervisor: Supervisor

    @contextmanager
    def work(self) -> Iterator[Work]:
        """One unit of work with a notifier bound to it; delivery wakes once it commits."""
        now = self.clock.now()
        with unit_of_work(self.engine) as session:
            notifier = SlackNotifier(session, now=now, remembered=self.directory.remembered)
            yield Work(session=session, notifier=notifier, now=now)
        self.delivery.wake()
