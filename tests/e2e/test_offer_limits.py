"""One person's burst of offers is cut off at the policy's limits, privately, changing
nothing: no item, no DM, no escalation to come."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from bot.config.settings import ConfigError, policy_from_mapping
from bot.slack.ids import ActionId, BlockId
from tests.conftest import ALICE, BOB, CAROL, LEAD, Running, button
from tests.waiting import eventually

DAN = "U0DAN"
HOURLY_REFUSAL = "You have made 30 new offers in the last hour"


def _offer(running: Running, assignee: str, task: str) -> str:
    return str(running.delegate(f"<@{assignee}> {task}")["text"])


def test_the_default_limits_stop_a_burst_of_offers(running: Running) -> None:
    for number in range(10):
        assert "Offered to" in _offer(running, ALICE, f"Task {number}")
    refused = _offer(running, ALICE, "One too many")
    assert "already has 10 offers from you waiting" in refused
    assert "max_open_offers_per_assignee" in refused
    _, value = running.offer_to(ALICE)
    running.click(ALICE, ActionId.ACCEPT, value)  # one fewer waiting: room for one more
    eventually(lambda: "accepted" in running.event_types(), what="the acceptance")
    assert "Offered to" in _offer(running, ALICE, "Now there is room")

    for assignee in (BOB, CAROL):
        for number in range(10):
            answer = _offer(running, assignee, f"Task {number}")
            assert "Offered to" in answer or HOURLY_REFUSAL in answer
    running.slack.add_user(DAN, name="dan", tz="UTC")
    refused = _offer(running, DAN, "Past the hour's limit")
    # the first offer leaves the hour at 10:00 UTC, 05:00 on the delegator's clock
    assert HOURLY_REFUSAL in refused and "from 05:00 (America/New_York)" in refused
    assert running.event_types().count("created") == 30
    assert [e for e in running.events() if e["data"].get("assignee") == DAN] == []

    running.clock.advance(timedelta(hours=1))
    assert "Offered to" in _offer(running, DAN, "An hour later")


def _reassign(running: Running, to: str) -> dict[str, Any]:
    """The delegator's Reassign (on the "accepted" notice) to ``to``; the form's answer."""
    notice = running.dms_to(LEAD)[0]
    opened = len(running.slack.calls_to("views.open"))
    running.click(
        LEAD, ActionId.REASSIGN, button(notice.params["blocks"], ActionId.REASSIGN)["value"]
    )
    view = running.slack.wait_for("views.open", count=opened + 1)[-1].params["view"]
    chosen = {BlockId.REASSIGN_TO: {ActionId.REASSIGN_INPUT: {"selected_user": to}}}
    answer = running.sender.submit_view(user_id=LEAD, view=view, values=chosen)
    return answer.json() if answer.text else {}


@pytest.mark.parametrize("policy_toml", ["[policy]\nmax_new_offers_per_hour = 2\n"])
def test_the_form_and_reassignments_count_as_offers(running: Running) -> None:
    running.accepted("Prepare the report")
    assert _reassign(running, BOB) == {}  # the second offer in the hour
    assert running.event_types() == ["created", "accepted", "reassigned"]

    running.delegate("")  # the form
    form = running.slack.wait_for("views.open", count=2)[-1].params["view"]
    values = {
        BlockId.NEW_ASSIGNEE: {ActionId.NEW_ASSIGNEE: {"selected_user": CAROL}},
        BlockId.NEW_TASK: {ActionId.NEW_TASK: {"value": "Plan the offsite"}},
    }
    refused = running.sender.submit_view(user_id=LEAD, view=form, values=values).json()
    assert refused["response_action"] == "errors"
    assert "You have made 2 new offers" in refused["errors"][BlockId.NEW_ASSIGNEE]
    refused = _reassign(running, CAROL)
    assert "You have made 2 new offers" in refused["errors"][BlockId.REASSIGN_TO]
    assert running.event_types() == ["created", "accepted", "reassigned"]

    running.clock.advance(timedelta(hours=1))
    assert running.sender.submit_view(user_id=LEAD, view=form, values=values).text == ""
    assert running.event_types()[-1] == "created"


def test_the_limits_are_policy_keys() -> None:
    limits = policy_from_mapping({}).supervision.offer_limits
    assert (limits.new_per_hour, limits.open_per_assignee) == (30, 10)
    keys = {"max_new_offers_per_hour": 100, "max_open_offers_per_assignee": 3}
    limits = policy_from_mapping({"policy": keys}).supervision.offer_limits
    assert (limits.new_per_hour, limits.open_per_assignee) == (100, 3)
    for key in keys:
        for bad in (-1, "lots", True, 2.5, 1_000_001):
            with pytest.raises(ConfigError, match=key):
                policy_from_mapping({"policy": {key: bad}})


@pytest.mark.parametrize(
    "policy_toml", ["[policy]\nmax_new_offers_per_hour = 0\nmax_open_offers_per_assignee = 0\n"]
)
def test_limits_of_0_are_no_limits(running: Running) -> None:
    for n in range(12):  # past the default 10 waiting for one teammate
        running.delegate(f"<@{ALICE}> Task {n}")
    assert running.event_types().count("created") == 12
