"""Escalation over the wire: the DM with Acknowledge, who may press it, who is told."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.slack.ids import ActionId, BlockId, CallbackId
from tests.conftest import ALICE, BOB, CAROL, LEAD, Running, button

DAVE = "U0DAVE"
FALLBACK = "C0FALLBACK"


@pytest.fixture
def policy_toml() -> str:
    return f"""
[policy]
accept_timeout = "4h"
escalation_timeout = "2h"
fallback_channel = "{FALLBACK}"

[chain]
{ALICE} = "{CAROL}"
{CAROL} = "{DAVE}"
"""


@pytest.fixture(autouse=True)
def dave(running: Running) -> None:
    running.slack.add_user(DAVE, name="dave", tz="Europe/London")


def escalations_to(running: Running, channel: str, count: int = 1) -> list:
    return running.slack.wait_for(
        "chat.postMessage",
        count=count,
        where=lambda c: c.params["channel"] == channel and "Escalated to you" in c.params["text"],
    )


def test_not_accepted_escalates_to_the_manager_who_acknowledges(running: Running) -> None:
    running.delegate(f"<@{ALICE}> Prepare the Q3 report")
    running.offer_to(ALICE)
    running.clock.advance(timedelta(hours=4))  # Monday 13:00 in London: four working hours
    running.tick()

    [message] = escalations_to(running, running.slack.dm_channel_for(CAROL))
    body = str(message.params["blocks"])
    assert "Prepare the Q3 report" in body
    assert f"<@{LEAD}> delegated this to <@{ALICE}>" in body
    assert "it was not accepted in time" in body and "(4 h)" in body
    acknowledge = button(message.params["blocks"], ActionId.ACKNOWLEDGE)
    assert acknowledge["text"]["text"] == "Acknowledge"

    lead_notice = running.dms_to(LEAD)[0]
    assert f"escalated to <@{CAROL}>" in lead_notice.params["text"]
    alice_notice = running.dms_to(ALICE, count=2)[1]
    assert "Heads-up" in alice_notice.params["text"]

    escalated = [e for e in running.events() if e["type"] == "escalated"]
    assert escalated[0]["data"]["level"] == 1
    assert escalated[0]["data"]["to"] == CAROL
    assert escalated[0]["data"]["reason"] == "not_accepted"

    # only the person it went to may acknowledge
    running.click(BOB, ActionId.ACKNOWLEDGE, acknowledge["value"])
    refusal = running.slack.wait_for_responses()[0]
    assert "Only the person this escalation went to" in refusal["text"]
    assert "acknowledged" not in running.event_types()

    running.click(CAROL, ActionId.ACKNOWLEDGE, acknowledge["value"])
    edited = running.slack.wait_for(
        "chat.update", where=lambda c: c.params["ts"] == message.response["ts"]
    )[0]
    assert "picked this up" in edited.params["text"]
    assert all(block["type"] != "actions" for block in edited.params["blocks"])
    assert "picked up" in running.dms_to(LEAD, count=2)[1].params["text"]
    acknowledged = [e for e in running.events() if e["type"] == "acknowledged"]
    assert acknowledged[0]["actor"] == CAROL

    running.clock.advance(timedelta(days=2))  # acknowledged: no more climbing
    running.tick()
    assert len([e for e in running.events() if e["type"] == "escalated"]) == 1


def test_nobody_acknowledges_so_it_climbs_to_the_fallback_channel(running: Running) -> None:
    running.delegate(f"<@{ALICE}> Prepare the Q3 report")
    running.offer_to(ALICE)
    for hours in (4, 2, 2):
        running.clock.advance(timedelta(hours=hours))
        running.tick()
    escalations_to(running, running.slack.dm_channel_for(DAVE))
    [channel_post] = escalations_to(running, FALLBACK)
    levels = [
        (e["data"]["level"], e["data"]["to"]) for e in running.events() if e["type"] == "escalated"
    ]
    assert levels == [(1, CAROL), (2, DAVE), (3, FALLBACK)]

    # in the fallback channel, whoever picks it up may acknowledge, except the assignee
    value = button(channel_post.params["blocks"], ActionId.ACKNOWLEDGE)["value"]
    for who in (ALICE, BOB):
        clicked = running.sender.click(
            user_id=who, action_id=ActionId.ACKNOWLEDGE, value=value, channel_id=FALLBACK
        )
        assert clicked.status_code == 200
    assert "Only the person" in running.slack.wait_for_responses()[0]["text"]
    running.slack.wait_for("chat.update", where=lambda c: c.params["channel"] == FALLBACK)
    assert [e["actor"] for e in running.events() if e["type"] == "acknowledged"] == [BOB]


def test_manual_escalation_from_the_item(running: Running) -> None:
    value = running.accepted("Prepare the Q3 report")
    running.click(ALICE, ActionId.ESCALATE, value)
    view = running.slack.wait_for("views.open")[0].params["view"]
    assert view["callback_id"] == CallbackId.ESCALATE_MODAL

    empty = {"type": "plain_text_input", "value": None}
    reason = {"type": "plain_text_input", "value": "Finance has not sent the numbers"}
    response = running.sender.submit_view(
        user_id=ALICE,
        view=view,
        values={BlockId.ESCALATE_REASON: {ActionId.ESCALATE_REASON: empty}},
    )
    assert response.json()["response_action"] == "errors"  # a reason is required
    assert "what help is needed" in response.json()["errors"][BlockId.ESCALATE_REASON]

    response = running.sender.submit_view(
        user_id=ALICE,
        view=view,
        values={BlockId.ESCALATE_REASON: {ActionId.ESCALATE_REASON: reason}},
    )
    assert response.status_code == 200
    [message] = escalations_to(running, running.slack.dm_channel_for(CAROL))
    assert "Finance has not sent the numbers" in str(message.params["blocks"])
    assert "someone asked for help" in str(message.params["blocks"])
    reasons = [e["data"]["reason"] for e in running.events() if e["type"] == "escalated"]
    assert reasons == ["manual"]


def test_only_the_assignee_or_delegator_may_escalate(running: Running) -> None:
    value = running.accepted("Prepare the Q3 report")
    running.click(BOB, ActionId.ESCALATE, value)
    refusal = running.slack.wait_for_responses()[0]
    assert "Only the assignee or the delegator" in refusal["text"]
    assert running.slack.calls_to("views.open") == []


def test_chain_command(running: Running) -> None:
    answer = running.delegate(f"chain <@{ALICE}|alice>", user_id=CAROL)  # Alice's manager
    assert answer["response_type"] == "ephemeral"
    assert answer["text"] == (
        f"Escalations for <@{ALICE}> go to: <@{CAROL}> → <@{DAVE}> → <#{FALLBACK}>"
    )
    unknown = running.delegate(f"chain <@{BOB}>", user_id=BOB)
    assert "No manager is configured" in str(unknown["blocks"])
