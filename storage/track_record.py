"""The counts behind trust-adaptive check-ins: how a person's recent items went."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import and_, case, func, or_
from sqlmodel import Session, col, select

from storage.models import Checkin, Delegation, Event


def track_record_counts(
    session: Session, *, assignee_id: str, since: datetime, until: datetime
) -> dict[str, int]:
    """Counts over [since, until] for items assigned to ``assignee_id``, in three queries."""
    on_time = and_(
        Event.type == "completed",
        or_(col(Delegation.due_at).is_(None), col(Event.at) <= col(Delegation.due_at)),
    )
    late = and_(Event.type == "completed", col(Event.at) > col(Delegation.due_at))
    events = session.exec(
        select(
            func.count(case((on_time, 1))),
            func.count(case((late, 1))),
            func.count(case((Event.type == "overdue", 1))),
            func.count(case((Event.type == "escalated", 1))),
        )
        .select_from(Event)
        .join(Delegation, col(Delegation.id) == col(Event.delegation_id))
        .where(Delegation.assignee_id == assignee_id)
        .where(col(Event.at) >= since)
        .where(col(Event.at) <= until)
    ).one()
    answers = dict(
        session.exec(
            select(Checkin.status, func.count())
            .join(Delegation, col(Delegation.id) == col(Checkin.delegation_id))
            .where(Delegation.assignee_id == assignee_id)
            .where(col(Checkin.answered_at) >= since)
            .where(col(Checkin.answered_at) <= until)
            .group_by(col(Checkin.status))
        ).all()
    )
    return {
        "on_time": int(events[0]),
        "late": int(events[1]),
        "overdue": int(events[2]),
        "escalations": int(events[3]),
        "on_track": int(answers.get("on_track", 0)),
        "at_risk": int(answers.get("at_risk", 0)),
        "blocked": int(answers.get("blocked", 0)),
    }
