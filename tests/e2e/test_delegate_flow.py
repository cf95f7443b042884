"""The whole acceptance flow over HTTP with signed requests, against the Slack double."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.slack.ids import ActionId, BlockId, CallbackId
from tests.conftest import ALICE, LEAD, Running, button, iso


def test_delegate_offer_accept_tells_delegator(running: Running) -> None:
    answer = running.delegate(f"<@{ALICE}|alice> Prepare the Q3 report by friday")

    # the ack itself is the ephemeral confirmation restating who, what and when
    assert answer["response_type"] == "ephemeral"
    assert f"<@{ALICE}>" in answer["text"] and "Prepare the Q3 report" in answer["text"]
    assert "Fri 27 Nov 2026, 18:00 (America/New_York)" in answer["text"]

    offer, value = running.offer_to(ALICE)
    assert button(offer.params["blocks"], ActionId.ACCEPT)["text"]["text"] == "Accept"
    assert button(offer.params["blocks"], ActionId.DECLINE)["text"]["text"] == "Decline"
    assert "Prepare the Q3 report" in offer.params["text"]
    # the due date on the assignee's own clock: 18:00 in New York is 23:00 in London
    assert "Fri 27 Nov 2026, 23:00 (Europe/London)" in str(offer.params["blocks"])

    running.click(ALICE, ActionId.ACCEPT, value)

    update = running.slack.wait_for("chat.update")[0]
    assert (update.params["channel"], update.params["ts"]) == (
        offer.response["channel"],
        offer.response["ts"],
    )
    assert button(update.params["blocks"], ActionId.DONE)
    assert "accepted" in update.params["text"]
    notice = running.dms_to(LEAD)[0]
    assert "accepted" in notice.params["text"]
    assert "Prepare the Q3 report" in notice.params["text"]

    events = running.events()
    assert [e["type"] for e in events] == ["created", "accepted"]
    assert events[0]["actor"] == LEAD
    assert events[0]["data"] == {
        "delegator": LEAD,
        "assignee": ALICE,
        "text": "Prepare the Q3 report",
        "due": "2026-11-27T23:00:00Z",
        "checkin_every": None,
    }
    assert events[1]["actor"] == ALICE
    assert events[1]["at"] == iso(running.clock.now())


def test_decline_asks_for_a_reason_and_tells_the_delegator(running: Running) -> None:
    running.delegate(f"<@{ALICE}> Rotate the on-call keys")
    _, value = running.offer_to(ALICE)

    running.click(ALICE, ActionId.DECLINE, value)
    view = running.slack.wait_for("views.open")[0].params["view"]
    assert view["callback_id"] == CallbackId.DECLINE_MODAL
    assert running.event_types() == ["created"]  # opening the form changes nothing

    reason = {"type": "plain_text_input", "value": "On leave next week"}
    submitted = running.sender.submit_view(
        user_id=ALICE, view=view, values={BlockId.DECLINE_REASON: {ActionId.DECLINE_REASON: reason}}
    )
    assert submitted.status_code == 200
    assert submitted.text == ""  # a bare ack closes the modal

    update = running.slack.wait_for("chat.update")[0]
    assert "declined" in update.params["text"]
    assert all(block["type"] != "actions" for block in update.params["blocks"])
    notice = running.dms_to(LEAD)[0]
    assert "declined" in notice.params["text"]
    assert "On leave next week" in str(notice.params["blocks"])
    events = running.events()
    assert [e["type"] for e in events] == ["created", "declined"]
    assert events[1]["data"] == {"reason": "On leave next week"}


def test_decline_without_a_reason(running: Running) -> None:
    running.delegate(f"<@{ALICE}> Rotate the on-call keys")
    _, value = running.offer_to(ALICE)
    running.click(ALICE, ActionId.DECLINE, value)
    view = running.slack.wait_for("views.open")[0].params["view"]
    empty = {"type": "plain_text_input", "value": None}
    running.sender.submit_view(
        user_id=ALICE, view=view, values={BlockId.DECLINE_REASON: {ActionId.DECLINE_REASON: empty}}
    )
    assert "No reason given" in str(running.dms_to(LEAD)[0].params["blocks"])
    assert running.events()[1]["data"] == {"reason": None}


def test_done_completes_an_accepted_item(running: Running) -> None:
    running.delegate(f"<@{ALICE}> Ship the release notes")
    _, value = running.offer_to(ALICE)
    running.click(ALICE, ActionId.ACCEPT, value)
    running.slack.wait_for("chat.update")
    running.click(ALICE, ActionId.DONE, value)
    final = running.slack.wait_for("chat.update", count=2)[1]
    assert all(block["type"] != "actions" for block in final.params["blocks"])
    assert "done" in running.dms_to(LEAD, count=2)[1].params["text"]
    assert running.event_types() == ["created", "accepted", "completed"]


def test_the_modal_path_creates_the_same_offer(running: Running) -> None:
    assert running.delegate("") == {}
    view = running.slack.wait_for("views.open")[0].params["view"]
    assert view["callback_id"] == CallbackId.DELEGATE_MODAL
    values = {
        BlockId.NEW_ASSIGNEE: {
            ActionId.NEW_ASSIGNEE: {"type": "users_select", "selected_user": ALICE}
        },
        BlockId.NEW_TASK: {
            ActionId.NEW_TASK: {"type": "plain_text_input", "value": "Plan the offsite"}
        },
        BlockId.NEW_DUE: {ActionId.NEW_DUE: {"type": "datepicker", "selected_date": "2026-11-26"}},
    }
    response = running.sender.submit_view(user_id=LEAD, view=view, values=values)
    assert response.status_code == 200 and response.text == ""
    offer, _ = running.offer_to(ALICE)
    assert "Plan the offsite" in offer.params["text"]
    created = running.events()[0]
    assert created["data"]["due"] == "2026-11-26T23:00:00Z"  # 18:00 in New York


def test_the_injected_clock_stamps_events(running: Running) -> None:
    running.clock.set(datetime(2026, 12, 1, 14, 30, tzinfo=UTC))
    running.delegate(f"<@{ALICE}> Check the clock")
    assert running.events()[0]["at"] == "2026-12-01T14:30:00Z"
