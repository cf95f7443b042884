"""The escalation lifecycle over the wire, as a team lead would meet it: an escalation that
resolves itself when the cause clears (its messages edited, nobody pinged), old buttons that
say so, Pass up, and many escalations to one place arriving as one message."""

from __future__ import annotations

import io
from datetime import timedelta
from pathlib import Path

import pytest
from sqlmodel import Session, col, func, select

from bot.commands.check import run_checks
from bot.slack.ids import ActionId, BlockId, CallbackId
from sandbox.emulator import Call
from storage.models import OutboxMessage
from tests.conftest import ALICE, BOB, CAROL, LEAD, Running, button, settings_for
from tests.e2e.test_escalation import DAVE, FALLBACK, dave  # noqa: F401  (the fixture)
from tests.waiting import eventually


@pytest.fixture
def policy_toml() -> str:
    # Unpaced: these tests are about what escalations say and when; pacing (a channel's
    # second, a Home publish every 2 s) would only make them wait in real time.
    return f"""
[policy]
slack_pacing = false
accept_timeout = "4h"
checkin_interval = "1d"
checkin_timeout = "4h"
escalation_timeout = "2h"
working_hours = "always"
working_days = "all"
fallback_channel = "{FALLBACK}"

[chain]
{ALICE} = "{CAROL}"
{CAROL} = "{DAVE}"
"""


def delivered(running: Running) -> None:
    """Wait until delivery has sent everything queued so far."""

    def pending() -> int:
        with Session(running.engine) as session:
            waiting = select(func.count()).where(col(OutboxMessage.status) == "pending")
            return int(session.exec(waiting).one())

    eventually(lambda: pending() == 0, what="the outbox to drain", explain=pending)


def escalation_posts(running: Running) -> list[Call]:
    """Every escalation message posted (not edits, not notices about one)."""
    return [
        call
        for call in running.slack.calls_to("chat.postMessage")
        if "Escalated to you" in str(call.params.get("text"))
    ]


def edits_of(running: Running, post: Call) -> list[Call]:
    return [
        call
        for call in running.slack.calls_to("chat.update")
        if call.params["ts"] == post.response["ts"]
        and call.params["channel"] == post.response["channel"]
    ]


def checkin_to_alice(running: Running) -> str:
    """Accept an item, let its first check-in go out; the check-in's id."""
    running.accepted("Prepare the Q3 report")
    running.clock.advance(timedelta(days=1))
    running.tick()
    checkin = running.slack.wait_for(
        "chat.postMessage",
        where=lambda c: (
            c.params["channel"] == running.slack.dm_channel_for(ALICE)
            and "check" in str(c.params.get("text")).lower()
        ),
    )[-1]
    return button(checkin.params["blocks"], ActionId.CHECKIN_ON_TRACK)["value"]


def test_a_late_on_track_resolves_the_escalation_and_edits_it(running: Running) -> None:
    checkin = checkin_to_alice(running)
    running.clock.advance(timedelta(hours=4, seconds=1))
    running.tick()
    [to_carol] = eventually(lambda: escalation_posts(running), what="the escalation to Carol")
    assert to_carol.params["channel"] == running.slack.dm_channel_for(CAROL)

    running.clock.advance(timedelta(seconds=30))  # Alice answers a moment too late
    running.click(ALICE, ActionId.CHECKIN_ON_TRACK, checkin)
    edit = eventually(lambda: edits_of(running, to_carol), what="Carol's message edited")[-1]
    assert "Resolved: the check-in was answered" in str(edit.params["blocks"])
    assert all(block["type"] != "actions" for block in edit.params["blocks"])
    resolved = [e for e in running.events() if e["type"] == "escalation_resolved"]
    assert [e["data"]["cause"] for e in resolved] == ["checkin_answered"]

    for _ in range(4):  # hours pass: the climb does not go on to Dave or the fallback
        running.clock.advance(timedelta(hours=2))
        running.tick()
    delivered(running)
    assert len(escalation_posts(running)) == 1
    lead_thread = running.dms_to(LEAD, count=0)
    assert any("escalation is resolved" in str(c.params.get("text")) for c in lead_thread)
    assert all(c.params.get("thread_ts") for c in lead_thread if "resolved" in c.params["text"])

    # Carol's old button answers privately and changes nothing
    value = button(to_carol.params["blocks"], ActionId.ACKNOWLEDGE)["value"]
    running.click(CAROL, ActionId.ACKNOWLEDGE, value)
    refusal = running.slack.wait_for_responses()[0]
    assert "already resolved: the check-in was answered" in refusal["text"]
    assert "acknowledged" not in running.event_types()


