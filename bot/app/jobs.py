"""The scheduler's work: find what is due by index, then do each piece in its own unit of
work, claimed so that a late tick, a restart or a second replica never does it twice."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, fields
from datetime import datetime
from typing import Any

from sqlalchemy import Engine

from bot.domain.checkins import note_overdue, send_checkin, send_reminder
from bot.domain.digest_schedule import DigestPolicy, post_lead_digest, post_weekly_digest
from bot.domain.escalation import climb
from bot.domain.escalation_triggers import on_accept_deadline, on_answer_deadline
from bot.domain.work import Work, WorkFactory
from bot.observability.logs import log_context
from bot.slack.outbox.purge import purge_delivered
from storage.db import reading
from storage.models import Checkin, Delegation, Escalation
from storage.rows import due_rows, due_statement

log = logging.getLogger(__name__)

BATCH = 500
# Each kind of scheduled work: the row it is about, and its indexed "due at" column.
DUE_COLUMNS: dict[str, tuple[Any, Any]] = {
    "overdue": (Delegation.id, Delegation.overdue_watch_at),
    "checkins": (Delegation.id, Delegation.next_checkin_at),
    "reminders": (Delegation.id, Delegation.reminder_at),
    "not_accepted": (Delegation.id, Delegation.accept_deadline_at),
    "unanswered": (Checkin.id, Checkin.answer_deadline_at),
    "climbs": (Escalation.id, Escalation.next_step_at),
}
DUE_WORK = due_statement(DUE_COLUMNS)
# How log lines name each kind's row id; the other kinds' rows are delegations.
ROW_ID_NAMES = {"unanswered": "checkin_id", "climbs": "escalation_id"}

# One step of due work: (its unit of work, row id, the due time it was found with).
Step = Callable[[Work, int, datetime], object]


@dataclass(frozen=True)
class TickReport:
    overdue: int = 0
    checkins: int = 0
    reminders: int = 0
    not_accepted: int = 0
    unanswered: int = 0
    climbs: int = 0
    digests: int = 0
    purged: int = 0

    def __bool__(self) -> bool:
        return any(getattr(self, f.name) for f in fields(self))


def tick(
    engine: Engine, work: WorkFactory, *, now: datetime, digest: DigestPolicy | None = None
) -> TickReport:
    with reading(engine) as session:
        due = due_rows(session, statement=DUE_WORK, kinds=DUE_COLUMNS, now=now, limit=BATCH)
    steps: dict[str, Step] = {
        "overdue": lambda w, i, at: note_overdue(w, delegation_id=i, expected=at),
        "checkins": lambda w, i, at: send_checkin(w, delegation_id=i, slot=at),
        "reminders": lambda w, i, at: send_reminder(w, delegation_id=i, expected=at),
        "not_accepted": lambda w, i, at: on_accept_deadline(w, delegation_id=i, expected=at),
        "unanswered": lambda w, i, at: on_answer_deadline(w, checkin_id=i, expected=at),
        "climbs": lambda w, i, at: climb(w, escalation_id=i, expected_step_at=at),
    }
    done = {
        name: run_steps(work, steps[name], rows, now, ROW_ID_NAMES.get(name, "delegation_id"))
        for name, rows in due.items()
    }
    if digest is not None and digest.period_end(now) is not None:
        done["digests"] = run_steps(
            work, lambda w, _i, _at: post_weekly_digest(w, policy=digest), [(0, now)], now
        )
        leads = sorted(digest.teams)
        done["digests"] += run_steps(
            work,
            lambda w, i, _at: post_lead_digest(w, lead=leads[i], policy=digest),
            [(number, now) for number in range(len(leads))],
            now,
        )
    done["purged"] = purge_delivered(engine, now=now)
    report = TickReport(**done)
    if report:
        log.info("tick at %s: %s", now.isoformat(), report)
    return report


def run_steps(
    work: WorkFactory,
    step: Step,
    rows: Sequence[tuple[int, datetime]],
    now: datetime,
    row_id_name: str | None = None,
) -> int:
    """Each row in its own unit of work: one failure never undoes the others' work. Log
    lines made meanwhile carry the row's id as ``row_id_name`` (e.g. ``delegation_id``)."""
    done = 0
    for row_id, due_at in rows:
        with log_context(**({row_id_name: row_id} if row_id_name else {})):
            try:
                with work(now) as unit:
                    done += bool(step(unit, row_id, due_at))
            except Exception:
                log.exception("scheduled step failed for row %s; the next tick retries it", row_id)
    return done
