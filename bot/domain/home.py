"""What a person's App Home shows: delegated to them, delegated by them, escalated to them."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import func
from sqlmodel import Session, col, select

from bot.domain.enums import DelegationStatus, EscalationStatus
from storage.checkins import latest_answers
from storage.models import Checkin, Delegation, Escalation

SHOWN = 12  # per section: three sections of a header and two blocks an item stay under 100
OPEN = [status.value for status in DelegationStatus if status.is_open]


@dataclass(frozen=True)
class Section:
    items: list[Delegation]
    total: int


@dataclass(frozen=True)
class Home:
    to_me: Section
    by_me: Section
    escalated_to_me: Section
    escalations: dict[int, Escalation] = field(default_factory=dict)  # by delegation id
    last_answers: dict[int, Checkin] = field(default_factory=dict)


def home_for(session: Session, *, user_id: str) -> Home:
    to_me = _section(session, col(Delegation.assignee_id) == user_id)
    by_me = _section(session, col(Delegation.delegator_id) == user_id)
    reached = [
        escalation
        for escalation in session.exec(
            select(Escalation)
            .where(col(Escalation.status) == EscalationStatus.OPEN)
            .order_by(col(Escalation.started_at))
        ).all()
        if user_id in escalation.chain[: escalation.level]
    ]
    escalated_items = [
        session.get(Delegation, escalation.delegation_id) for escalation in reached[:SHOWN]
    ]
    escalated = Section(items=[d for d in escalated_items if d is not None], total=len(reached))
    shown = to_me.items + by_me.items + escalated.items
    return Home(
        to_me=to_me,
        by_me=by_me,
        escalated_to_me=escalated,
        escalations={escalation.delegation_id: escalation for escalation in reached[:SHOWN]},
        last_answers=latest_answers(session, delegation_ids=[d.id for d in shown if d.id]),
    )


def _section(session: Session, whose: object) -> Section:
    condition = col(Delegation.status).in_(OPEN)
    total = session.exec(
        select(func.count()).select_from(Delegation).where(whose, condition)  # type: ignore[arg-type]
    ).one()
    items = session.exec(
        select(Delegation)
        .where(whose, condition)  # type: ignore[arg-type]
        .order_by(col(Delegation.due_at).is_(None), col(Delegation.due_at), col(Delegation.id))
        .limit(SHOWN)
    ).all()
    return Section(items=list(items), total=int(total))
