"""The scheduler's work: find what is due by index, then do each piece in its own unit of
work, claimed so that a late tick, a restart or a second replica never does it twice."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Engine

from bot.domain.checkins import note_overdue, send_checkin, send_reminder
from bot.domain.ports import WorkFactory
from bot.domain.supervision import Supervisor
from storage.checkins import due_for_checkin, due_for_overdue, due_for_reminder
from storage.db import reading

log = logging.getLogger(__name__)

BATCH = 500


@dataclass(frozen=True)
class TickReport:
    checkins: int = 0
    reminders: int = 0
    overdue: int = 0


def tick(engine: Engine, work: WorkFactory, *, now: datetime, supervisor: Supervisor) -> TickReport:
    with reading(engine) as session:
        checkins_due = due_for_checkin(session, now=now, limit=BATCH)
        reminders_due = due_for_reminder(session, now=now, limit=BATCH)
        overdue_due = due_for_overdue(session, now=now, limit=BATCH)
    sent = reminded = overdue = 0
    for delegation_id, slot in overdue_due:
        with work() as unit:
            overdue += note_overdue(
                unit.session, delegation_id=delegation_id, expected=slot, now=now
            )
    for delegation_id, slot in checkins_due:
        with work() as unit:
            checkin = send_checkin(
                unit.session,
                delegation_id=delegation_id,
                slot=slot,
                now=now,
                supervisor=supervisor,
                notifier=unit.notifier,
            )
            sent += checkin is not None
    for delegation_id, expected in reminders_due:
        with work() as unit:
            reminded += send_reminder(
                unit.session,
                delegation_id=delegation_id,
                expected=expected,
                now=now,
                notifier=unit.notifier,
            )
    report = TickReport(checkins=sent, reminders=reminded, overdue=overdue)
    if sent or reminded or overdue:
        log.info("tick at %s: %s", now.isoformat(), report)
    return report
