"""Task text, reasons and notes full of Slack's control sequences (<!channel>, <!here>,
<@U…>, <#C…>, &, <, >) never reach a message, modal or reply as anything but literal text."""

from __future__ import annotations

import itertools
import time
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from sqlalchemy import text

from bot.slack.ids import ActionId, BlockId, CallbackId
from bot.slack.mrkdwn import escape, escaped_clip, quote
from tests.conftest import ALICE, LEAD, Running, button
from tests.property.strategies import hostile_text
from tests.property.support import (
    HTTP_SETTINGS,
    PURE_SETTINGS,
    ListenerTracker,
    assert_no_special_mention,
    mrkdwn_strings,
    sent_messages,
)


@pytest.fixture
def policy_toml() -> str:
    """No pacing: what is checked here is what the messages say, and each example would
    otherwise wait in real time for its people's App Home publishes, at most one each
    every 2 s (pacing has tests of its own, tests/slack/outbox/test_pacing.py)."""
    return "[policy]\nslack_pacing = false\n"


PEOPLE = {LEAD, ALICE}  # the only real mentions Steward writes in the command's flow


def _settled(running: Running, listeners: ListenerTracker, timeout: float = 10.0) -> None:
    """Wait until the work of every request so far has run and its messages are delivered."""
    listeners.settle()
    deadline = time.monotonic() + timeout
    query = text("SELECT status, count(*) FROM outbox WHERE status <> 'sent' GROUP BY status")
    while True:
        with running.engine.connect() as connection:
            waiting = {status: count for status, count in connection.execute(query)}
        if not waiting:
            return
        assert "parked" not in waiting, f"a message was refused for good\n{running.slack.summary()}"
        assert time.monotonic() < deadline, f"undelivered: {waiting}\n{running.slack.summary()}"
        time.sleep(0.01)


def _submit(
    running: Running, user_id: str, callback_id: str, values: dict[str, dict[str, Any]]
) -> str:
    opened = [
        call.params["view"]
        for call in running.slack.calls_to("views.open")
        if call.params["view"]["callback_id"] == callback_id
    ]
    view = opened[-1] if opened else {"callback_id": callback_id}
    response = running.sender.submit_view(user_id=user_id, view=view, values=values)
    assert response.status_code == 200, response.text
    return response.text


def _input(value: str) -> dict[str, Any]:
    return {"type": "plain_text_input", "value": value}


@pytest.fixture
def people(running: Running) -> Iterator[tuple[str, str]]:
    """A new delegator and assignee for each call: new DM channels, so Slack's pacing of
    posts to one channel (about one a second after a short burst) never slows a test."""

    def pairs() -> Iterator[tuple[str, str]]:
        for number in itertools.count(1):
            pair = (f"U0LEAD{number}", f"U0ALICE{number}")
            for user in pair:
                running.slack.add_user(user, name=user.lower(), tz="Europe/Paris")
            yield pair

    return pairs()


