"""``steward sandbox --script demo``: one delegation's whole life, played on the sandbox.

Lena delegates to Ari, who accepts; Ari answers a check-in At risk, then goes silent; the
unanswered check-in escalates to Lena, Ari's manager, who acknowledges; Ari marks it Done;
Monday's digest reports the week. Every step is a real signed request to the real bot, and
the clock moves by the sandbox's own controls.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from bot.slack.ids import ActionId, BlockId
from sandbox.session import Sandbox
from sandbox.team import ARI, GENERAL, LEAD, TEAM
from sandbox.transcript import Transcript

MAX_HOURS = 24 * 8  # how long a step waits, in the bot's time, for what the story expects


class StoryStalled(Exception):
    """What the story waited for didn't happen; the message says what."""


def find_button(
    sandbox: Sandbox, channel: str, action_id: str
) -> tuple[dict[str, Any], dict[str, Any]] | None:
    """The newest message in ``channel`` with an ``action_id`` button, and the button."""
    for message in reversed(sandbox.emulator.messages_in(channel)):
        button = button_in(message, action_id)
        if button is not None:
            return message, button
    return None


def button_in(message: dict[str, Any], action_id: str) -> dict[str, Any] | None:
    """The message's ``action_id`` element, with its block's block_id."""
    for block in message.get("blocks") or []:
        for element in block.get("elements") or []:
            if element.get("action_id") == action_id:
                return {**element, "block_id": block.get("block_id")}
    return None


def click(sandbox: Sandbox, user: str, action_id: str) -> None:
    """``user`` clicks the newest ``action_id`` button in their DM with the bot."""
    channel = sandbox.emulator.dm_channel_for(user)
    found = find_button(sandbox, channel, action_id)
    if found is None:
        raise StoryStalled(f"@{sandbox.names[user]} has no {action_id} button to click")
    message, button = found
    action = {
        "type": "button",
        "action_id": action_id,
        "block_id": button["block_id"],
        "value": button.get("value", ""),
        "text": button.get("text"),
    }
    sandbox.click_in_message(user, channel, message["ts"], action)
    sandbox.settle()


def wait_for(sandbox: Sandbox, what: str, happened: Callable[[], bool], viewer: str) -> None:
    """Move the clock an hour at a time until ``happened``."""
    for _ in range(MAX_HOURS):
        if happened():
            return
        sandbox.advance("hour", viewer)
    raise StoryStalled(f"{what} did not happen within {MAX_HOURS} hours")


def play(sandbox: Sandbox, transcript: Transcript) -> None:
    ari_dm = sandbox.emulator.dm_channel_for(ARI.user_id)
    lena_dm = sandbox.emulator.dm_channel_for(LEAD.user_id)

    transcript.step("Lena, in #general: /delegate @ari Prepare the Q4 board report by friday")
    reply = sandbox.command(
        LEAD.user_id, GENERAL.channel_id, "@ari Prepare the Q4 board report by friday"
    )
    transcript.message("-> only @lena sees, in #general", reply.body)
    sandbox.settle()

    transcript.step("Ari clicks Accept")
    click(sandbox, ARI.user_id, ActionId.ACCEPT)

    transcript.step("The clock moves until Steward checks in with Ari")
    wait_for(
        sandbox,
        "a check-in",
        lambda: find_button(sandbox, ari_dm, ActionId.CHECKIN_AT_RISK) is not None,
        ARI.user_id,
    )

    transcript.step("Ari answers At risk, with a note")
    click(sandbox, ARI.user_id, ActionId.CHECKIN_AT_RISK)
    view_id = sandbox.modals.top(ARI.user_id)
    if view_id is None:
        raise StoryStalled("At risk opened no note form")
    note = {BlockId.CHECKIN_NOTE: {ActionId.CHECKIN_NOTE: "Waiting on finance's numbers"}}
    sandbox.submit(ARI.user_id, view_id, note)

    transcript.step("Ari goes quiet; the clock moves until the silence escalates")
    answered = len(sandbox.emulator.messages_in(lena_dm))
    wait_for(
        sandbox,
        "an escalation to Lena",
        lambda: any(
            button_in(message, ActionId.ACKNOWLEDGE)
            for message in sandbox.emulator.messages_in(lena_dm)[answered:]
        ),
        LEAD.user_id,
    )

    transcript.step("Lena clicks Acknowledge")
    click(sandbox, LEAD.user_id, ActionId.ACKNOWLEDGE)

    transcript.step("Ari clicks Done on the latest check-in")
    click(sandbox, ARI.user_id, ActionId.CHECKIN_DONE)

    transcript.step("The clock moves to Monday morning: the weekly digest")
    posted = len(sandbox.emulator.messages_in(TEAM.channel_id))
    wait_for(
        sandbox,
        "the weekly digest in #team",
        lambda: len(sandbox.emulator.messages_in(TEAM.channel_id)) > posted,
        LEAD.user_id,
    )
    transcript.catch_up()


def run_demo(sandbox: Sandbox, write: Callable[[str], None]) -> Transcript:
    transcript = Transcript(sandbox, write)
    play(sandbox, transcript)
    return transcript
