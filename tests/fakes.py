"""Fakes of the domain's ports for tests (the clock tests move: bot.app.clocks.ManualClock)."""

from __future__ import annotations

from bot.domain.ports import Person


class StaticDirectory:
    """A Directory (the domain port) over a fixed set of people."""

    def __init__(self, *people: Person) -> None:
        self.people = {person.user_id: person for person in people}

    def lookup(self, user_id: str) -> Person | None:
        return self.people.get(user_id)

    def known_tz(self, user_id: str) -> str | None:
        person = self.people.get(user_id)
        return person.tz if person else None
