"""From a request to an offer, on a real database: who the people are (and when Slack cannot
say), a due phrase or a picked date read on the delegator's clock, and the form's context."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import pytest
from sqlalchemy import Engine

from bot.domain.delegations import MAX_TASK_LENGTH
from bot.domain.errors import BadInput
from bot.domain.intake import (
    DelegateForm,
    People,
    offer_delegation,
    offer_from_form,
    resolve_people,
)
from bot.domain.ports import DirectoryUnavailable, Person
from bot.domain.supervision import SupervisionPolicy, Supervisor
from bot.domain.working_hours import WorkingWindow
from storage.db import unit_of_work
from storage.models import Delegation
from tests.domain.test_transitions import ALICE, BOB, CAROL, LEAD, NOW, written
from tests.fakes import RecordingNotifier, StaticDirectory, work_in

DIRECTORY = StaticDirectory(LEAD, ALICE, BOB, CAROL)
SUPERVISOR = Supervisor(policy=SupervisionPolicy(), directory=DIRECTORY)
TO_ALICE = People(delegator=LEAD, assignee=ALICE, delegator_tz_known=True)


class DownDirectory(StaticDirectory):
    """Slack cannot be asked about ``down`` people right now."""

    def __init__(self, *people: Person, down: set[str]) -> None:
        super().__init__(*people)
        self.down = down

    def lookup(self, user_id: str) -> Person | None:
        if user_id in self.down:
            raise DirectoryUnavailable(user_id)
        return super().lookup(user_id)


def utc(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=UTC)


def offering(
    engine: Engine,
    phrase: str | None = "friday",
    people: People = TO_ALICE,
    supervisor: Supervisor = SUPERVISOR,
    **kwargs: Any,
) -> tuple[Delegation, RecordingNotifier]:
    with unit_of_work(engine) as session:
        told = RecordingNotifier()
        work = work_in(session, now=NOW, notifier=told, supervisor=supervisor)
        delegation = offer_delegation(
            work,
            people=people,
            task=kwargs.pop("task", "Prepare the Q3 report"),
            due_phrase=phrase,
            origin_channel_id="C0GENERAL",
            **kwargs,
        )
        return delegation, told


def form(**fields: Any) -> DelegateForm:
    defaults: dict[str, Any] = {"task": "Prepare the Q3 report", "context": None}
    defaults |= {"due_day": None, "due_time": None, "checkin_every": None}
    return DelegateForm(**{**defaults, "origin_channel_id": "C0FORM", **fields})


def from_form(engine: Engine, people: People = TO_ALICE, **fields: Any) -> Delegation:
    with unit_of_work(engine) as session:
        work = work_in(session, now=NOW, supervisor=SUPERVISOR)
        return offer_from_form(work, people=people, form=form(**fields))


def test_resolve_people_asks_the_directory_about_both() -> None:
    people = resolve_people(DIRECTORY, delegator_id=LEAD.user_id, assignee_id=BOB.user_id)
    assert people == People(delegator=LEAD, assignee=BOB, delegator_tz_known=True)
    with pytest.raises(BadInput, match="can't find that person") as refused:
        resolve_people(DIRECTORY, delegator_id=LEAD.user_id, assignee_id="U0NOBODY")
    assert refused.value.field == "assignee"
    stranger = resolve_people(DIRECTORY, delegator_id="U0NEW", assignee_id=ALICE.user_id)
    assert (stranger.delegator, stranger.assignee) == (Person("U0NEW"), ALICE)


@pytest.mark.parametrize(
    ("down", "delegator", "assignee", "tz_known"),
    [
        ({LEAD.user_id}, Person(LEAD.user_id), ALICE, False),
        ({ALICE.user_id}, LEAD, Person(ALICE.user_id), True),
        ({LEAD.user_id, ALICE.user_id}, Person(LEAD.user_id), Person(ALICE.user_id), False),
    ],
)
def test_while_slack_cannot_be_asked_the_offer_still_goes_ahead(
    down: set[str], delegator: Person, assignee: Person, tz_known: bool
) -> None:
    directory = DownDirectory(LEAD, ALICE, down=down)
    people = resolve_people(directory, delegator_id=LEAD.user_id, assignee_id=ALICE.user_id)
    assert people == People(delegator=delegator, assignee=assignee, delegator_tz_known=tz_known)


@pytest.mark.parametrize(
    ("delegator", "phrase", "due"),
    [
        (LEAD, "tomorrow", utc(24, 23)),  # 18:00 in New York
        (CAROL, "tomorrow", utc(24, 5)),  # already 22:00 on Monday in Auckland
        (Person(LEAD.user_id), "tomorrow", utc(24, 18)),  # no timezone known: UTC
        (LEAD, "today", utc(23, 23)),
        (LEAD, "wednesday 10:30", utc(25, 15, 30)),
    ],
)
def test_the_due_phrase_is_read_on_the_delegators_clock(
    engine: Engine, delegator: Person, phrase: str, due: datetime
) -> None:
    people = People(delegator=delegator, assignee=ALICE, delegator_tz_known=True)
    delegation, told = offering(engine, phrase, people)
    assert (delegation.due_at, delegation.overdue_watch_at) == (due, due)
    [stored], events, _, _ = written(engine)
    assert (stored["due_at"], stored["status"], stored["task"]) == (due, "offered", delegation.task)
    assert [(e["type"], e["data"]["due"]) for e in events] == [
        ("created", due.strftime("%Y-%m-%dT%H:%M:%SZ"))
    ]
    assert told.kinds() == ["offer"] and told.told[0].delegation_id == delegation.id


def test_slack_down_means_the_phrase_is_read_in_utc(engine: Engine) -> None:
    directory = DownDirectory(LEAD, ALICE, down={LEAD.user_id})
    people = resolve_people(directory, delegator_id=LEAD.user_id, assignee_id=ALICE.user_id)
    assert offering(engine, "tomorrow", people)[0].due_at == utc(24, 18)


def test_a_day_alone_means_the_end_of_the_policys_working_day(engine: Engine) -> None:
    window = WorkingWindow(hours=(time(8), time(16)))
    supervisor = Supervisor(policy=SupervisionPolicy(window=window), directory=DIRECTORY)
    delegation, _ = offering(engine, "friday", supervisor=supervisor)
    assert delegation.due_at == utc(27, 21)  # 16:00 in New York
    assert offering(engine, None)[0].due_at is None


@pytest.mark.parametrize(
    ("phrase", "people", "match"),
    [
        ("whenever", TO_ALICE, "couldn't read"),
        ("  ", TO_ALICE, "due date is empty"),
        ("today", People(CAROL, ALICE, delegator_tz_known=True), "already in the past"),
    ],
)
def test_refused_due_phrases_write_and_tell_nothing(
    engine: Engine, phrase: str, people: People, match: str
) -> None:
    with pytest.raises(BadInput, match=match) as refused:
        offering(engine, phrase, people)
    assert refused.value.field == "due"
    assert written(engine) == ([], [], [], [])


@pytest.mark.parametrize(("assignee", "deadline"), [(ALICE, utc(23, 13)), (BOB, utc(23, 21))])
def test_the_acceptance_clock_runs_on_the_assignees_working_hours(
    engine: Engine, assignee: Person, deadline: datetime
) -> None:
    people = People(delegator=LEAD, assignee=assignee, delegator_tz_known=True)
    assert offering(engine, None, people)[0].accept_deadline_at == deadline


@pytest.mark.parametrize(
    ("every", "stored"), [(None, None), (timedelta(0), 0), (timedelta(days=2), 172800)]
)
def test_the_checkin_cadence_is_kept(
    engine: Engine, every: timedelta | None, stored: int | None
) -> None:
    delegation, _ = offering(engine, checkin_every=every)
    assert delegation.checkin_every_s == stored
    assert written(engine)[1][0]["data"]["checkin_every"] == stored


@pytest.mark.parametrize(
    ("delegator", "at", "due"),
    [
        (LEAD, time(10, 30), utc(25, 15, 30)),
        (CAROL, time(10, 30), utc(24, 21, 30)),  # Wednesday morning in Auckland
        (LEAD, None, utc(25, 23)),  # the end of the working day, in New York
    ],
)
def test_the_form_reads_the_picked_date_and_time_on_the_delegators_clock(
    engine: Engine, delegator: Person, at: time | None, due: datetime
) -> None:
    people = People(delegator=delegator, assignee=ALICE, delegator_tz_known=True)
    every = timedelta(hours=12)
    delegation = from_form(
        engine, people, due_day=date(2026, 11, 25), due_time=at, checkin_every=every
    )
    assert (delegation.due_at, delegation.origin_channel_id) == (due, "C0FORM")
    assert (delegation.checkin_every_s, delegation.task) == (43200, "Prepare the Q3 report")


@pytest.mark.parametrize(
    ("fields", "field", "match"),
    [
        ({"due_time": time(10)}, "due", "Pick a date for that time too."),
        ({"due_day": date(2026, 11, 22)}, "due", "in the past"),
        ({"task": "   ", "context": "Some background"}, "task", "task is empty"),
        ({"task": "x" * (MAX_TASK_LENGTH + 1)}, "task", "keep it under"),
        ({"task": "x" * 100, "context": "y" * 2890}, "context", "Task and context together"),
    ],
)
def test_refused_forms_write_and_tell_nothing(
    engine: Engine, fields: dict[str, Any], field: str, match: str
) -> None:
    with pytest.raises(BadInput, match=match) as refused:
        from_form(engine, **fields)
    assert refused.value.field == field
    assert written(engine) == ([], [], [], [])


@pytest.mark.parametrize(
    ("task", "context", "kept"),
    [
        (
            "  Prepare the report ",
            "Use the Q3 numbers",
            "Prepare the report\n\nContext: Use the Q3 numbers",
        ),
        ("Prepare the report", None, "Prepare the report"),
        ("Prepare the report", "", "Prepare the report"),
        ("x" * 100, "y" * 2889, "x" * 100 + "\n\nContext: " + "y" * 2889),  # exactly the limit
    ],
)
def test_the_context_is_kept_with_the_task(
    engine: Engine, task: str, context: str | None, kept: str
) -> None:
    assert from_form(engine, task=task, context=context).task == kept
    [created] = written(engine)[1]
    assert created["data"]["text"] == kept and len(kept) <= MAX_TASK_LENGTH
