"""Slack slow or down: commands are still acknowledged, state recorded, messages delivered
once Slack recovers."""

from __future__ import annotations

from datetime import timedelta

from bot.slack.ids import ActionId
from tests.conftest import ALICE, LEAD, Running
from tests.waiting import eventually


def test_postmessage_down_does_not_block_the_ack_or_lose_the_offer(running: Running) -> None:
    running.slack.fail_next("chat.postMessage", status=500, times=6)
    answer = running.delegate(f"<@{ALICE}> Prepare the Q3 report")  # how soon: latency.py
    assert "Offered to" in answer["text"]
    assert running.event_types() == ["created"]

    def delivered_once_slack_recovers() -> bool:  # retries come due as the clock moves on
        if any(c.response.get("ok") for c in running.slack.calls_to("chat.postMessage")):
            return True
        running.clock.advance(timedelta(seconds=30))
        running.steward.runtime.delivery.wake()
        return False

    eventually(delivered_once_slack_recovers, what="the offer", explain=running.slack.summary)
    offer, _ = running.offer_to(ALICE)
    assert "Prepare the Q3 report" in offer.params["text"]


def test_users_info_down_still_records_the_offer(running: Running) -> None:
    running.slack.fail_next("users.info", status=503, times=4)
    answer = running.delegate(f"<@{ALICE}> Prepare the Q3 report by 2026-12-01")
    assert "read the date in UTC" in str(answer["blocks"])
    assert running.events()[0]["data"]["due"] == "2026-12-01T18:00:00Z"
    running.offer_to(ALICE)


def test_a_slow_users_info_is_cut_short_inside_slacks_3_seconds(running: Running) -> None:
    running.slack.delay_next("users.info", 5.0, times=4)
    answer = running.delegate(f"<@{ALICE}> Prepare the Q3 report by 2026-12-01")
    assert "Offered to" in answer["text"]
    # the lookup was given up on, not waited out: the date was read without the timezone
    assert "read the date in UTC" in str(answer["blocks"])  # how soon: latency.py


def test_list_shows_both_directions(running: Running) -> None:
    running.delegate(f"<@{ALICE}> Prepare the Q3 report by friday")
    running.delegate(f"<@{LEAD}> Approve the budget by 2026-12-01", user_id=ALICE)
    _, value = running.offer_to(ALICE)
    running.click(ALICE, ActionId.ACCEPT, value)
    running.slack.wait_for("chat.update")

    answer = running.delegate("list")
    text = str(answer["blocks"])
    assert answer["response_type"] == "ephemeral"
    assert "Delegated to you" in text and "Approve the budget" in text
    assert "Delegated by you" in text and "Prepare the Q3 report" in text
    assert "accepted" in text and "waiting for acceptance" in text
    assert "Fri 27 Nov 2026, 18:00 (America/New_York)" in text


def test_list_when_empty(running: Running) -> None:
    answer = running.delegate("list")
    assert "Nothing open" in str(answer["blocks"])
