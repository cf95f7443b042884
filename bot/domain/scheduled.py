"""The registry of scheduled work. Each kind names the row it is about and that row's
indexed "due at" column, and its step: the unit of work that does it, given the row's id
and the due time the row was found with. The tick finds every kind's due rows in one query
and runs their steps; it names no kind itself.

Adding a kind is its column (on the model, and a migration) and a function here-registered:

    @scheduled("reminders", Delegation.id, Delegation.reminder_at)
    def send_reminder(work: Work, delegation_id: int, expected: datetime) -> bool: ...
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

from bot.domain.work import Work

# One step of due work: (its unit of work, row id, the due time it was found with); true
# when it did something.
Step = Callable[[Work, int, datetime], object]
S = TypeVar("S", bound=Step)


@dataclass(frozen=True)
class Scheduled:
    name: str
    row_id: Any  # the row's key column
    due_at: Any  # its indexed "due at" column, cleared (or moved on) once the step is done
    step: Step
    row_id_name: str  # how log lines name the row's id


SCHEDULED: dict[str, Scheduled] = {}


def scheduled(
    name: str, row_id: Any, due_at: Any, *, row_id_name: str = "delegation_id"
) -> Callable[[S], S]:
    """Register the decorated function as the step of the scheduled kind ``name``."""

    def register(step: S) -> S:
        SCHEDULED[name] = Scheduled(name, row_id, due_at, step, row_id_name)
        return step

    return register
