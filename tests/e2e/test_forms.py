"""Delegating with the form: from `/delegate`, from the global shortcut and from a message,
with inline errors for bad fields and nothing created by them."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlmodel import select

from bot.slack.ids import ActionId, BlockId, CallbackId, ShortcutId
from storage.db import reading
from storage.models import Delegation
from tests.conftest import ALICE, LEAD, Running

NEW_YORK = ZoneInfo("America/New_York")  # the lead's Slack timezone


def delegations(running: Running) -> list[Delegation]:
    with reading(running.engine) as session:
        return list(session.exec(select(Delegation)).all())


def form_values(**overrides: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        BlockId.NEW_ASSIGNEE: {ActionId.NEW_ASSIGNEE: {"selected_user": ALICE}},
        BlockId.NEW_TASK: {ActionId.NEW_TASK: {"value": "Prepare the Q3 report"}},
        BlockId.NEW_DUE: {ActionId.NEW_DUE: {"selected_date": None}},
        BlockId.NEW_DUE_TIME: {ActionId.NEW_DUE_TIME: {"selected_time": None}},
        BlockId.NEW_CADENCE: {ActionId.NEW_CADENCE: {"selected_option": None}},
        BlockId.NEW_CONTEXT: {ActionId.NEW_CONTEXT: {"value": None}},
    }
    for block, value in overrides.items():
        action = next(iter(values[block]))
        values[block] = {action: value}
    return values


def opened_form(running: Running) -> dict[str, Any]:
    view = running.slack.wait_for("views.open")[-1].params["view"]
    assert view["callback_id"] == CallbackId.DELEGATE_MODAL
    return view


def test_the_form_offers_with_a_picked_date_time_and_cadence(running: Running) -> None:
    running.delegate("")
    view = opened_form(running)
    kinds = [block["element"]["type"] for block in view["blocks"] if block["type"] == "input"]
    assert kinds == [
        "users_select",
        "plain_text_input",
        "datepicker",
        "timepicker",
        "static_select",
        "plain_text_input",
    ]
    day = (running.clock.now() + timedelta(days=3)).astimezone(NEW_YORK).date()
    values = form_values(
        **{
            BlockId.NEW_DUE: {"selected_date": day.isoformat()},
            BlockId.NEW_DUE_TIME: {"selected_time": "16:30"},
            BlockId.NEW_CADENCE: {"selected_option": {"value": "2d"}},
            BlockId.NEW_CONTEXT: {"value": "Use last year's <!channel> template"},
        }
    )
    response = running.sender.submit_view(user_id=LEAD, view=view, values=values)
    assert response.status_code == 200 and response.text in ("", "{}"), response.text
    [item] = delegations(running)
    assert item.due_at == datetime.combine(
        day, datetime.min.time().replace(hour=16, minute=30), tzinfo=NEW_YORK
    ).astimezone(UTC)
    assert item.checkin_every_s == 2 * 86400
    assert "Context: Use last year's" in item.task
    offer, _ = running.offer_to(ALICE)
    assert "&lt;!channel&gt;" in json.dumps(offer.params["blocks"])


def test_bad_fields_come_back_inline_and_nothing_is_created(running: Running) -> None:
    running.delegate("")
    view = opened_form(running)
    past = (running.clock.now() - timedelta(days=2)).date().isoformat()
    cases = [
        (form_values(**{BlockId.NEW_DUE: {"selected_date": past}}), BlockId.NEW_DUE, "past"),
        (
            form_values(**{BlockId.NEW_ASSIGNEE: {"selected_user": None}}),
            BlockId.NEW_ASSIGNEE,
            "Choose who",
        ),
        (
            form_values(**{BlockId.NEW_ASSIGNEE: {"selected_user": LEAD}}),
            BlockId.NEW_ASSIGNEE,
            "yourself",
        ),
        (
            form_values(**{BlockId.NEW_DUE_TIME: {"selected_time": "10:00"}}),
            BlockId.NEW_DUE,
            "date for that time",
        ),
        (
            form_values(
                **{
                    BlockId.NEW_DUE: {"selected_date": "9999-12-31"},
                    BlockId.NEW_DUE_TIME: {"selected_time": "23:59"},
                }
            ),
            BlockId.NEW_DUE,
            "too far away",
        ),
        (
            form_values(**{BlockId.NEW_CONTEXT: {"value": "x" * 2990}}),
            BlockId.NEW_CONTEXT,
            "Task and context together",
        ),
    ]
    for values, block, words in cases:
        response = running.sender.submit_view(user_id=LEAD, view=view, values=values)
        answer = response.json()
        assert answer["response_action"] == "errors", answer
        assert words in answer["errors"][block]
    assert delegations(running) == []


def test_no_checkins_means_none_are_scheduled(running: Running) -> None:
    running.delegate("")
    values = form_values(**{BlockId.NEW_CADENCE: {"selected_option": {"value": "none"}}})
    running.sender.submit_view(user_id=LEAD, view=opened_form(running), values=values)
    _, value = running.offer_to(ALICE)
    running.click(ALICE, ActionId.ACCEPT, value)
    running.slack.wait_for("chat.update")
    [item] = delegations(running)
    assert (item.status, item.checkin_every_s, item.next_checkin_at) == ("accepted", 0, None)


def test_the_global_shortcut_opens_the_form_well_within_the_trigger_life(
    running: Running,
) -> None:
    started = time.monotonic()
    response = running.sender.shortcut(user_id=LEAD, callback_id=ShortcutId.DELEGATE)
    assert response.status_code == 200
    opened_form(running)
    assert time.monotonic() - started < 3.0


def test_a_message_becomes_a_prefilled_form_with_a_link_back(running: Running) -> None:
    escaped = "Can someone fix the build? &amp; tests &lt;3"  # as Slack sends message text
    message = {"type": "message", "ts": "1700000123.000200", "text": escaped}
    running.sender.shortcut(user_id=LEAD, callback_id=ShortcutId.DELEGATE_MESSAGE, message=message)
    view = opened_form(running)
    [permalink] = running.slack.calls_to("chat.getPermalink")
    assert permalink.params["channel"] == "C0GENERAL"
    text = json.dumps(view)
    assert "Can someone fix the build?" in text
    [task] = [block for block in view["blocks"] if block["block_id"] == BlockId.NEW_TASK]
    assert task["element"]["initial_value"] == "Can someone fix the build? & tests <3"
    assert "https://example.slack.com/archives/C0GENERAL/p1700000123000200" in text
    assert view["private_metadata"] == "C0GENERAL"
