"""Shortcuts: "Delegate a task" from anywhere, and "Delegate this message" on a message,
which opens the same form filled in with the message and a link back to it."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.slack.blocks.modals import delegate_modal
from bot.slack.ids import ShortcutId
from bot.slack.mrkdwn import unescape
from bot.slack.runtime import Runtime


def register(app: App, runtime: Runtime) -> None:
    @app.shortcut(ShortcutId.DELEGATE)
    def on_delegate(ack: Ack, shortcut: dict[str, Any], client: WebClient) -> None:
        ack()
        client.views_open(trigger_id=shortcut["trigger_id"], view=delegate_modal(channel_id=None))

    @app.shortcut(ShortcutId.DELEGATE_MESSAGE)
    def on_delegate_message(ack: Ack, shortcut: dict[str, Any], client: WebClient) -> None:
        ack()
        channel = _text(shortcut.get("channel"), "id")
        message = shortcut.get("message") if isinstance(shortcut.get("message"), dict) else {}
        link = _permalink(client, channel, _text(message, "ts"))
        view = delegate_modal(
            channel_id=channel,
            task=unescape(_text(message, "text") or ""),
            context_text=f"From this message: {link}" if link else "",
        )
        client.views_open(trigger_id=shortcut["trigger_id"], view=view)


def _permalink(client: WebClient, channel: str | None, ts: str | None) -> str | None:
    """A link back to the message; the form opens without it if Slack won't say."""
    if not channel or not ts:
        return None
    try:
        return str(client.chat_getPermalink(channel=channel, message_ts=ts)["permalink"])
    except (SlackApiError, KeyError):
        return None


def _text(container: Any, key: str) -> str | None:
    value = container.get(key) if isinstance(container, dict) else None
    return value if isinstance(value, str) else None
