"""Fakes of the domain's ports for tests (the clock tests move: bot.app.clocks.ManualClock)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlmodel import Session

from bot.domain.ports import Notifier, Person
from bot.domain.supervision import SupervisionPolicy, Supervisor
from bot.domain.work import Work


class StaticDirectory:
    """A Directory (the domain port) over a fixed set of people."""

    def __init__(self, *people: Person) -> None:
        self.people = {person.user_id: person for person in people}

    def lookup(self, user_id: str) -> Person | None:
        return self.people.get(user_id)

    def known_tz(self, user_id: str) -> str | None:
        person = self.people.get(user_id)
        return person.tz if person else None


@dataclass(frozen=True)
class Told:
    """One thing the domain asked the notifier to tell: the port's method, the item it is
    about (its id), and the rest of what it was given."""

    what: str
    delegation_id: int | None
    details: dict[str, Any]


@dataclass
class RecordingNotifier:
    """A Notifier that remembers what the domain asked it to tell, and sends nothing: domain
    tests assert on who is told what, not on Slack's wording."""

    told: list[Told] = field(default_factory=list)

    def kinds(self) -> list[str]:
        return [entry.what for entry in self.told]

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_") or not hasattr(Notifier, name):
            raise AttributeError(name)

        def record(*args: Any, **kwargs: Any) -> None:
            first = args[0] if args else None
            item = getattr(first, "id", None) if first is not None else None
            self.told.append(Told(name, item, {"args": args[1:], **kwargs}))

        return record


DEFAULT_SUPERVISOR = Supervisor(policy=SupervisionPolicy(), directory=StaticDirectory())


def work_in(
    session: Session,
    *,
    now: datetime,
    notifier: Any = None,
    supervisor: Supervisor | None = None,
) -> Work:
    """A unit of work for a domain test, in ``session``: recording what is told unless given
    another notifier, under the default policy unless given another supervisor."""
    return Work(
        session=session,
        notifier=notifier if notifier is not None else RecordingNotifier(),
        now=now,
        supervisor=supervisor or DEFAULT_SUPERVISOR,
    )