def test_pass_up_reaches_the_next_level_at_once_with_the_reason(running: Running) -> None:
    checkin_to_alice(running)
    running.clock.advance(timedelta(hours=4, seconds=1))
    running.tick()
    [to_carol] = eventually(lambda: escalation_posts(running), what="the escalation to Carol")
    value = button(to_carol.params["blocks"], ActionId.PASS_UP)["value"]

    running.click(BOB, ActionId.PASS_UP, value)  # not Bob's to pass
    assert (
        "Only the person this escalation is with" in running.slack.wait_for_responses()[0]["text"]
    )

    running.click(CAROL, ActionId.PASS_UP, value)
    view = running.slack.wait_for("views.open")[0].params["view"]
    assert view["callback_id"] == CallbackId.PASS_UP_MODAL
    reason = {"type": "plain_text_input", "value": "Needs a budget decision"}
    response = running.sender.submit_view(
        user_id=CAROL, view=view, values={BlockId.PASS_UP_REASON: {ActionId.PASS_UP_REASON: reason}}
    )
    assert response.status_code == 200
    posts = eventually(lambda: escalation_posts(running)[1:], what="the escalation to Dave")
    assert posts[0].params["channel"] == running.slack.dm_channel_for(DAVE)
    assert "passed it up: “Needs a budget decision”" in str(posts[0].params["blocks"])
    escalated = [e["data"] for e in running.events() if e["type"] == "escalated"]
    assert (escalated[-1]["level"], escalated[-1]["reason"]) == (2, "passed_up")
    carol_now = eventually(lambda: edits_of(running, to_carol), what="Carol's message edited")
    assert f"Now with <@{DAVE}>" in str(carol_now[-1].params["blocks"])


def test_six_escalations_in_one_tick_are_one_message_each_with_its_own_buttons(
    running: Running,
) -> None:
    for number in range(6):  # Bob has no manager: his escalations go to the lead, then the channel
        running.delegate(f"<@{BOB}> Task number {number}")
    running.dms_to(BOB, count=6)
    running.clock.advance(timedelta(hours=4))
    running.tick()
    running.clock.advance(timedelta(hours=2))
    running.tick()
    delivered(running)

    to_channel = [p for p in escalation_posts(running) if p.params["channel"] == FALLBACK]
    to_lead = [p for p in escalation_posts(running) if p.params["channel"] != FALLBACK]
    assert len(to_channel) == 1 and len(to_lead) == 1  # before: six posts each
    listing = edits_of(running, to_channel[0])[-1].params["blocks"]
    buttons = [
        element["value"]
        for block in listing
        if block["type"] == "actions"
        for element in block["elements"]
        if element["action_id"] == ActionId.ACKNOWLEDGE
    ]
    assert len(set(buttons)) == 6
    assert "6 items escalated to you" in str(listing)

    # one is picked up in the channel: the list shows it, and its thread says so
    clicked = running.sender.click(
        user_id=CAROL, action_id=ActionId.ACKNOWLEDGE, value=buttons[0], channel_id=FALLBACK
    )
    assert clicked.status_code == 200

    def replies() -> list[Call]:
        thread = to_channel[0].response["ts"]
        posts = running.slack.calls_to("chat.postMessage")
        return [c for c in posts if c.params.get("thread_ts") == thread]

    [reply] = eventually(replies, what="a line in the list's thread")
    assert "picked up by" in reply.params["text"]
    latest = edits_of(running, to_channel[0])[-1].params["blocks"]
    assert f"<@{CAROL}> picked this up" in str(latest)


def test_an_edit_slack_refuses_is_parked_reported_and_blocks_nothing(
    running: Running, database_url: str, policy_file: Path
) -> None:
    checkin = checkin_to_alice(running)
    running.clock.advance(timedelta(hours=4, seconds=1))
    running.tick()
    eventually(lambda: escalation_posts(running), what="the escalation to Carol")
    delivered(running)
    running.slack.fail_next("chat.update", error="message_not_found")  # Carol deleted it
    running.click(ALICE, ActionId.CHECKIN_ON_TRACK, checkin)
    eventually(
        lambda: any(c.response.get("error") for c in running.slack.calls_to("chat.update")),
        what="the refused edit",
    )

    def parked() -> list[str]:
        with Session(running.engine) as session:
            rows = session.exec(select(OutboxMessage).where(OutboxMessage.status == "parked"))
            return [str(row.last_error) for row in rows]

    assert eventually(parked, what="the edit parked") == ["message_not_found"]
    report = io.StringIO()
    assert run_checks(
        settings_for(running.slack, database_url, policy_file=policy_file), out=report
    )
    assert "message_not_found" in report.getvalue()

    # Carol's later messages still arrive: the next check-in goes unanswered too
    running.clock.advance(timedelta(days=1))
    running.tick()
    running.clock.advance(timedelta(hours=4, seconds=1))
    running.tick()
    later = eventually(lambda: escalation_posts(running)[1:], what="Carol's next escalation")
    assert later[0].params["channel"] == running.slack.dm_channel_for(CAROL)
