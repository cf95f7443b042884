"""The sandbox's Slack: what Slack sends the bot (slash commands, button clicks, modal
submissions and ``app_home_opened`` events, built by ``slack_payloads``), POSTed to
``/slack/events``.

The sandbox's page never talks to the bot directly: it asks the sandbox, which sends these.
"""

from __future__ import annotations

import itertools
import json
import re
import secrets
import urllib.error
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from bot.slack.mrkdwn import escape
from sandbox.slack_payloads import (
    FORM,
    JSON,
    Workspace,
    block_actions,
    command_form,
    event_callback,
    home_opened_event,
    interaction_form,
    shortcut,
    signed_headers,
    view_submission,
)

WORKSPACE = Workspace(
    team_id="T0SANDBOX",
    domain="sandbox",
    token="sandbox-verification-token",
    bot_user_id="U0STEWARD",
)
REQUEST_TIMEOUT_SECONDS = 10


@dataclass(frozen=True)
class BotReply:
    """The bot's HTTP answer: its status, and its JSON body ({} when it acked with none)."""

    status: int
    body: dict[str, Any]


class SlackSender:
    """Signs and posts requests to one bot, numbering trigger ids and event ids as it goes."""

    def __init__(
        self, *, bot_url: str, signing_secret: str, names: Mapping[str, str] | None = None
    ) -> None:
        self.url = bot_url.rstrip("/") + "/slack/events"
        self.secret = signing_secret
        self.names = dict(names or {})
        # Ids carry this run's prefix: a kept sandbox's database remembers the event ids it
        # has seen, and a later run must not send one of them again.
        self._run = secrets.token_hex(3)
        self._numbers = itertools.count(1)

    def unique_id(self, prefix: str) -> str:
        """An id no other request of any run has had: ``prefix``, the run, a number."""
        return f"{prefix}{self._run}{next(self._numbers):06d}"

    def trigger_id(self, user_id: str) -> str:
        """Slack's trigger ids are opaque; the sandbox's name who clicked, so the emulator's
        views.open can show the modal to that person."""
        return f"{self.unique_id('t')}.{user_id}.trigger"

    def user(self, user_id: str) -> dict[str, str]:
        return WORKSPACE.user(user_id, self.names.get(user_id))

    def command(
        self, *, user_id: str, channel_id: str, channel_name: str, text: str, response_url: str
    ) -> BotReply:
        body = command_form(
            WORKSPACE,
            user_id=user_id,
            user_name=self.user(user_id)["username"],
            text=text,
            channel_id=channel_id,
            channel_name=channel_name,
            response_url=response_url,
            trigger_id=self.trigger_id(user_id),
        )
        return self._post(body, FORM)

    def message_action(
        self,
        *,
        user_id: str,
        message_ts: str,
        message: dict[str, Any] | None,
        channel_id: str,
        channel_name: str,
        action: dict[str, Any],
        response_url: str,
    ) -> BotReply:
        """A click on an interactive element of a message; an ephemeral message has no
        ``message`` in the payload, as on Slack."""
        where: dict[str, Any] = {
            "container": {
                "type": "message",
                "message_ts": message_ts,
                "channel_id": channel_id,
                "is_ephemeral": message is None,
            },
            "channel": {"id": channel_id, "name": channel_name},
            "state": {"values": {}},  # a message's own inputs; Steward's messages have none
            "response_url": response_url,
        }
        if message is not None:
            where["message"] = message
        return self._click(user_id, action, where)

    def view_action(
        self, *, user_id: str, view: dict[str, Any], action: dict[str, Any]
    ) -> BotReply:
        """A click on an interactive element of a modal or of the Home tab."""
        where = {"container": {"type": "view", "view_id": view["id"]}, "view": view}
        return self._click(user_id, action, where)

    def global_shortcut(self, *, user_id: str, callback_id: str) -> BotReply:
        """A shortcut chosen from Slack's shortcuts menu (not on a message)."""
        payload = shortcut(
            WORKSPACE,
            user=self.user(user_id),
            trigger_id=self.trigger_id(user_id),
            callback_id=callback_id,
        )
        return self._post(interaction_form(payload), FORM)

    def view_submission(self, *, user_id: str, view: dict[str, Any]) -> BotReply:
        """Submit a modal; ``view`` carries the values the person entered in its state."""
        payload = view_submission(
            WORKSPACE, user=self.user(user_id), trigger_id=self.trigger_id(user_id), view=view
        )
        return self._post(interaction_form(payload), FORM)

    def home_opened(self, user_id: str, dm_channel: str, home: dict[str, Any] | None) -> BotReply:
        """The Home tab opened; ``home`` is the view last published there, if any."""
        event = home_opened_event(user_id, channel=dm_channel, view=home)
        body = event_callback(WORKSPACE, event=event, event_id=self.unique_id("Ev"))
        return self._post(body, JSON)

    def _click(self, user_id: str, action: dict[str, Any], where: dict[str, Any]) -> BotReply:
        payload = block_actions(
            WORKSPACE,
            user=self.user(user_id),
            trigger_id=self.trigger_id(user_id),
            action=action,
            **where,
        )
        return self._post(interaction_form(payload), FORM)

    def _post(self, body: str, content_type: str) -> BotReply:
        request = urllib.request.Request(
            self.url,
            data=body.encode(),
            method="POST",
            headers=signed_headers(self.secret, body, content_type=content_type),
        )
        try:
            with urllib.request.urlopen(request, timeout=REQUEST_TIMEOUT_SECONDS) as response:
                return BotReply(response.status, _json_object(response.read()))
        except urllib.error.HTTPError as error:
            return BotReply(error.code, _json_object(error.read()))


def _json_object(raw: bytes) -> dict[str, Any]:
    try:
        parsed = json.loads(raw or b"{}")
    except ValueError:
        return {"text": raw.decode("utf-8", "replace")}
    return parsed if isinstance(parsed, dict) else {}


def typed_text(text: str, names: Mapping[str, str]) -> str:
    """What Slack's client sends for typed text: &, < and > escaped, and a typed ``@name``
    of someone in ``names`` (user id -> name) turned into ``<@U…|name>``."""
    ids = {name: user_id for user_id, name in names.items()}

    def mention(match: re.Match[str]) -> str:
        name = match.group(1).lower()
        return f"<@{ids[name]}|{name}>" if name in ids else match.group(0)

    return re.sub(r"(?<![\w<])@([A-Za-z][\w.-]*)", mention, escape(text))


def trigger_user(trigger_id: str) -> str | None:
    """Who a ``trigger_id`` made by ``SlackSender.trigger_id`` belongs to."""
    parts = trigger_id.split(".")
    return parts[1] if len(parts) == 3 and parts[1].startswith("U") else None


def message_payload(message: Mapping[str, Any], *, bot_user_id: str, bot_id: str) -> dict[str, Any]:
    """A posted message as a block_actions payload carries it."""
    out = {
        "type": "message",
        "user": bot_user_id,
        "bot_id": bot_id,
        "text": message.get("text", ""),
        "ts": message["ts"],
    }
    if message.get("blocks"):
        out["blocks"] = message["blocks"]
    return out
