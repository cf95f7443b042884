"""Quiet by design: an item's updates thread under one message per person, and quiet mode
mutes routine notices but never escalations or requests to act."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.slack.ids import ActionId
from sandbox.emulator import Call
from tests.conftest import ALICE, BOB, LEAD, Running


@pytest.fixture
def policy_toml() -> str:
    return '[policy]\naccept_timeout = "4h"\n'


def posts_to(running: Running, user: str) -> list[Call]:
    channel = running.slack.dm_channel_for(user)
    return [
        call
        for call in running.slack.calls_to("chat.postMessage")
        if call.params["channel"] == channel and call.response.get("ok")
    ]


def test_an_items_updates_thread_under_its_first_notice(running: Running) -> None:
    value = running.accepted("Prepare the Q3 report")
    [accepted] = running.dms_to(LEAD)
    assert "thread_ts" not in accepted.params
    running.click(ALICE, ActionId.DONE, value)
    done = running.dms_to(LEAD, count=2)[1]
    assert "done" in done.params["text"]
    assert done.params["thread_ts"] == accepted.response["ts"]


def test_quiet_mode_mutes_routine_notices_but_not_escalations(running: Running) -> None:
    answer = running.delegate("quiet on")
    assert "Quiet mode is on" in answer["text"]
    value = running.accepted("Prepare the Q3 report")
    running.click(ALICE, ActionId.DONE, value)
    running.slack.wait_for("chat.update", count=2)
    running.delegate(f"<@{BOB}> Book the venue")  # Bob never answers
    running.offer_to(BOB)
    running.clock.advance(timedelta(hours=13))  # 14:00 in Los Angeles: five working hours
    running.tick()
    escalated = running.slack.wait_for(
        "chat.postMessage",
        where=lambda c: (
            c.params["channel"] == running.slack.dm_channel_for(LEAD)
            and "Escalated to you" in c.params["text"]
        ),
    )
    assert len(escalated) == 1
    assert [c.params["text"] for c in posts_to(running, LEAD)] == [escalated[0].params["text"]]

    assert "Quiet mode is off" in running.delegate("quiet off")["text"]
    assert "quiet on" in running.delegate("quiet maybe")["text"]
