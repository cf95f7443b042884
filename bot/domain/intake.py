"""Turning a request to delegate (from the slash command or the form) into an offer."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta

from sqlmodel import Session

from bot.domain.delegations import create_delegation
from bot.domain.due_dates import parse_due
from bot.domain.errors import BadInput
from bot.domain.ports import Directory, DirectoryUnavailable, Notifier, Person
from bot.domain.supervision import Supervisor
from storage.models import Delegation


@dataclass(frozen=True)
class People:
    delegator: Person
    assignee: Person
    delegator_tz_known: bool


def resolve_people(directory: Directory, *, delegator_id: str, assignee_id: str) -> People:
    """Ask the directory about both people. An unknown assignee is refused; while Slack
    cannot be asked, the offer still goes ahead (read in UTC) rather than being lost."""
    try:
        delegator = directory.lookup(delegator_id) or Person(user_id=delegator_id)
        tz_known = True
    except DirectoryUnavailable:
        delegator, tz_known = Person(user_id=delegator_id), False
    try:
        assignee = directory.lookup(assignee_id)
    except DirectoryUnavailable:
        assignee = Person(user_id=assignee_id)
    if assignee is None:
        raise BadInput(
            "I can't find that person in this workspace. Pick them from Slack's @-autocomplete.",
            field="assignee",
        )
    return People(delegator=delegator, assignee=assignee, delegator_tz_known=tz_known)


def offer_delegation(
    session: Session,
    *,
    people: People,
    task: str,
    due_phrase: str | None,
    origin_channel_id: str | None,
    default_due_time: time,
    now: datetime,
    notifier: Notifier,
    supervisor: Supervisor,
    checkin_every: timedelta | None = None,
    due_at: datetime | None = None,
) -> Delegation:
    """``due_phrase`` is read in the delegator's timezone; a form gives ``due_at`` instead.
    ``checkin_every`` of zero means no check-ins; None, the workspace's cadence."""
    if due_phrase is not None:
        due_at = parse_due(
            due_phrase, tz=people.delegator.tz, now=now, default_time=default_due_time
        )
    return create_delegation(
        session,
        delegator=people.delegator,
        assignee=people.assignee,
        task=task,
        due_at=due_at,
        origin_channel_id=origin_channel_id,
        now=now,
        notifier=notifier,
        checkin_every=checkin_every,
        accept_deadline_at=supervisor.deadline(
            now, supervisor.policy.accept_timeout, people.assignee.user_id
        ),
    )
