"""Changing an offered or accepted item on a real database: reassignment racing the old
assignee, what a reassignment clears, one open question, and proposals that went stale."""

from __future__ import annotations

from datetime import date, time, timedelta

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, select

from bot.domain.changes import decide_due, propose_due, reassign
from bot.domain.errors import InvalidTransition
from bot.domain.ports import Person
from bot.domain.questions import answer, ask
from bot.domain.transitions import transition
from storage.checkins import add_checkin
from storage.db import unit_of_work
from storage.enums import Action
from storage.models import Checkin, Delegation
from tests.domain.test_delegations import ALICE, LEAD, NOW, SUPERVISOR, act, offer
from tests.fakes import RecordingNotifier, work_in

BOB = Person("U0BOB", tz="America/Los_Angeles")


def hand_to_bob(session: Session, delegation_id: int) -> None:
    reassign(
        work_in(session, now=NOW, supervisor=SUPERVISOR),
        delegation_id=delegation_id,
        actor=LEAD.user_id,
        new_assignee=BOB,
    )


def test_the_old_assignees_click_never_lands_on_the_new_offer(engine: Engine) -> None:
    item = offer(engine)
    with unit_of_work(engine) as session:
        stale = session.get(Delegation, item)  # Alice's click has read the item ...
        assert stale is not None
        session.expunge(stale)
    with unit_of_work(engine) as session:
        hand_to_bob(session, item)  # ... the lead reassigns it ...
    with unit_of_work(engine) as session, pytest.raises(InvalidTransition):
        transition(
            work_in(session, now=NOW), stale, Action.ACCEPT, actor=ALICE.user_id
        )  # ... too late
    with unit_of_work(engine) as session:
        moved = session.get(Delegation, item)
        assert moved is not None and (moved.assignee_id, moved.status) == (BOB.user_id, "offered")


def test_a_reassignment_stops_the_old_assignees_checkins_and_overdue_state(
    engine: Engine,
) -> None:
    item = offer(engine)
    act(engine, Action.ACCEPT, item)
    with unit_of_work(engine) as session:
        add_checkin(
            session,
            delegation_id=item,
            slot=NOW,
            now=NOW,
            answer_deadline_at=NOW + timedelta(hours=4),
        )
        session.execute(
            Delegation.__table__.update().values(overdue_at=NOW)  # type: ignore[attr-defined]
        )
    with unit_of_work(engine) as session:
        hand_to_bob(session, item)
    with unit_of_work(engine) as session:
        [checkin] = session.exec(select(Checkin)).all()
        moved = session.get(Delegation, item)
    assert checkin.answer_deadline_at is None
    assert moved is not None and moved.overdue_at is None
    assert moved.overdue_watch_at == moved.due_at


def test_one_open_question_and_no_answer_after_a_reassignment(engine: Engine) -> None:
    item = offer(engine)
    with unit_of_work(engine) as session:
        notifier = RecordingNotifier()
        asked = ask(
            work_in(session, now=NOW, notifier=notifier),
            delegation_id=item,
            actor=ALICE.user_id,
            question="Which quarter?",
        )
        asked_id = asked.id or 0
    with unit_of_work(engine) as session, pytest.raises(InvalidTransition):
        ask(
            work_in(session, now=NOW),
            delegation_id=item,
            actor=ALICE.user_id,
            question="And which year?",
        )
    with unit_of_work(engine) as session:
        hand_to_bob(session, item)
    with unit_of_work(engine) as session, pytest.raises(InvalidTransition, match="reassign"):
        answer(
            work_in(session, now=NOW, supervisor=SUPERVISOR),
            question_id=asked_id,
            actor=LEAD.user_id,
            reply="Q3",
        )


def test_a_proposed_date_that_has_passed_cannot_be_approved(engine: Engine) -> None:
    item = offer(engine)
    with unit_of_work(engine) as session:
        proposal = propose_due(
            work_in(session, now=NOW, supervisor=SUPERVISOR),
            delegation_id=item,
            actor=ALICE.user_id,
            day=date(2026, 11, 23),
            at=time(10, 0),  # an hour from NOW, on Alice's clock (London, GMT)
            reason=None,
        )
        proposal_id = proposal.id or 0
    later = NOW + timedelta(hours=2)
    with unit_of_work(engine) as session, pytest.raises(InvalidTransition, match="has passed"):
        decide_due(
            work_in(
                session,
                now=later,
                supervisor=SUPERVISOR,
            ),
            proposal_id=proposal_id,
            actor=LEAD.user_id,
            approve=True,
        )
