"""The scheduler's work: find what is due by index, then do each piece in its own unit of
work, claimed so that a late tick, a restart or a second replica never does it twice."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, fields
from datetime import datetime
from typing import Any

from sqlalchemy import Engine
from sqlmodel import Session

from bot.domain.checkins import note_overdue, send_checkin, send_reminder
from bot.domain.digest_schedule import DigestPolicy, post_lead_digest, post_weekly_digest
from bot.domain.escalation import climb
from bot.domain.escalation_triggers import on_accept_deadline, on_answer_deadline
from bot.domain.ports import Notifier, WorkFactory
from bot.domain.supervision import Supervisor
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

# One step of due work: (session, row id, the due time it was found with, now, notifier).
Step = Callable[[Session, int, datetime, datetime, Notifier], object]


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
    engine: Engine,
    work: WorkFactory,
    *,
    now: datetime,
    supervisor: Supervisor,
    digest: DigestPolicy | None = None,
) -> TickReport:
    with reading(engine) as session:
        due = due_rows(session, statement=DUE_WORK, kinds=DUE_COLUMNS, now=now, limit=BATCH)
    steps: dict[str, Step] = {
        "overdue": lambda s, i, at, n, notifier: note_overdue(
            s, delegation_id=i, expected=at, now=n, supervisor=supervisor, notifier=notifier
        ),
        "checkins": lambda s, i, at, n, notifier: send_checkin(
            s, delegation_id=i, slot=at, now=n, supervisor=supervisor, notifier=notifier
        ),
        "reminders": lambda s, i, at, n, notifier: send_reminder(
            s, delegation_id=i, expected=at, now=n, notifier=notifier
        ),
        "not_accepted": lambda s, i, at, n, notifier: on_accept_deadline(
            s, delegation_id=i, expected=at, now=n, supervisor=supervisor, notifier=notifier
        ),
        "unanswered": lambda s, i, at, n, notifier: on_answer_deadline(
            s, checkin_id=i, expected=at, now=n, supervisor=supervisor, notifier=notifier
        ),
        "climbs": lambda s, i, at, n, notifier: climb(
            s,
            escalation_id=i,
            expected_step_at=at,
            now=n,
            supervisor=supervisor,
            notifier=notifier,
        ),
    }
    done = {
        name: _run(work, steps[name], rows, now, ROW_ID_NAMES.get(name, "delegation_id"))
        for name, rows in due.items()
    }
    if digest is not None and digest.period_end(now) is not None:
        done["digests"] = _run(
            work,
            lambda s, _i, _at, n, notifier: post_weekly_digest(
                s, now=n, policy=digest, notifier=notifier
            ),
            [(0, now)],
            now,
        )
        leads = sorted(digest.teams)
        done["digests"] += _run(
            work,
            lambda s, i, _at, n, notifier: post_lead_digest(
                s, lead=leads[i], now=n, policy=digest, notifier=notifier
            ),
            [(number, now) for number in range(len(leads))],
            now,
        )
    done["purged"] = purge_delivered(engine, now=now)
    report = TickReport(**done)
    if report:
        log.info("tick at %s: %s", now.isoformat(), report)
    return report


def _run(
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
                with work() as unit:
                    done += bool(step(unit.session, row_id, due_at, now, unit.notifier))
            except Exception:
                log.exception("scheduled step failed for row %s; the next tick retries it", row_id)
    return done
