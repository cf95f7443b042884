"""The state machine's one write on a real database: the table's guards, what closing an
item clears, stale and racing reads, and who may act on an item at all."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import Engine, update
from sqlmodel import Session, col, select

from bot.domain.changes import reassign
from bot.domain.delegations import create_delegation
from bot.domain.errors import InvalidTransition, NotAllowed, NotFound
from bot.domain.ports import Person
from bot.domain.transitions import (
    CHANGED_MEANWHILE,
    TRANSITIONS,
    as_assignee,
    as_delegator,
    check_allowed,
    load_delegation,
    transition,
)
from storage.db import unit_of_work
from storage.enums import Action, DelegationStatus, EscalationReason, EscalationStatus
from storage.escalations import add_escalation
from storage.models import Delegation, Escalation, Event, OutboxMessage
from tests.fakes import RecordingNotifier, work_in

S = DelegationStatus
NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)  # a Monday morning
LATER = NOW + timedelta(minutes=5)
LEAD, ALICE = Person("U0LEAD", tz="America/New_York"), Person("U0ALICE", tz="Europe/London")
BOB, CAROL = Person("U0BOB", tz="America/Los_Angeles"), Person("U0CAROL", tz="Pacific/Auckland")
OPEN = frozenset({S.OFFERED, S.ACCEPTED})
EXPECTED_FROM: dict[Action, frozenset[DelegationStatus]] = {
    **dict.fromkeys([Action.ACCEPT, Action.DECLINE, Action.ASK], frozenset({S.OFFERED})),
    Action.COMPLETE: frozenset({S.ACCEPTED}),
    **dict.fromkeys([Action.CANCEL, Action.REASSIGN, Action.PROPOSE_DUE], OPEN),
    **dict.fromkeys([Action.APPROVE_DUE, Action.REJECT_DUE], OPEN),
    Action.ANSWER: frozenset(S),  # an answer still reaches whoever asked
}
ALREADY = dict(zip(S, ["waiting", "accepted", "declined", "done", "cancelled"], strict=True))
SUPERVISION = ["next_checkin_at", "reminder_at", "overdue_watch_at", "accept_deadline_at"]
VERSIONED = {Action.REASSIGN, Action.ASK, Action.ANSWER, Action.APPROVE_DUE, Action.REJECT_DUE}


def offer(engine: Engine) -> int:
    with unit_of_work(engine) as session:
        created = create_delegation(
            work_in(session, now=NOW, notifier=RecordingNotifier()),
            delegator=LEAD,
            assignee=ALICE,
            task="Prepare the Q3 report",
            due_at=NOW + timedelta(days=4),
            origin_channel_id="C0GENERAL",
        )
        assert created.id is not None
        return created.id


def read(engine: Engine, delegation_id: int) -> Delegation:
    """The item as a request reads it, detached: later writes do not change it."""
    with unit_of_work(engine) as session:
        delegation = load_delegation(session, delegation_id)
        session.expunge(delegation)
        return delegation


def move(engine: Engine, item: int, action: Action, *, actor: str = "U0ALICE", **kw: Any) -> None:
    delegation = read(engine, item)
    with unit_of_work(engine) as session:
        transition(work_in(session, now=kw.pop("now", NOW)), delegation, action, actor=actor, **kw)


def written(engine: Engine) -> tuple[list[Any], ...]:
    """Everything a change could write: items, events, outbox rows and escalations."""
    with Session(engine) as session:
        return tuple(
            [row.model_dump() for row in session.exec(select(model).order_by(col(model.id)))]
            for model in (Delegation, Event, OutboxMessage, Escalation)
        )


def open_escalation(engine: Engine, item: int, reason: EscalationReason) -> None:
    with unit_of_work(engine) as session:
        times = dict.fromkeys(["started_at", "stalled_since", "level_started_at"], NOW)
        escalation = Escalation(delegation_id=item, reason=reason, chain=[LEAD.user_id], **times)
        escalation.target, escalation.next_step_at = LEAD.user_id, NOW + timedelta(hours=2)
        assert add_escalation(session, escalation=escalation) is not None


def test_the_table_says_where_each_action_starts_and_which_must_be_unchanged() -> None:
    assert {action: rule.from_statuses for action, rule in TRANSITIONS.items()} == EXPECTED_FROM
    assert {action for action, rule in TRANSITIONS.items() if rule.versioned} == VERSIONED


@pytest.mark.parametrize("action", list(Action))
def test_check_allowed_refuses_every_status_outside_the_table(action: Action) -> None:
    for status in S:
        item = Delegation(status=status)
        if status in EXPECTED_FROM[action]:
            check_allowed(item, action)
            continue
        with pytest.raises(InvalidTransition, match=r"^Nothing changed: this delegation") as err:
            check_allowed(item, action)
        assert ALREADY[status] in err.value.user_message


def test_a_move_writes_its_values_and_event_and_returns_the_row_as_stored(engine: Engine) -> None:
    item = offer(engine)
    offered = read(engine, item)
    with unit_of_work(engine) as session:
        moved = transition(
            work_in(session, now=LATER),
            offered,
            Action.DECLINE,
            actor=ALICE.user_id,
            values={"decline_reason": "busy"},
            data={"reason": "busy"},
        )
    assert moved.delegation.model_dump() == read(engine, item).model_dump()
    assert (moved.delegation.status, moved.delegation.updated_at) == (S.DECLINED, LATER)
    assert (moved.delegation.decline_reason, moved.event.type) == ("busy", "declined")
    [_, event] = written(engine)[1]
    assert event == {**moved.event.model_dump(), "data": {"reason": "busy"}, "actor": "U0ALICE"}
    assert (event["at"], event["delegation_id"]) == (LATER, item)


@pytest.mark.parametrize("action", [a for a in Action if S.DECLINED not in EXPECTED_FROM[a]])
def test_no_move_from_a_closed_item_and_nothing_is_written(engine: Engine, action: Action) -> None:
    item = offer(engine)
    move(engine, item, Action.DECLINE)
    declined, before = read(engine, item), written(engine)
    with (
        unit_of_work(engine) as session,
        pytest.raises(InvalidTransition, match="already been declined"),
    ):  # this unit of work commits: the refusal wrote nothing
        transition(work_in(session, now=LATER), declined, action, actor=LEAD.user_id)
    assert written(engine) == before


def test_an_answer_may_still_be_recorded_on_a_closed_item(engine: Engine) -> None:
    item = offer(engine)
    move(engine, item, Action.DECLINE)
    move(engine, item, Action.ANSWER, actor=LEAD.user_id, now=LATER, data={"answer": "ok"})
    stored = read(engine, item)
    assert stored.status == S.DECLINED and stored.updated_at == LATER
    assert [e["type"] for e in written(engine)[1]] == ["created", "declined", "question_answered"]


@pytest.mark.parametrize(
    ("path", "closing"),
    [([], Action.DECLINE), ([], Action.CANCEL), ([Action.ACCEPT], Action.COMPLETE)],
)
def test_closing_clears_supervision_and_closes_the_open_escalation(
    engine: Engine, path: list[Action], closing: Action
) -> None:
    item = offer(engine)
    for action in path:
        move(engine, item, action)
    watched = dict.fromkeys(SUPERVISION, NOW + timedelta(hours=3))
    with unit_of_work(engine) as session:
        session.execute(update(Delegation).values(**watched))  # the one item
    open_escalation(engine, item, EscalationReason.MANUAL)
    move(engine, item, closing, actor=LEAD.user_id, now=LATER)
    stored = read(engine, item)
    assert {column: getattr(stored, column) for column in SUPERVISION} == dict.fromkeys(SUPERVISION)
    [escalation] = written(engine)[3]
    assert (escalation["status"], escalation["next_step_at"]) == (EscalationStatus.RESOLVED, None)


@pytest.mark.parametrize("action", [Action.ACCEPT, Action.PROPOSE_DUE])
def test_a_move_to_an_open_status_keeps_supervision_and_escalation(
    engine: Engine, action: Action
) -> None:
    item = offer(engine)
    watch = NOW + timedelta(hours=3)
    with unit_of_work(engine) as session:
        session.execute(update(Delegation).values(next_checkin_at=watch))
    open_escalation(engine, item, EscalationReason.OVERDUE)
    move(engine, item, action)
    assert read(engine, item).next_checkin_at == watch
    [escalation] = written(engine)[3]
    assert escalation["status"] == EscalationStatus.OPEN


STALE = [  # what happened since the read; the action then tried on the stale read; refusal
    (Action.ACCEPT, ALICE, None, Action.DECLINE, "has already been accepted"),
    # still offered, but no longer Alice's
    (Action.REASSIGN, LEAD, {"assignee_id": BOB.user_id}, Action.ACCEPT, CHANGED_MEANWHILE),
    # an edit that kept status and assignee: only the versioned actions notice it
    *[(Action.PROPOSE_DUE, ALICE, None, action, CHANGED_MEANWHILE) for action in sorted(VERSIONED)],
]


@pytest.mark.parametrize(
    ("meanwhile", "by", "values", "then", "refusal"), STALE, ids=[f"{c[0]}-{c[3]}" for c in STALE]
)
def test_a_stale_read_is_refused_and_writes_nothing(
    engine: Engine,
    meanwhile: Action,
    by: Person,
    values: dict[str, str] | None,
    then: Action,
    refusal: str,
) -> None:
    item = offer(engine)
    stale = read(engine, item)
    move(engine, item, meanwhile, actor=by.user_id, now=LATER, values=values)
    before = written(engine)
    with unit_of_work(engine) as session, pytest.raises(InvalidTransition) as refused:
        transition(
            work_in(session, now=LATER + timedelta(minutes=1)), stale, then, actor=ALICE.user_id
        )
    assert refusal in refused.value.user_message
    assert written(engine) == before


def test_an_unversioned_move_survives_an_edit_keeping_status_and_assignee(engine: Engine) -> None:
    item = offer(engine)
    stale = read(engine, item)
    move(engine, item, Action.PROPOSE_DUE, now=LATER)
    with unit_of_work(engine) as session:
        transition(work_in(session, now=LATER), stale, Action.ACCEPT, actor=ALICE.user_id)
    assert read(engine, item).status == S.ACCEPTED


def test_load_and_the_delegator_check(engine: Engine) -> None:
    item = offer(engine)
    with unit_of_work(engine) as session:
        with pytest.raises(NotFound, match="can't find that delegation"):
            load_delegation(session, item + 1000)
        with pytest.raises(NotAllowed, match="Only the person who delegated this can cancel it"):
            as_delegator(session, delegation_id=item, actor=ALICE.user_id, doing="cancel")
        assert as_delegator(session, delegation_id=item, actor=LEAD.user_id, doing="x").id == item
        with pytest.raises(NotFound):
            as_assignee(session, delegation_id=item + 1000, actor=ALICE.user_id)


def test_the_assignee_check_tells_earlier_assignees_it_was_reassigned(engine: Engine) -> None:
    item = offer(engine)
    for person in (BOB, CAROL):
        with unit_of_work(engine) as session:
            work = work_in(session, now=NOW, notifier=RecordingNotifier())
            reassign(work, delegation_id=item, actor=LEAD.user_id, new_assignee=person)
    with unit_of_work(engine) as session:
        assert as_assignee(session, delegation_id=item, actor=CAROL.user_id).id == item
        for earlier in (ALICE, BOB):  # both, not only the one it was taken from last
            with pytest.raises(NotAllowed, match="reassigned to someone else"):
                as_assignee(session, delegation_id=item, actor=earlier.user_id)
        for stranger in (LEAD.user_id, "U0DAVE"):
            with pytest.raises(NotAllowed, match="Only the person this was delegated to"):
                as_assignee(session, delegation_id=item, actor=stranger)
