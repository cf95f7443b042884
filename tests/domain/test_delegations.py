"""The delegation state machine on a real database: transitions, events, refusals, races."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, select

from bot.domain import delegations as d
from bot.domain.errors import BadInput, InvalidTransition, NotAllowed, NotFound
from bot.domain.ports import Person
from bot.domain.supervision import SupervisionPolicy, Supervisor
from bot.domain.transitions import TRANSITIONS, transition
from storage.db import unit_of_work
from storage.enums import Action, DelegationStatus, EventType
from storage.models import Delegation, Event
from tests.fakes import RecordingNotifier, StaticDirectory, work_in

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
LEAD, ALICE = Person("U0LEAD", tz="America/New_York"), Person("U0ALICE", tz="Europe/London")
SUPERVISOR = Supervisor(policy=SupervisionPolicy(), directory=StaticDirectory(LEAD, ALICE))


def offer(
    engine: Engine,
    task: str = "Prepare the Q3 report",
    notifier: RecordingNotifier | None = None,
    **kwargs: object,
) -> int:
    with unit_of_work(engine) as session:
        created = d.create_delegation(
            work_in(session, now=NOW, notifier=notifier),
            delegator=kwargs.pop("delegator", LEAD),
            assignee=kwargs.pop("assignee", ALICE),
            task=task,
            due_at=kwargs.pop("due_at", NOW + timedelta(days=4)),
            origin_channel_id="C0GENERAL",
        )
        assert created.id is not None
        return created.id


def act(
    engine: Engine,
    action: Action,
    delegation_id: int,
    actor: str = ALICE.user_id,
    notifier: RecordingNotifier | None = None,
) -> None:
    with unit_of_work(engine) as session:
        work = work_in(session, now=NOW, notifier=notifier, supervisor=SUPERVISOR)
        common = {"delegation_id": delegation_id, "actor": actor}
        if action is Action.ACCEPT:
            d.accept(work, **common)  # type: ignore[arg-type]
        elif action is Action.DECLINE:
            d.decline(work, reason="busy", **common)  # type: ignore[arg-type]
        elif action is Action.COMPLETE:
            d.complete(work, **common)  # type: ignore[arg-type]


def rows(engine: Engine, model: type) -> list:  # type: ignore[type-arg]
    with Session(engine) as session:
        return list(session.exec(select(model)).all())


def test_transition_table_covers_every_action() -> None:
    assert set(TRANSITIONS) == set(Action)
    for action, rule in TRANSITIONS.items():
        if action == Action.REASSIGN:  # an open item goes back to waiting for acceptance
            assert rule.to_status == DelegationStatus.OFFERED and rule.versioned
        elif rule.to_status is not None:  # a move of status never starts where it ends
            assert rule.to_status not in rule.from_statuses
        else:  # an edit leaves the status, and must notice any edit made meanwhile
            assert rule.versioned or action == Action.PROPOSE_DUE
    assert len({rule.event for rule in TRANSITIONS.values()}) == len(TRANSITIONS)


def test_offer_writes_the_row_and_the_event_and_offers_it_to_the_assignee(
    engine: Engine,
) -> None:
    told = RecordingNotifier()
    delegation_id = offer(engine, notifier=told)
    [delegation] = rows(engine, Delegation)
    assert delegation.status == DelegationStatus.OFFERED
    assert delegation.due_at == NOW + timedelta(days=4)
    [event] = rows(engine, Event)
    assert (event.type, event.actor, event.delegation_id) == ("created", "U0LEAD", delegation_id)
    assert [(entry.what, entry.delegation_id) for entry in told.told] == [("offer", delegation_id)]


@pytest.mark.parametrize(
    ("path", "final"),
    [
        ([Action.ACCEPT], DelegationStatus.ACCEPTED),
        ([Action.DECLINE], DelegationStatus.DECLINED),
        ([Action.ACCEPT, Action.COMPLETE], DelegationStatus.COMPLETED),
    ],
)
def test_legal_paths(engine: Engine, path: list[Action], final: DelegationStatus) -> None:
    delegation_id = offer(engine)
    for action in path:
        act(engine, action, delegation_id)
    [delegation] = rows(engine, Delegation)
    assert delegation.status == final
    types = [event.type for event in rows(engine, Event)]
    assert types == ["created", *[TRANSITIONS[a].event.value for a in path]]


@pytest.mark.parametrize(
    "path",
    [
        [Action.COMPLETE],  # done before accepting
        [Action.ACCEPT, Action.ACCEPT],
        [Action.ACCEPT, Action.DECLINE],
        [Action.DECLINE, Action.ACCEPT],
        [Action.ACCEPT, Action.COMPLETE, Action.COMPLETE],
    ],
)
def test_illegal_transitions_raise_and_change_nothing(engine: Engine, path: list[Action]) -> None:
    delegation_id = offer(engine)
    *legal, illegal = path
    for action in legal:
        act(engine, action, delegation_id)
    before = [(e.type, e.id) for e in rows(engine, Event)]
    refused = RecordingNotifier()
    with pytest.raises(InvalidTransition):
        act(engine, illegal, delegation_id, notifier=refused)
    assert [(e.type, e.id) for e in rows(engine, Event)] == before
    assert refused.told == []  # nobody is told of a change that did not happen


def test_only_the_assignee_may_answer(engine: Engine) -> None:
    delegation_id = offer(engine)
    for action in (Action.ACCEPT, Action.DECLINE, Action.COMPLETE):
        with pytest.raises(NotAllowed):
            act(engine, action, delegation_id, actor="U0LEAD")
    assert [e.type for e in rows(engine, Event)] == ["created"]


def test_unknown_item(engine: Engine) -> None:
    with pytest.raises(NotFound):
        act(engine, Action.ACCEPT, 424242)


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"assignee": LEAD}, "assignee"),
        ({"assignee": Person("U0BOT", is_bot=True)}, "assignee"),
        ({"assignee": Person("U0GONE", deleted=True)}, "assignee"),
        ({"task": "   "}, "task"),
        ({"task": "x" * 3001}, "task"),
        ({"due_at": NOW - timedelta(minutes=1)}, "due"),
        ({"due_at": NOW}, "due"),
    ],
)
def test_refused_offers_write_nothing(engine: Engine, kwargs: dict, field: str) -> None:  # type: ignore[type-arg]
    kwargs = dict(kwargs)  # parametrize shares the dict between backends
    task = kwargs.pop("task", "A task")
    told = RecordingNotifier()
    with pytest.raises(BadInput) as raised:
        offer(engine, task, notifier=told, **kwargs)
    assert raised.value.field == field
    assert rows(engine, Delegation) == [] and rows(engine, Event) == []
    assert told.told == []


def test_two_sessions_racing_one_wins(engine: Engine) -> None:
    """Both read 'offered'; the first to commit wins; the second's conditional update
    finds nothing to move and raises, leaving one event."""
    delegation_id = offer(engine)
    if engine.dialect.name == "sqlite":
        pytest.skip("SQLite serialises writers with BEGIN IMMEDIATE; the race cannot interleave")
    first, second = Session(engine), Session(engine)
    try:
        a = first.get(Delegation, delegation_id)
        b = second.get(Delegation, delegation_id)
        assert a and b and a.status == b.status == "offered"
        transition(work_in(first, now=NOW), a, Action.ACCEPT, actor=ALICE.user_id)
        first.commit()
        with pytest.raises(InvalidTransition):
            transition(work_in(second, now=NOW), b, Action.DECLINE, actor=ALICE.user_id)
        second.rollback()
    finally:
        first.close()
        second.close()
    assert [e.type for e in rows(engine, Event)] == [EventType.CREATED, EventType.ACCEPTED]
