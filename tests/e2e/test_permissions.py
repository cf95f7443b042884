"""Only the assignee may answer an offer; double clicks and retries change things once; a
reporting line is shown to the person, those above them and admins only."""

from __future__ import annotations

import threading
import time

import pytest

from bot.slack.ids import ActionId
from tests.conftest import ALICE, BOB, CAROL, LEAD, Running

ADMIN = "U0ADMIN"
CHAIN_POLICY = f"""
[policy]
admins = ["{ADMIN}"]

[chain]
{ALICE} = "{LEAD}"
{LEAD} = "{CAROL}"
"""


def test_someone_else_cannot_accept(running: Running) -> None:
    running.delegate(f"<@{ALICE}> Prepare the Q3 report")
    _, value = running.offer_to(ALICE)

    for action in (ActionId.ACCEPT, ActionId.DECLINE, ActionId.DONE):
        running.click(BOB, action, value)
    refusals = running.slack.wait_for_responses(count=3)

    assert all(r["response_type"] == "ephemeral" for r in refusals)
    assert all(r["replace_original"] is False for r in refusals)
    assert "Only the person this was delegated to" in refusals[0]["text"]
    assert running.event_types() == ["created"]
    assert running.slack.calls_to("chat.update") == []
    assert running.slack.calls_to("views.open") == []


def test_the_delegator_cannot_accept_for_the_assignee(running: Running) -> None:
    running.delegate(f"<@{ALICE}> Prepare the Q3 report")
    _, value = running.offer_to(ALICE)
    running.click(LEAD, ActionId.ACCEPT, value)
    running.slack.wait_for_responses()
    assert running.event_types() == ["created"]


def test_a_double_click_accepts_once(running: Running) -> None:
    running.delegate(f"<@{ALICE}> Prepare the Q3 report")
    _, value = running.offer_to(ALICE)

    running.click(ALICE, ActionId.ACCEPT, value)
    running.click(ALICE, ActionId.ACCEPT, value)

    second = running.slack.wait_for_responses()[0]
    assert "already been accepted" in second["text"]
    assert running.event_types() == ["created", "accepted"]
    assert len(running.slack.wait_for("chat.update")) == 1
    assert len(running.dms_to(LEAD)) == 1


def test_racing_clicks_make_one_transition(running: Running) -> None:
    running.delegate(f"<@{ALICE}> Prepare the Q3 report")
    _, value = running.offer_to(ALICE)

    barrier = threading.Barrier(6)

    def click(action: str) -> None:
        barrier.wait()
        running.click(ALICE, action, value)

    actions = [ActionId.ACCEPT] * 4 + [ActionId.DECLINE] * 2
    threads = [threading.Thread(target=click, args=(action,)) for action in actions]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    # Clicks are acked first and worked on after: wait for every outcome. Three accepts
    # lose; a decline either lost too or got in first and opened its (now stale) form.
    running.slack.wait_for("chat.update")
    refusals = running.slack.wait_for_responses(count=3)
    deadline = time.monotonic() + 5
    while len(running.slack.responses) + len(running.slack.calls_to("views.open")) < 5:
        assert time.monotonic() < deadline
        time.sleep(0.01)
    assert all(
        "already been accepted" in r["text"] or "changed a moment ago" in r["text"]
        for r in refusals
    )
    assert running.event_types() == ["created", "accepted"]
    assert len(running.slack.calls_to("chat.update")) == 1


def test_a_retried_request_is_processed_once(running: Running) -> None:
    running.delegate(f"<@{ALICE}> Prepare the Q3 report")
    _, value = running.offer_to(ALICE)
    running.click(ALICE, ActionId.ACCEPT, value)
    for retry in ("1", "2"):
        headers = {"X-Slack-Retry-Num": retry, "X-Slack-Retry-Reason": "http_timeout"}
        response = running.sender.click(
            user_id=ALICE, action_id=ActionId.ACCEPT, value=value, extra_headers=headers
        )
        assert response.status_code == 200
    running.slack.wait_for("chat.update")
    running.slack.wait_for_responses(count=2)  # the retries were answered, not re-applied
    assert running.event_types() == ["created", "accepted"]
    assert len(running.slack.calls_to("chat.update")) == 1


def test_a_forged_button_value_is_refused(running: Running) -> None:
    for value in ("999999", "not-a-number", "", "-1"):
        running.click(ALICE, ActionId.ACCEPT, value)
    answers = running.slack.wait_for_responses(count=4)
    assert all("can't find" in a["text"] or "know" in a["text"] for a in answers)
    assert running.events() == []


@pytest.mark.parametrize("policy_toml", [CHAIN_POLICY])
def test_a_chain_is_shown_to_the_person_those_above_them_and_admins(running: Running) -> None:
    alices = f"Escalations for <@{ALICE}> go to: <@{LEAD}> → <@{CAROL}>"
    for viewer in (ALICE, LEAD, CAROL, ADMIN):  # herself, direct, indirect, an admin
        answer = running.delegate(f"chain <@{ALICE}>", user_id=viewer)
        assert answer["response_type"] == "ephemeral" and answer["text"] == alices, viewer
    assert running.delegate(f"chain <@{BOB}>", user_id=ADMIN)["text"].startswith(
        f"Escalations for <@{BOB}>"
    )


@pytest.mark.parametrize("policy_toml", [CHAIN_POLICY])
def test_a_chain_of_someone_not_below_you_is_refused_privately(running: Running) -> None:
    for viewer, person in ((BOB, ALICE), (ALICE, LEAD), (LEAD, CAROL), (BOB, "U0NOBODY")):
        answer = running.delegate(f"chain <@{person}>", user_id=viewer)
        assert answer["response_type"] == "ephemeral"
        assert "Escalations for" not in str(answer), (viewer, person)
        assert f"<@{CAROL}>" not in str(answer) and f"<@{LEAD}>" not in str(answer)
        assert "your own chain and those of the people who report to you" in answer["text"]
    assert running.events() == []
