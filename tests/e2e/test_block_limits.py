"""The longest tasks, reasons and notes Steward accepts still render inside Slack's Block Kit
limits in every message about them (the Slack double rejects anything over)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.slack.ids import ActionId, BlockId
from tests.conftest import ALICE, LEAD, Running, button

# 3,000 characters each: many lines (each gets a ">" when quoted), and characters that
# grow when escaped (& < >)
MANY_LINES = "\n".join(["x"] * 1500)[:3000]
ESCAPES = "\n".join(["R&D <draft> & review, line " + "x" * 22] * 70)[:3000]
LONG_TASK = MANY_LINES
LONG_TEXT = "A & B <c> " * 200  # 2,000 characters


@pytest.fixture
def policy_toml() -> str:
    return '[policy]\nfallback_channel = "C0FALLBACK"\n'


def assert_everything_rendered(running: Running) -> None:
    rejected = [
        (call.method, call.response.get("errors") or call.response.get("error"))
        for call in running.slack.calls
        if call.method in ("chat.postMessage", "chat.update", "views.open")
        and not call.response.get("ok")
    ]
    assert rejected == []


@pytest.mark.parametrize("task", [MANY_LINES, ESCAPES], ids=["many-lines", "escapes"])
def test_a_long_task_survives_the_whole_flow(running: Running, task: str) -> None:
    assert len(task) >= 2999
    answer = running.delegate(f"<@{ALICE}> {task}")
    assert "Offered to" in answer["text"]
    _, value = running.offer_to(ALICE)
    running.click(ALICE, ActionId.ACCEPT, value)
    running.slack.wait_for("chat.update")

    running.clock.advance(timedelta(days=1))
    running.tick()
    checkin = running.slack.wait_for(
        "chat.postMessage", where=lambda c: "Check-in" in c.params["text"]
    )[0]
    running.click(
        ALICE,
        ActionId.CHECKIN_BLOCKED,
        button(checkin.params["blocks"], ActionId.CHECKIN_BLOCKED)["value"],
    )
    view = running.slack.wait_for("views.open")[0].params["view"]
    note = {"type": "plain_text_input", "value": LONG_TEXT}
    response = running.sender.submit_view(
        user_id=ALICE, view=view, values={BlockId.CHECKIN_NOTE: {ActionId.CHECKIN_NOTE: note}}
    )
    assert response.status_code == 200 and response.text == ""
    running.slack.wait_for(
        "chat.postMessage", where=lambda c: "Escalated to you" in c.params["text"]
    )
    assert "escalated" in running.event_types()
    listed = running.delegate("list")  # the long task in the delegator's list, too
    assert "Delegated by you" in str(listed["blocks"]) and len(listed["blocks"]) <= 50
    assert_everything_rendered(running)


def test_a_long_task_declined_with_a_long_reason(running: Running) -> None:
    running.delegate(f"<@{ALICE}> {LONG_TASK}")
    _, value = running.offer_to(ALICE)
    running.click(ALICE, ActionId.DECLINE, value)
    view = running.slack.wait_for("views.open")[0].params["view"]
    reason = {"type": "plain_text_input", "value": LONG_TEXT}
    response = running.sender.submit_view(
        user_id=ALICE, view=view, values={BlockId.DECLINE_REASON: {ActionId.DECLINE_REASON: reason}}
    )
    assert response.status_code == 200 and response.text == ""
    assert "declined" in running.dms_to(LEAD)[0].params["text"]
    assert running.event_types() == ["created", "declined"]
    assert_everything_rendered(running)


def test_a_long_manual_escalation(running: Running) -> None:
    value = running.accepted(LONG_TASK)
    running.click(ALICE, ActionId.ESCALATE, value)
    view = running.slack.wait_for("views.open")[0].params["view"]
    reason = {"type": "plain_text_input", "value": LONG_TEXT}
    running.sender.submit_view(
        user_id=ALICE,
        view=view,
        values={BlockId.ESCALATE_REASON: {ActionId.ESCALATE_REASON: reason}},
    )
    running.slack.wait_for(
        "chat.postMessage", where=lambda c: "Escalated to you" in c.params["text"]
    )
    assert_everything_rendered(running)
