"""The scheduler's work: find what is due by index, then do each piece in its own unit of
work, claimed so that a late tick, a restart or a second replica never does it twice."""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Engine

# imported for what they register: check-ins and reminders; escalation's triggers and climb
import bot.domain.checkins
import bot.domain.escalation  # noqa: F401
from bot.domain.digest_schedule import DigestPolicy, post_lead_digest, post_weekly_digest
from bot.domain.scheduled import SCHEDULED, Step
from bot.domain.work import WorkFactory
from bot.observability.logs import log_context
from bot.slack.outbox.purge import purge_delivered
from storage.db import reading
from storage.rows import due_rows, due_statement

log = logging.getLogger(__name__)

BATCH = 500
_DUE_WORK: dict[tuple[str, ...], Any] = {}  # the query for the registered kinds, built once


@dataclass(frozen=True)
class TickReport:
    """How many rows of each scheduled kind a tick did, and its digests and purges."""

    done: Mapping[str, int]

    def __getattr__(self, name: str) -> int:
        if name.startswith("_") or name not in self.done:
            raise AttributeError(name)
        return self.done[name]

    def __bool__(self) -> bool:
        return any(self.done.values())

    def __repr__(self) -> str:
        counts = ", ".join(f"{name}={count}" for name, count in self.done.items())
        return f"TickReport({counts})"


def due_work() -> Any:
    """The query finding every registered kind's due rows (rebuilt if a kind is added)."""
    key = tuple(SCHEDULED)
    if key not in _DUE_WORK:
        columns = {kind.name: (kind.row_id, kind.due_at) for kind in SCHEDULED.values()}
        _DUE_WORK[key] = due_statement(columns)
    return _DUE_WORK[key]


def tick(
    engine: Engine, work: WorkFactory, *, now: datetime, digest: DigestPolicy | None = None
) -> TickReport:
    with reading(engine) as session:
        due = due_rows(session, statement=due_work(), kinds=SCHEDULED, now=now, limit=BATCH)
    done = {
        name: run_steps(work, SCHEDULED[name].step, rows, now, SCHEDULED[name].row_id_name)
        for name, rows in due.items()
    }
    done["digests"] = 0
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
    report = TickReport(done)
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
