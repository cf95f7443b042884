"""The whole acceptance flow over HTTP with signed requests, against the Slack double."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.slack.ids import ActionId, BlockId, CallbackId
from tests.conftest import ALICE, LEAD, Running


def _delegate(running: Running, text: str, user_id: str = LEAD) -> dict:
    response = running.sender.command(text, user_id=user_id)
    assert response.status_code == 200, response.text
    return response.json()


def _offer_call(running: Running, assignee: str = ALICE):
    channel = running.slack.dm_channel_for(assignee)
    return running.slack.wait_for("chat.postMessage", where=lambda c: c.params["channel"] == channel)[0]


def _button(blocks: list[dict], action_id: str) -> dict:
    for block in blocks:
        for element in block.get("elements", []):
            if element.get("action_id") == action_id:
                return element
    raise AssertionError(f"no {action_id} button in {blocks}")


def test_delegate_offer_accept_tells_delegator(running: Running) -> None:
    answer = _delegate(running, f"<@{ALICE}|alice> Prepare the Q3 report by friday")

    # the ack itself is the ephemeral confirmation restating who, what and when
    assert answer["response_type"] == "ephemeral" if "response_type" in answer else True
    assert f"<@{ALICE}>" in answer["text"] and "Prepare the Q3 report" in answer["text"]
    assert "Fri 27 Nov 2026, 18:00 (America/New_York)" in answer["text"]

    offer = _offer_call(running)
    accept = _button(offer.params["blocks"], ActionId.ACCEPT)
    assert _button(offer.params["blocks"], ActionId.DECLINE)["text"]["text"] == "Decline"
    assert accept["text"]["text"] == "Accept"
    # due date shown in the assignee's own timezone (London: 23:00 on Friday)
    assert "Fri 27 Nov 2026, 23:00 (Europe/London)" in str(offer.params["blocks"])

    clicked = running.sender.click(user_id=ALICE, action_id=ActionId.ACCEPT, value=accept["value"])
    assert clicked.status_code == 200

    update = running.slack.wait_for("chat.update")[0]
    assert update.params["ts"] == offer.response["ts"]
    assert _button(update.params["blocks"], ActionId.DONE)
    assert "accepted" in update.params["text"]
    lead_dm = running.slack.dm_channel_for(LEAD)
    notice = running.slack.wait_for("chat.postMessage", where=lambda c: c.params["channel"] == lead_dm)[0]
    assert "accepted" in notice.params["text"] and "Prepare the Q3 report" in notice.params["text"]

    events = running.events()
    assert [e["type"] for e in events] == ["created", "accepted"]
    created = events[0]
    assert created["actor"] == LEAD
    assert created["data"] == {
        "delegator": LEAD,
        "assignee": ALICE,
        "text": "Prepare the Q3 report",
        "due": "2026-11-27T23:00:00Z",
    }
    assert events[1]["actor"] == ALICE


def test_decline_asks_for_a_reason_and_tells_the_delegator(running: Running) -> None:
    _delegate(running, f"<@{ALICE}> Rotate the on-call keys")
    offer = _offer_call(running)
    decline = _button(offer.params["blocks"], ActionId.DECLINE)

    running.sender.click(user_id=ALICE, action_id=ActionId.DECLINE, value=decline["value"])
    opened = running.slack.wait_for("views.open")[0]
    view = opened.params["view"]
    assert view["callback_id"] == CallbackId.DECLINE_MODAL
    assert running.event_types() == ["created"]  # opening the form changes nothing

    submitted = running.sender.submit_view(
        user_id=ALICE,
        view=view,
        values={BlockId.DECLINE_REASON: {ActionId.DECLINE_REASON: {"type": "plain_text_input", "value": "On leave next week"}}},
    )
    assert submitted.status_code == 200
    assert submitted.text in ("", "{}") or submitted.json() == {}

    update = running.slack.wait_for("chat.update")[0]
    assert "declined" in update.params["text"]
    assert all(b["type"] != "actions" for b in update.params["blocks"])
    lead_dm = running.slack.dm_channel_for(LEAD)
    notice = running.slack.wait_for("chat.postMessage", where=lambda c: c.params["channel"] == lead_dm)[0]
    assert "On leave next week" in str(notice.params["blocks"])
    events = running.events()
    assert [e["type"] for e in events] == ["created", "declined"]
    assert events[1]["data"] == {"reason": "On leave next week"}


def test_done_completes_an_accepted_item(running: Running) -> None:
    _delegate(running, f"<@{ALICE}> Ship the release notes")
    offer = _offer_call(running)
    value = _button(offer.params["blocks"], ActionId.ACCEPT)["value"]
    running.sender.click(user_id=ALICE, action_id=ActionId.ACCEPT, value=value)
    running.slack.wait_for("chat.update")
    running.sender.click(user_id=ALICE, action_id=ActionId.DONE, value=value)
    running.slack.wait_for("chat.update", count=2)
    assert running.event_types() == ["created", "accepted", "completed"]


def test_clock_is_the_injected_one(running: Running) -> None:
    _delegate(running, f"<@{ALICE}> Check the clock")
    running.slack.wait_for("chat.postMessage")
    assert running.events()[0]["at"] == running.clock.now().astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert running.clock.now() == datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
