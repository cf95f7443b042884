"""What ``/delegate list`` shows: a person's open items, both directions."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlmodel import Session

from storage.checkins import latest_answers
from storage.delegations import open_delegations_of
from storage.enums import DelegationStatus
from storage.models import Checkin, Delegation

LIST_LIMIT = 40


@dataclass(frozen=True)
class OpenItems:
    to_me: list[Delegation]
    by_me: list[Delegation]
    truncated: bool
    last_answers: dict[int, Checkin] = field(default_factory=dict)


def open_items(session: Session, *, user_id: str) -> OpenItems:
    statuses = [status for status in DelegationStatus if status.is_open]
    rows = list(
        open_delegations_of(session, user_id=user_id, statuses=statuses, limit=LIST_LIMIT + 1)
    )
    truncated = len(rows) > LIST_LIMIT
    rows = rows[:LIST_LIMIT]
    return OpenItems(
        to_me=[row for row in rows if row.assignee_id == user_id],
        by_me=[row for row in rows if row.delegator_id == user_id],
        truncated=truncated,
        last_answers=latest_answers(session, delegation_ids=[row.id for row in rows if row.id]),
    )
