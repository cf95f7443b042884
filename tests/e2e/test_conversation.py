"""Acceptance as a conversation, over the wire: a question pauses the acceptance clock, a
due date is negotiated, and the delegator reassigns or cancels."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import select

from bot.slack.ids import ActionId, BlockId, CallbackId
from storage.db import reading
from storage.models import Delegation
from tests.conftest import ALICE, BOB, CAROL, LEAD, Running, button


@pytest.fixture
def policy_toml() -> str:
    return f"""
[policy]
accept_timeout = "4h"

[chain]
{ALICE} = "{CAROL}"
"""


def item(running: Running, delegation_id: str) -> Delegation:
    with reading(running.engine) as session:
        found = session.exec(select(Delegation).where(Delegation.id == int(delegation_id))).one()
    return found


def submit(running: Running, user: str, values: dict) -> None:  # type: ignore[type-arg]
    opened = running.slack.calls_to("views.open")[-1].params["view"]
    response = running.sender.submit_view(user_id=user, view=opened, values=values)
    assert response.status_code == 200, response.text
    assert response.text in ("", "{}") or "errors" not in response.json(), response.text


def escalated(running: Running) -> list[dict]:  # type: ignore[type-arg]
    return [e for e in running.events() if e["type"] == "escalated"]


def test_a_question_pauses_the_acceptance_clock_until_answered(running: Running) -> None:
    running.delegate(f"<@{ALICE}> Prepare the Q3 report")
    offer, value = running.offer_to(ALICE)
    assert button(offer.params["blocks"], ActionId.ASK_QUESTION)["text"]["text"] == "Ask a question"

    running.clock.advance(timedelta(hours=1))
    running.click(ALICE, ActionId.ASK_QUESTION, value)
    running.slack.wait_for("views.open")
    question = "Which <!channel> quarter, Q3 or Q4?"
    submit(running, ALICE, {BlockId.QUESTION: {ActionId.QUESTION_INPUT: {"value": question}}})
    assert item(running, value).accept_deadline_at is None

    [asked] = running.dms_to(LEAD)
    text = json.dumps(asked.params["blocks"])
    assert "Which &lt;!channel&gt; quarter" in text and "<!channel>" not in text
    answer = button(asked.params["blocks"], ActionId.ANSWER_QUESTION)

    running.clock.advance(timedelta(hours=6))  # well past the 4 h: nothing escalates
    running.tick()
    assert escalated(running) == []

    running.click(BOB, ActionId.ANSWER_QUESTION, answer["value"])  # not the delegator
    assert "Only the person who delegated this" in running.slack.wait_for_responses()[0]["text"]
    running.click(LEAD, ActionId.ANSWER_QUESTION, answer["value"])
    running.slack.wait_for("views.open", count=2)
    submit(running, LEAD, {BlockId.ANSWER: {ActionId.ANSWER_INPUT: {"value": "Q3, the one now"}}})
    told = running.dms_to(ALICE, count=2)[1]
    assert "Q3, the one now" in json.dumps(told.params["blocks"])
    running.slack.wait_for("chat.update", where=lambda c: c.params["ts"] == asked.response["ts"])
    restarted = item(running, value).accept_deadline_at
    assert restarted is not None and restarted > running.clock.now()
    assert [e["type"] for e in running.events()][-2:] == ["question_asked", "question_answered"]

    running.clock.set(restarted + timedelta(minutes=1))
    running.tick()
    assert [e["data"]["reason"] for e in escalated(running)] == ["not_accepted"]


def test_an_approved_due_date_moves_the_reminder_and_the_overdue_check(running: Running) -> None:
    running.delegate(f"<@{ALICE}> Prepare the Q3 report by in 3 days")
    value = running.accepted("Book the venue by in 3 days")
    running.click(ALICE, ActionId.PROPOSE_DUE, value)
    running.slack.wait_for("views.open")
    before = item(running, value)
    later = (before.due_at or datetime.now(UTC)) + timedelta(days=7)
    values = {
        BlockId.DUE_DATE: {ActionId.DUE_DATE_INPUT: {"selected_date": later.date().isoformat()}},
        BlockId.DUE_TIME: {ActionId.DUE_TIME_INPUT: {"selected_time": "17:00"}},
        BlockId.DUE_REASON: {ActionId.DUE_REASON_INPUT: {"value": "Vendor is late"}},
    }
    submit(running, ALICE, values)
    proposal = running.slack.wait_for(
        "chat.postMessage",
        where=lambda c: (
            c.params["channel"] == running.slack.dm_channel_for(LEAD)
            and "proposes a new due date" in c.params["text"]
        ),
    )[0]
    notice = running.dms_to(LEAD)[0]  # "accepted": the item's thread in the lead's DM
    assert proposal.params["thread_ts"] == notice.response["ts"]
    assert proposal.params["reply_broadcast"] in (True, "true", "1")  # it needs them: notify
    approve = button(proposal.params["blocks"], ActionId.APPROVE_DUE)
    running.click(ALICE, ActionId.APPROVE_DUE, approve["value"])  # not hers to approve
    assert "Only the person who delegated this" in running.slack.wait_for_responses()[0]["text"]
    assert item(running, value).due_at == before.due_at

    running.click(LEAD, ActionId.APPROVE_DUE, approve["value"])
    running.slack.wait_for("chat.update", where=lambda c: c.params["ts"] == proposal.response["ts"])
    after = item(running, value)
    assert after.due_at is not None and after.due_at.date() == later.date()
    assert after.overdue_watch_at == after.due_at
    assert after.reminder_at is not None and before.reminder_at is not None
    assert after.reminder_at > before.reminder_at + timedelta(days=6)
    changed = [e for e in running.events() if e["type"] == "due_changed"]
    assert len(changed) == 1 and changed[0]["actor"] == LEAD

    running.click(LEAD, ActionId.APPROVE_DUE, approve["value"])  # a second click: no change
    assert "already answered" in running.slack.wait_for_responses(count=2)[1]["text"]
    assert len([e for e in running.events() if e["type"] == "due_changed"]) == 1


def test_reassigning_makes_the_new_assignee_accept_afresh(running: Running) -> None:
    value = running.accepted("Prepare the Q3 report")
    notice = running.dms_to(LEAD)[0]
    reassign = button(notice.params["blocks"], ActionId.REASSIGN)
    running.click(ALICE, ActionId.REASSIGN, reassign["value"])  # the assignee may not
    assert "Only the person who delegated this" in running.slack.wait_for_responses()[0]["text"]

    running.click(LEAD, ActionId.REASSIGN, reassign["value"])
    running.slack.wait_for("views.open")
    submit(running, LEAD, {BlockId.REASSIGN_TO: {ActionId.REASSIGN_INPUT: {"selected_user": BOB}}})
    moved = item(running, value)
    assert (moved.assignee_id, moved.status, moved.next_checkin_at) == (BOB, "offered", None)
    _, bobs = running.offer_to(BOB)
    assert bobs == value
    told = running.dms_to(ALICE, count=2)[1]
    assert "reassigned this to" in told.params["text"]

    running.click(ALICE, ActionId.DONE, value)  # her stale button
    assert "reassigned to someone else" in running.slack.wait_for_responses(count=2)[1]["text"]
    running.click(BOB, ActionId.ACCEPT, value)
    running.slack.wait_for("chat.update", count=3)
    assert item(running, value).status == "accepted"
    assert [e["type"] for e in running.events()].count("reassigned") == 1


def test_a_form_with_a_bad_choice_shows_the_error_and_changes_nothing(running: Running) -> None:
    value = running.accepted("Prepare the Q3 report")
    running.click(LEAD, ActionId.REASSIGN, value)
    running.slack.wait_for("views.open")
    opened = running.slack.calls_to("views.open")[-1].params["view"]
    values = {BlockId.REASSIGN_TO: {ActionId.REASSIGN_INPUT: {"selected_user": ALICE}}}
    response = running.sender.submit_view(user_id=LEAD, view=opened, values=values)
    assert response.json()["response_action"] == "errors"
    assert "already with that person" in response.json()["errors"][BlockId.REASSIGN_TO]
    assert opened["callback_id"] == CallbackId.REASSIGN_MODAL
    assert "reassigned" not in running.event_types()


def test_cancelling_tells_the_assignee_and_stops_their_buttons(running: Running) -> None:
    value = running.accepted("Prepare the Q3 report")
    notice = running.dms_to(LEAD)[0]
    cancel = button(notice.params["blocks"], ActionId.CANCEL)
    assert cancel["confirm"]["confirm"]["text"] == "Cancel it"
    running.click(LEAD, ActionId.CANCEL, value)
    told = running.dms_to(ALICE, count=2)[1]
    assert "cancelled this delegation" in told.params["text"]
    assert item(running, value).status == "cancelled"
    running.click(ALICE, ActionId.DONE, value)
    assert "has been cancelled" in running.slack.wait_for_responses()[0]["text"]
    assert running.event_types().count("cancelled") == 1
