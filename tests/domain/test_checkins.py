"""Check-ins, reminders and overdue on a real database: each sent or noticed once, answered
only by the assignee, and what each answer sets going."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import Engine, update
from sqlmodel import Session, col, select

from bot.domain import delegations as d
from bot.domain.checkins import (
    MAX_NOTE_LENGTH,
    answer_checkin,
    check_can_answer,
    send_checkin,
    send_reminder,
)
from bot.domain.errors import InvalidTransition, NotAllowed, NotFound
from bot.domain.escalation import note_overdue
from bot.domain.ports import Person
from bot.domain.supervision import SupervisionPolicy, Supervisor
from storage.db import unit_of_work
from storage.enums import CheckinStatus
from storage.models import Checkin, Delegation, Escalation, Event
from tests.fakes import RecordingNotifier, StaticDirectory, work_in

MONDAY_9 = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
TUESDAY_9 = MONDAY_9 + timedelta(days=1)
LEAD, ALICE, CAROL = Person("U0LEAD", tz="UTC"), Person("U0ALICE", tz="UTC"), "U0CAROL"
SUPERVISOR = Supervisor(
    policy=SupervisionPolicy(chain={ALICE.user_id: CAROL}),
    directory=StaticDirectory(LEAD, ALICE),
)


def run(engine: Engine, command: Callable[..., Any], now: datetime, **kwargs: Any) -> Any:
    """Run ``command`` in one unit of work at ``now``; (its result, what it asked to tell)."""
    notifier = RecordingNotifier()
    with unit_of_work(engine) as session:
        work = work_in(session, now=now, notifier=notifier, supervisor=SUPERVISOR)
        return command(work, **kwargs), notifier


def offered(engine: Engine, due_in: timedelta = timedelta(days=4)) -> int:
    offer = {"delegator": LEAD, "assignee": ALICE, "task": "Report", "origin_channel_id": None}
    item, _ = run(engine, d.create_delegation, MONDAY_9, due_at=MONDAY_9 + due_in, **offer)
    return item.id


def accepted(engine: Engine, due_in: timedelta = timedelta(days=4)) -> int:
    item = offered(engine, due_in)
    run(engine, d.accept, MONDAY_9, delegation_id=item, actor=ALICE.user_id)
    return item


def load(engine: Engine, model: type[Any], row_id: int) -> Any:
    with Session(engine) as session:
        return session.get(model, row_id)


def all_rows(engine: Engine, model: type[Any]) -> list[Any]:
    with Session(engine) as session:
        return list(session.exec(select(model).order_by(col(model.id))).all())


def event_types(engine: Engine) -> list[str]:
    return [event.type for event in all_rows(engine, Event)]


def answer(engine: Engine, checkin_id: int, status: CheckinStatus, **given: Any) -> Any:
    """Answer as Alice, with no note, on Tuesday 09:00, unless ``given`` says otherwise."""
    values = {"actor": ALICE.user_id, "note": None, **given}
    now = values.pop("now", TUESDAY_9)
    return run(engine, answer_checkin, now, checkin_id=checkin_id, status=status, **values)


def sent_checkin(engine: Engine) -> tuple[int, Checkin]:
    item = accepted(engine)
    checkin, _ = run(engine, send_checkin, TUESDAY_9, delegation_id=item, slot=TUESDAY_9)
    assert checkin is not None
    return item, checkin


@pytest.mark.parametrize("close", [None, d.complete, d.cancel])
def test_only_accepted_items_get_checkins(engine: Engine, close: Any) -> None:
    item = offered(engine) if close is None else accepted(engine)
    if close is not None:
        actor = LEAD.user_id if close is d.cancel else ALICE.user_id
        run(engine, close, MONDAY_9, delegation_id=item, actor=actor)
    sent, told = run(engine, send_checkin, TUESDAY_9, delegation_id=item, slot=TUESDAY_9)
    assert sent is None and told.told == [] and all_rows(engine, Checkin) == []
    assert "checkin_sent" not in event_types(engine)


def test_a_slot_is_claimed_once(engine: Engine) -> None:
    item = accepted(engine)
    assert load(engine, Delegation, item).next_checkin_at == TUESDAY_9  # a day after accepting
    checkin, told = run(engine, send_checkin, TUESDAY_9, delegation_id=item, slot=TUESDAY_9)
    assert (checkin.slot, checkin.sent_at) == (TUESDAY_9, TUESDAY_9)
    assert checkin.answer_deadline_at == TUESDAY_9 + timedelta(hours=4)  # in working time
    [entry] = told.told
    assert (entry.what, entry.delegation_id) == ("checkin", item)
    assert entry.details["args"][0].id == checkin.id
    assert entry.details["why"] == "Check-ins every day, the team's usual cadence."
    assert load(engine, Delegation, item).next_checkin_at == TUESDAY_9 + timedelta(days=1)
    [event] = [e for e in all_rows(engine, Event) if e.type == "checkin_sent"]
    assert event.data == {"slot": "2026-11-24T09:00:00Z", "checkin_id": checkin.id}
    # a second tick with the same slot (late, or another replica) does nothing
    again, told_again = run(engine, send_checkin, TUESDAY_9, delegation_id=item, slot=TUESDAY_9)
    assert again is None and told_again.told == []
    assert len(all_rows(engine, Checkin)) == 1 and event_types(engine).count("checkin_sent") == 1
    assert load(engine, Delegation, item).next_checkin_at == TUESDAY_9 + timedelta(days=1)
    # a crash between sending and rescheduling left the item on the slot: still sent once
    with unit_of_work(engine) as session:
        session.execute(update(Delegation).values(next_checkin_at=TUESDAY_9))
    again, told_again = run(engine, send_checkin, TUESDAY_9, delegation_id=item, slot=TUESDAY_9)
    assert again is None and told_again.told == [] and len(all_rows(engine, Checkin)) == 1
    assert load(engine, Delegation, item).next_checkin_at == TUESDAY_9 + timedelta(days=1)


def test_a_late_tick_sends_one_catch_up_and_skips_the_missed_slots(engine: Engine) -> None:
    item = accepted(engine)
    thursday_noon = TUESDAY_9 + timedelta(days=2, hours=3)
    checkin, told = run(engine, send_checkin, thursday_noon, delegation_id=item, slot=TUESDAY_9)
    assert checkin.slot == TUESDAY_9 and told.kinds() == ["checkin"]  # one, for all it missed
    assert load(engine, Delegation, item).next_checkin_at == TUESDAY_9 + timedelta(days=3)


SETTLED, PASSED_ON = "checkin_settled", "tell_delegator_checkin"


@pytest.mark.parametrize(
    ("status", "kinds", "final"),
    [
        (CheckinStatus.ON_TRACK, [SETTLED], "accepted"),
        (CheckinStatus.AT_RISK, [SETTLED, PASSED_ON], "accepted"),
        (CheckinStatus.BLOCKED, [SETTLED, PASSED_ON, "escalation"], "accepted"),
        (CheckinStatus.DONE, [SETTLED, "offer_settled", "tell_delegator"], "completed"),
    ],
)
def test_answers(engine: Engine, status: CheckinStatus, kinds: list[str], final: str) -> None:
    item, checkin = sent_checkin(engine)
    later = TUESDAY_9 + timedelta(minutes=30)
    note = " the vendor is late " + "." * MAX_NOTE_LENGTH  # trimmed, then cut to the limit
    answered, told = answer(engine, checkin.id, status, note=note, now=later)
    kept = note.strip()[:MAX_NOTE_LENGTH]
    assert told.kinds() == kinds and answered.status == final
    stored = load(engine, Checkin, checkin.id)
    assert (stored.status, stored.note, stored.answered_at) == (status, kept, later)
    assert stored.answer_deadline_at is None  # answered: nothing left to escalate
    assert told.told[0].details["args"][0].status == status  # the settled copy shows it
    [event] = [e for e in all_rows(engine, Event) if e.type == "checkin_answered"]
    assert event.actor == ALICE.user_id and event.data["status"] == status.value
    escalations = all_rows(engine, Escalation)
    if status is CheckinStatus.BLOCKED:
        [escalation] = escalations
        assert (escalation.reason, escalation.target) == ("blocked", CAROL)
        assert (escalation.note, escalation.stalled_since) == (kept, later)
    else:
        assert escalations == []
    assert load(engine, Delegation, item).status == final
    if status is CheckinStatus.DONE:
        assert told.told[-1].details["what"] == "completed"
        assert event_types(engine)[-2:] == ["checkin_answered", "completed"]


def test_only_the_assignee_may_answer(engine: Engine) -> None:
    _, checkin = sent_checkin(engine)
    with pytest.raises(NotAllowed):
        check_can_answer_in(engine, checkin.id, LEAD.user_id)
    with pytest.raises(NotAllowed):
        answer(engine, checkin.id, CheckinStatus.DONE, actor=LEAD.user_id)
    stored = load(engine, Checkin, checkin.id)
    assert stored.answered_at is None and stored.status is None
    assert "checkin_answered" not in event_types(engine)
    with pytest.raises(NotFound):
        answer(engine, 4242, CheckinStatus.ON_TRACK)


def check_can_answer_in(engine: Engine, checkin_id: int, actor: str) -> Checkin:
    with unit_of_work(engine) as session:
        return check_can_answer(session, checkin_id=checkin_id, actor=actor)


def test_a_checkin_is_answered_once(engine: Engine) -> None:
    _, checkin = sent_checkin(engine)
    assert check_can_answer_in(engine, checkin.id, ALICE.user_id).id == checkin.id
    answer(engine, checkin.id, CheckinStatus.ON_TRACK, note="   ")
    assert load(engine, Checkin, checkin.id).note is None  # a blank note is no note
    with pytest.raises(InvalidTransition):
        check_can_answer_in(engine, checkin.id, ALICE.user_id)
    with pytest.raises(InvalidTransition):
        answer(engine, checkin.id, CheckinStatus.BLOCKED, note="again")
    assert load(engine, Checkin, checkin.id).status == "on_track"
    assert all_rows(engine, Escalation) == []


def test_answering_a_checkin_of_a_closed_item_only_settles_it(engine: Engine) -> None:
    item, checkin = sent_checkin(engine)
    run(engine, d.cancel, TUESDAY_9, delegation_id=item, actor=LEAD.user_id)
    before = event_types(engine)
    answered, told = answer(engine, checkin.id, CheckinStatus.BLOCKED, note="stuck")
    assert answered.status == "cancelled" and told.kinds() == ["checkin_settled"]
    assert load(engine, Checkin, checkin.id).answered_at is None
    assert event_types(engine) == before and all_rows(engine, Escalation) == []
    with pytest.raises(NotAllowed):  # still only the assignee's to touch
        answer(engine, checkin.id, CheckinStatus.DONE, actor=LEAD.user_id)


def test_a_reminder_goes_once(engine: Engine) -> None:
    item = accepted(engine)  # due Friday 09:00: reminded Thursday 09:00
    thursday_9 = MONDAY_9 + timedelta(days=3)
    assert load(engine, Delegation, item).reminder_at == thursday_9
    early = thursday_9 - timedelta(hours=1)
    stale, told = run(engine, send_reminder, thursday_9, delegation_id=item, expected=early)
    assert stale is False and told.told == []
    sent, told = run(engine, send_reminder, thursday_9, delegation_id=item, expected=thursday_9)
    assert sent is True and told.kinds() == ["reminder"] and told.told[0].delegation_id == item
    assert load(engine, Delegation, item).reminder_at is None
    again, told = run(engine, send_reminder, thursday_9, delegation_id=item, expected=thursday_9)
    assert again is False and told.told == []
    assert event_types(engine).count("reminder_sent") == 1


@pytest.mark.parametrize("accept", [True, False])
def test_overdue_is_noticed_once_and_escalates(engine: Engine, accept: bool) -> None:
    item = accepted(engine, timedelta(days=1)) if accept else offered(engine, timedelta(days=1))
    due = MONDAY_9 + timedelta(days=1)
    late = due + timedelta(minutes=5)
    stale, told = run(engine, note_overdue, late, delegation_id=item, expected=late)
    assert stale is False and told.told == [] and load(engine, Delegation, item).overdue_at is None
    noticed, told = run(engine, note_overdue, late, delegation_id=item, expected=due)
    assert noticed is True and told.kinds() == ["escalation"]
    stored = load(engine, Delegation, item)
    assert (stored.overdue_at, stored.overdue_watch_at) == (late, None)
    [escalation] = all_rows(engine, Escalation)
    assert (escalation.reason, escalation.stalled_since) == ("overdue", due)
    [event] = [e for e in all_rows(engine, Event) if e.type == "overdue"]
    assert event.data == {"due": "2026-11-24T09:00:00Z", "status": stored.status}
    again, told = run(engine, note_overdue, late, delegation_id=item, expected=due)
    assert again is False and told.told == [] and len(all_rows(engine, Escalation)) == 1


def test_a_closed_item_is_neither_reminded_nor_overdue(engine: Engine) -> None:
    item = accepted(engine)
    before = load(engine, Delegation, item)
    reminder_at, due = before.reminder_at, before.due_at
    run(engine, d.complete, MONDAY_9, delegation_id=item, actor=ALICE.user_id)
    reminded, told = run(engine, send_reminder, due, delegation_id=item, expected=reminder_at)
    noticed, _ = run(engine, note_overdue, due, delegation_id=item, expected=due)
    assert (reminded, noticed, told.told) == (False, False, [])
    assert not {"reminder_sent", "overdue"} & set(event_types(engine))
