"""Turning a request to delegate (from the slash command or the form) into an offer."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from bot.domain.delegations import MAX_TASK_LENGTH, create_delegation
from bot.domain.due_dates import due_from_picker, parse_due
from bot.domain.errors import BadInput
from bot.domain.ports import Directory, DirectoryUnavailable, Person
from bot.domain.work import Work
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
    work: Work,
    *,
    people: People,
    task: str,
    due_phrase: str | None,
    origin_channel_id: str | None,
    checkin_every: timedelta | None = None,
) -> Delegation:
    """From ``/delegate``: ``due_phrase`` is read in the delegator's timezone.
    ``checkin_every`` of zero means no check-ins; None, the workspace's cadence."""
    due_at = None
    if due_phrase is not None:
        default_time = work.supervisor.policy.default_due_time
        due_at = parse_due(
            due_phrase, tz=people.delegator.tz, now=work.now, default_time=default_time
        )
    return _offer(
        work,
        people=people,
        task=task,
        due_at=due_at,
        origin_channel_id=origin_channel_id,
        checkin_every=checkin_every,
    )


@dataclass(frozen=True)
class DelegateForm:
    """What the delegate form holds (a new item, filled in by the delegator)."""

    task: str
    context: str | None
    due_day: date | None
    due_time: time | None
    checkin_every: timedelta | None  # None: the workspace's cadence
    origin_channel_id: str | None


def offer_from_form(work: Work, *, people: People, form: DelegateForm) -> Delegation:
    """From the form: the picked day (and time) is on the delegator's clock, and the
    context, when given, is kept with the task."""
    due_at = None
    if form.due_day is not None:
        due_at = due_from_picker(
            form.due_day,
            form.due_time,
            tz=people.delegator.tz,
            default_time=work.supervisor.policy.default_due_time,
        )
    elif form.due_time is not None:
        raise BadInput("Pick a date for that time too.", field="due")
    task = form.task.strip()
    if task and form.context:
        task = f"{task}\n\nContext: {form.context}"
        if len(task) > MAX_TASK_LENGTH:
            raise BadInput(
                f"Task and context together must stay under {MAX_TASK_LENGTH:,} "
                "characters; shorten the context or link to a document.",
                field="context",
            )
    return _offer(
        work,
        people=people,
        task=task,
        due_at=due_at,
        origin_channel_id=form.origin_channel_id,
        checkin_every=form.checkin_every,
    )


def _offer(
    work: Work,
    *,
    people: People,
    task: str,
    due_at: datetime | None,
    origin_channel_id: str | None,
    checkin_every: timedelta | None,
) -> Delegation:
    supervisor = work.supervisor
    return create_delegation(
        work,
        delegator=people.delegator,
        assignee=people.assignee,
        task=task,
        due_at=due_at,
        origin_channel_id=origin_channel_id,
        checkin_every=checkin_every,
        accept_deadline_at=supervisor.deadline(
            work.now, supervisor.policy.accept_timeout, people.assignee.user_id
        ),
    )
