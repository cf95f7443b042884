"""What a person's App Home shows: delegated to them, delegated by them, escalated to them."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlmodel import Session

from storage.checkins import latest_answers
from storage.delegations import get_delegation, open_items_of
from storage.enums import DelegationStatus
from storage.escalations import open_escalations_to
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
    to_me, to_me_total = open_items_of(session, statuses=OPEN, limit=SHOWN, assignee_id=user_id)
    by_me, by_me_total = open_items_of(session, statuses=OPEN, limit=SHOWN, delegator_id=user_id)
    waiting = open_escalations_to(session, target=user_id)  # they are the current level
    escalated = [get_delegation(session, delegation_id=e.delegation_id) for e in waiting[:SHOWN]]
    shown = [*to_me, *by_me, *[item for item in escalated if item is not None]]
    return Home(
        to_me=Section(items=list(to_me), total=to_me_total),
        by_me=Section(items=list(by_me), total=by_me_total),
        escalated_to_me=Section(
            items=[item for item in escalated if item is not None], total=len(waiting)
        ),
        escalations={escalation.delegation_id: escalation for escalation in waiting[:SHOWN]},
        last_answers=latest_answers(session, delegation_ids=[d.id for d in shown if d.id]),
    )
