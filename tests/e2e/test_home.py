"""The App Home tab over the wire: published on opening, refreshed when an item changes,
valid for nobody's items and for hundreds."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import insert

from bot.slack.ids import ActionId
from sandbox.emulator import Call
from storage.db import unit_of_work
from storage.models import Delegation
from tests.conftest import ALICE, BOB, LEAD, Running


def homes_of(running: Running, user: str, count: int = 1) -> list[Call]:
    return running.slack.wait_for(
        "views.publish", count=count, where=lambda c: c.params["user_id"] == user
    )


def actions_in(view: dict[str, Any]) -> list[str]:
    return [
        element["action_id"]
        for block in view["blocks"]
        for element in block.get("elements", [])
        if block["type"] == "actions"
    ]


def test_an_empty_home_says_so(running: Running) -> None:
    assert running.sender.home_opened(BOB).status_code == 200
    [home] = homes_of(running, BOB)
    text = json.dumps(home.params["view"])
    assert text.count("Nothing here") == 3 and home.response["ok"]


def test_the_home_follows_each_change_with_the_viewers_own_buttons(running: Running) -> None:
    running.delegate(f"<@{ALICE}> Prepare the <!here> Q3 report")
    alices = homes_of(running, ALICE)[-1].params["view"]
    assert actions_in(alices) == [ActionId.ACCEPT, ActionId.DECLINE, ActionId.ASK_QUESTION]
    assert "&lt;!here&gt;" in json.dumps(alices) and "<!here>" not in json.dumps(alices)
    leads = homes_of(running, LEAD)[-1].params["view"]
    assert actions_in(leads) == [ActionId.REASSIGN, ActionId.CANCEL]
    assert "waiting for acceptance" in json.dumps(leads)

    published = len(homes_of(running, LEAD))
    _, value = running.offer_to(ALICE)
    running.click(ALICE, ActionId.ACCEPT, value)
    refreshed = homes_of(running, LEAD, count=published + 1)[-1].params["view"]
    assert "accepted" in json.dumps(refreshed)
    alices = homes_of(running, ALICE, count=2)[-1].params["view"]
    assert actions_in(alices) == [ActionId.DONE, ActionId.ESCALATE, ActionId.PROPOSE_DUE]


def test_five_hundred_items_fit_in_one_valid_home(running: Running) -> None:
    now = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
    rows = [
        {
            "delegator_id": LEAD if n % 2 else ALICE,
            "assignee_id": ALICE if n % 2 else LEAD,
            "task": f"Item {n} " + "x" * 200,
            "status": "accepted" if n % 3 else "offered",
            "created_at": now,
            "updated_at": now,
            "due_at": now + timedelta(hours=n),
        }
        for n in range(500)
    ]
    with unit_of_work(running.engine) as session:
        session.execute(insert(Delegation), rows)
    running.sender.home_opened(LEAD)
    [home] = homes_of(running, LEAD)
    assert home.response["ok"], home.response
    view = home.params["view"]
    assert len(view["blocks"]) <= 100
    text = json.dumps(view)
    assert "Delegated to you* (250)" in text and "Delegated by you* (250)" in text
    assert "and 238 more" in text


def test_an_escalation_waiting_on_you_shows_with_acknowledge(running: Running) -> None:
    running.delegate(f"<@{BOB}> Book the venue")  # no chain: the delegator is asked first
    running.offer_to(BOB)
    running.clock.advance(timedelta(hours=13))  # past four of Bob's working hours
    running.tick()
    running.slack.wait_for(
        "chat.postMessage", where=lambda c: "Escalated to you" in c.params["text"]
    )
    view = running.slack.wait_for(
        "views.publish",
        where=lambda c: (
            c.params["user_id"] == LEAD and ActionId.ACKNOWLEDGE in json.dumps(c.params["view"])
        ),
    )[-1].params["view"]
    assert "Escalated to you* (1)" in json.dumps(view)
    assert actions_in(view)[-2:] == [ActionId.ACKNOWLEDGE, ActionId.ITEM_DETAILS]
