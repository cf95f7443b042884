"""Asking before accepting, on a real database: one open question at a time, the acceptance
clock stopping and starting afresh, who is told, and who may ask and answer."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine, update
from sqlmodel import Session, col, select

from bot.domain.changes import reassign
from bot.domain.delegations import accept
from bot.domain.errors import BadInput, DomainError, InvalidTransition, NotAllowed, NotFound
from bot.domain.ports import Person
from bot.domain.questions import MAX_QUESTION_LENGTH, answer, ask
from bot.domain.supervision import SupervisionPolicy, Supervisor
from storage.db import unit_of_work
from storage.enums import EscalationReason, EscalationStatus
from storage.models import Delegation, Escalation, Event
from tests.domain.test_transitions import (
    ALICE,
    BOB,
    LEAD,
    NOW,
    offer,
    open_escalation,
    read,
    written,
)
from tests.fakes import RecordingNotifier, StaticDirectory, work_in

SUPERVISOR = Supervisor(policy=SupervisionPolicy(), directory=StaticDirectory(LEAD, ALICE, BOB))
MONDAY_4PM = datetime(2026, 11, 23, 16, 0, tzinfo=UTC)  # two working hours left in London


def asking(
    engine: Engine, item: int, question: str = "Which quarter?", *, actor: str = ALICE.user_id
) -> tuple[Event, RecordingNotifier]:
    with unit_of_work(engine) as session:
        told = RecordingNotifier()
        work = work_in(session, now=NOW, notifier=told, supervisor=SUPERVISOR)
        return ask(work, delegation_id=item, actor=actor, question=question), told


def answering(
    engine: Engine, question_id: int, reply: str = "Q3", *, actor: str = LEAD.user_id
) -> tuple[Event, RecordingNotifier]:
    with unit_of_work(engine) as session:
        told = RecordingNotifier()
        work = work_in(session, now=MONDAY_4PM, notifier=told, supervisor=SUPERVISOR)
        return answer(work, question_id=question_id, actor=actor, reply=reply), told


def offered_with_deadline(engine: Engine) -> int:
    item = offer(engine)
    with unit_of_work(engine) as session:  # the one item
        session.execute(update(Delegation).values(accept_deadline_at=NOW + timedelta(hours=4)))
    return item


def hand_to_bob(engine: Engine, item: int) -> None:
    with unit_of_work(engine) as session:
        work = work_in(session, now=NOW, notifier=RecordingNotifier(), supervisor=SUPERVISOR)
        reassign(work, delegation_id=item, actor=LEAD.user_id, new_assignee=BOB)


def test_a_question_is_recorded_stops_the_clock_and_goes_to_the_delegator(
    engine: Engine,
) -> None:
    item = offered_with_deadline(engine)
    asked, told = asking(engine, item, "  Which quarter?\n")
    stored = read(engine, item)
    assert (stored.status, stored.accept_deadline_at) == ("offered", None)
    with Session(engine) as session:
        event = session.get(Event, asked.id)
    assert event is not None and event.delegation_id == item
    assert (event.type, event.actor, event.at) == ("question_asked", ALICE.user_id, NOW)
    assert event.data == {"question": "Which quarter?"}
    assert told.kinds() == ["question"]
    assert told.told[0].delegation_id == item
    assert told.told[0].details["args"][0].id == asked.id


def test_a_long_question_is_cut_to_the_limit(engine: Engine) -> None:
    asked, _ = asking(engine, offer(engine), "why? " * 1000)
    assert asked.data["question"] == ("why? " * 1000)[:MAX_QUESTION_LENGTH]


@pytest.mark.parametrize(
    ("before", "actor", "question", "error", "match"),
    [
        (None, ALICE, "", BadInput, "question is empty"),
        (None, ALICE, "   \n ", BadInput, "question is empty"),
        (None, LEAD, "Which year?", NotAllowed, "Only the person this was delegated to"),
        ("accepted", ALICE, "Which year?", InvalidTransition, "before you accept"),
        ("reassigned", ALICE, "Which year?", NotAllowed, "reassigned to someone else"),
        ("asked", ALICE, "Which year?", InvalidTransition, "still waiting for an answer"),
    ],
)
def test_refused_questions_write_and_tell_nothing(
    engine: Engine,
    before: str | None,
    actor: Person,
    question: str,
    error: type[DomainError],
    match: str,
) -> None:
    item = offer(engine)
    if before == "accepted":
        with unit_of_work(engine) as session:
            accept(work_in(session, now=NOW), delegation_id=item, actor=ALICE.user_id)
    elif before == "reassigned":
        hand_to_bob(engine, item)
    elif before == "asked":
        asking(engine, item)
    told, snapshot = RecordingNotifier(), written(engine)
    with unit_of_work(engine) as session, pytest.raises(error, match=match) as refused:
        work = work_in(session, now=NOW, notifier=told, supervisor=SUPERVISOR)
        ask(work, delegation_id=item, actor=actor.user_id, question=question)
    if error is BadInput:
        assert refused.value.field == "question"
    assert written(engine) == snapshot and told.told == []


@pytest.mark.parametrize(
    ("reason", "after"),
    [(EscalationReason.NOT_ACCEPTED, EscalationStatus.RESOLVED), (EscalationReason.MANUAL, "open")],
)
def test_asking_answers_only_a_not_accepted_escalation(
    engine: Engine, reason: EscalationReason, after: str
) -> None:
    item = offer(engine)
    open_escalation(engine, item, reason)
    asking(engine, item)
    with Session(engine) as session:
        assert [e.status for e in session.exec(select(Escalation))] == [after]


def test_the_answer_goes_back_and_the_clock_starts_afresh_on_the_assignees_hours(
    engine: Engine,
) -> None:
    item = offered_with_deadline(engine)
    asked, _ = asking(engine, item)
    answered, told = answering(engine, asked.id or 0, " Q3, the new numbers ")
    assert (answered.type, answered.actor, answered.at) == (
        "question_answered",
        "U0LEAD",
        MONDAY_4PM,
    )
    assert answered.data == {"question_id": asked.id, "answer": "Q3, the new numbers"}
    # four working hours from Monday 16:00 in London: two on Monday, two on Tuesday
    assert read(engine, item).accept_deadline_at == datetime(2026, 11, 24, 11, 0, tzinfo=UTC)
    assert told.kinds() == ["answer"]
    [entry] = told.told
    assert entry.delegation_id == item
    assert [event.id for event in entry.details["args"]] == [asked.id, answered.id]


def test_one_question_at_a_time_then_the_next(engine: Engine) -> None:
    item = offer(engine)
    first, _ = asking(engine, item)
    answering(engine, first.id or 0)
    second, told = asking(engine, item, "And which year?")
    assert second.id != first.id and told.kinds() == ["question"]


def test_an_answer_after_accepting_keeps_the_clock_stopped(engine: Engine) -> None:
    item = offered_with_deadline(engine)
    asked, _ = asking(engine, item)
    with unit_of_work(engine) as session:
        accept(work_in(session, now=NOW), delegation_id=item, actor=ALICE.user_id)
    _, told = answering(engine, asked.id or 0)
    stored = read(engine, item)
    assert (stored.status, stored.accept_deadline_at) == ("accepted", None)
    assert told.kinds() == ["answer"]


def test_refused_answers_write_and_tell_nothing(engine: Engine) -> None:
    item = offer(engine)
    asked, _ = asking(engine, item)
    question_id = asked.id or 0
    [created_id] = [e["id"] for e in written(engine)[1] if e["type"] == "created"]
    refusals: list[tuple[int, str, str, type[DomainError], str]] = [
        (question_id, "  ", LEAD.user_id, BadInput, "answer is empty"),
        (question_id, "Q3", ALICE.user_id, NotAllowed, "delegated this can answer questions"),
        (question_id + 1000, "Q3", LEAD.user_id, NotFound, "can't find that question"),
        (created_id, "Q3", LEAD.user_id, NotFound, "can't find that question"),
    ]
    snapshot = written(engine)
    for question, reply, actor, error, match in refusals:
        told = RecordingNotifier()
        with unit_of_work(engine) as session, pytest.raises(error, match=match):
            work = work_in(session, now=MONDAY_4PM, notifier=told, supervisor=SUPERVISOR)
            answer(work, question_id=question, actor=actor, reply=reply)
        assert written(engine) == snapshot and told.told == []
    answering(engine, question_id)
    with pytest.raises(InvalidTransition, match="already answered"):
        answering(engine, question_id)


def test_the_new_assignee_may_ask_though_the_old_question_went_unanswered(
    engine: Engine,
) -> None:
    item = offer(engine)
    alices, _ = asking(engine, item)
    hand_to_bob(engine, item)
    bobs, _ = asking(engine, item, "Is there a template?", actor=BOB.user_id)
    with pytest.raises(InvalidTransition, match=r"^Nothing changed"):
        answering(engine, alices.id or 0)
    answered, told = answering(engine, bobs.id or 0)
    assert answered.data["question_id"] == bobs.id and told.kinds() == ["answer"]
    with Session(engine) as session:
        types = session.exec(select(Event.type).order_by(col(Event.id))).all()
    assert types[-2:] == ["question_asked", "question_answered"]
