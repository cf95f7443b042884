"""A clock the tests move by hand."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

from bot.domain.ports import Person


class FakeClock:
    def __init__(self, start: datetime | None = None) -> None:
        self._now = start or datetime(2026, 11, 23, 9, 0, tzinfo=UTC)  # a Monday morning
        self._lock = threading.Lock()

    def now(self) -> datetime:
        with self._lock:
            return self._now

    def advance(self, delta: timedelta) -> datetime:
        with self._lock:
            self._now += delta
            return self._now

    def set(self, moment: datetime) -> None:
        with self._lock:
            self._now = moment


class StaticDirectory:
    """A Directory (the domain port) over a fixed set of people."""

    def __init__(self, *people: Person) -> None:
        self.people = {person.user_id: person for person in people}

    def lookup(self, user_id: str) -> Person | None:
        return self.people.get(user_id)

    def known_tz(self, user_id: str) -> str | None:
        person = self.people.get(user_id)
        return person.tz if person else None