@settings(HTTP_SETTINGS, max_examples=40)
@given(
    task=hostile_text(min_size=1),
    note=hostile_text(),
    path=st.sampled_from(("decline", "accept_done", "accept_escalate")),
)
def test_hostile_text_reaches_no_message_as_a_mention(
    running: Running,
    listeners: ListenerTracker,
    people: Iterator[tuple[str, str]],
    task: str,
    note: str,
    path: str,
) -> None:
    assume(task.replace("\x00", "").strip())
    if path == "accept_escalate":
        assume(note.replace("\x00", "").strip())  # escalating asks what help is needed
    lead, alice = next(people)
    running.slack.reset_calls()

    form = {
        BlockId.NEW_ASSIGNEE: {ActionId.NEW_ASSIGNEE: {"selected_user": alice}},
        BlockId.NEW_TASK: {ActionId.NEW_TASK: _input(task)},
    }
    assert _submit(running, lead, CallbackId.DELEGATE_MODAL, form) == ""
    offer = running.dms_to(alice)[0]
    value = button(offer.params["blocks"], ActionId.ACCEPT)["value"]
    if path == "decline":
        running.click(alice, ActionId.DECLINE, value)
        running.slack.wait_for("views.open")
        reason = {BlockId.DECLINE_REASON: {ActionId.DECLINE_REASON: _input(note)}}
        assert _submit(running, alice, CallbackId.DECLINE_MODAL, reason) == ""
    else:
        running.click(alice, ActionId.ACCEPT, value)
        _settled(running, listeners)
        if path == "accept_done":
            running.click(alice, ActionId.DONE, value)
        else:
            running.click(alice, ActionId.ESCALATE, value)
            running.slack.wait_for("views.open")
            why = {BlockId.ESCALATE_REASON: {ActionId.ESCALATE_REASON: _input(note)}}
            assert _submit(running, alice, CallbackId.ESCALATE_MODAL, why) == ""
    _settled(running, listeners)

    shown = sent_messages(running.slack)
    assert len(shown) >= 4, running.slack.summary()
    for message in shown:
        for mrkdwn in mrkdwn_strings(message):
            assert_no_special_mention(mrkdwn, allowed_mentions={lead, alice})
    for call in running.slack.calls:
        assert str(call.params.get("link_names", "")).lower() not in ("1", "true")
        assert call.params.get("parse") != "full"
    # and the task is there, shown literally
    first_line = task.replace("\x00", "").strip().splitlines()[0].strip()
    offer_text = "\n".join(mrkdwn_strings({"blocks": offer.params["blocks"]}))
    assert escape(first_line)[:30] in offer_text, offer_text
    assert running.slack.errors == []


@pytest.mark.parametrize(
    "task",
    [
        "<!channel> <!here> <!everyone> ping",
        "Ask <@U123> in <#C1> or <!subteam^S1|@team> & < >",
        "&lt;!channel&gt; &amp; <<!here>>",
    ],
)
def test_slash_command_confirmation_shows_the_task_literally(
    running: Running, listeners: ListenerTracker, task: str
) -> None:
    answer = running.delegate(f"<@{ALICE}> {escape(task)}")  # escaped, as Slack sends it
    _settled(running, listeners)

    assert escape(task) in str(answer["blocks"])
    for message in [answer, *sent_messages(running.slack)]:
        for mrkdwn in mrkdwn_strings(message):
            assert_no_special_mention(mrkdwn, allowed_mentions=PEOPLE)


# ----- the escaping functions themselves -------------------------------------------------


def _unescape(escaped: str) -> str:
    return escaped.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


@PURE_SETTINGS
@given(raw=hostile_text(max_size=30))
def test_escape_leaves_no_control_character_and_loses_nothing(raw: str) -> None:
    escaped = escape(raw)
    assert "<" not in escaped and ">" not in escaped
    assert_no_special_mention(escaped, allowed_mentions=set())
    assert _unescape(escaped) == raw


@PURE_SETTINGS
@given(raw=hostile_text(max_size=30), limit=st.integers(2, 400))
def test_a_clipped_text_never_cuts_an_escape_in_half(raw: str, limit: int) -> None:
    clipped = escaped_clip(raw, limit)
    assert len(clipped) <= limit
    assert_no_special_mention(clipped, allowed_mentions=set())
    if clipped.endswith("…") and len(escape(raw)) > limit:
        assert raw.startswith(_unescape(clipped[:-1]))
    else:
        assert _unescape(clipped) == raw


@PURE_SETTINGS
@given(raw=hostile_text(max_size=30), limit=st.integers(20, 3000))
def test_a_quote_fits_and_every_line_is_quoted(raw: str, limit: int) -> None:
    quoted = quote(raw, limit)
    assert len(quoted) <= limit
    assert all(line.startswith(">") for line in quoted.split("\n"))
    for line in quoted.split("\n"):
        assert_no_special_mention(line[1:], allowed_mentions=set())
