"""What Slack sends the bot, built and signed the way Slack does it: slash commands, button
clicks, modal submissions and ``app_home_opened`` events, POSTed to ``/slack/events``.

The sandbox's page never talks to the bot directly: it asks the sandbox, which sends these.
"""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import re
import secrets
import time
import urllib.error
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from bot.slack.mrkdwn import escape

TEAM_ID = "T0SANDBOX"
TEAM_DOMAIN = "sandbox"
APP_ID = "A0STEWARD"
REQUEST_TIMEOUT_SECONDS = 10


def signature(secret: str, timestamp: str, body: str) -> str:
    base = f"v0:{timestamp}:{body}".encode()
    return "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()


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
        """A payload's ``user``: the id, the person's handle and the team."""
        name = self.names.get(user_id, user_id.lower())
        return {"id": user_id, "username": name, "name": name, "team_id": TEAM_ID}

    def command(
        self, *, user_id: str, channel_id: str, channel_name: str, text: str, response_url: str
    ) -> BotReply:
        form = {
            "token": "sandbox-verification-token",
            "team_id": TEAM_ID,
            "team_domain": TEAM_DOMAIN,
            "channel_id": channel_id,
            "channel_name": channel_name,
            "user_id": user_id,
            "user_name": self.user(user_id)["username"],
            "command": "/delegate",
            "text": text,
            "api_app_id": APP_ID,
            "is_enterprise_install": "false",
            "response_url": response_url,
            "trigger_id": self.trigger_id(user_id),
        }
        return self._post(urlencode(form), "application/x-www-form-urlencoded")

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
        payload: dict[str, Any] = {
            **self._action_base(user_id, action),
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
            payload["message"] = message
        return self._interaction(payload)

    def view_action(
        self, *, user_id: str, view: dict[str, Any], action: dict[str, Any]
    ) -> BotReply:
        """A click on an interactive element of a modal or of the Home tab."""
        payload = {
            **self._action_base(user_id, action),
            "container": {"type": "view", "view_id": view["id"]},
            "view": view,
        }
        return self._interaction(payload)

    def global_shortcut(self, *, user_id: str, callback_id: str) -> BotReply:
        """A shortcut chosen from Slack's shortcuts menu (not on a message)."""
        payload = {
            "type": "shortcut",
            "callback_id": callback_id,
            "trigger_id": self.trigger_id(user_id),
            "action_ts": f"{time.time():.6f}",
            "team": {"id": TEAM_ID, "domain": TEAM_DOMAIN},
            "user": self.user(user_id),
            "api_app_id": APP_ID,
            "token": "sandbox-verification-token",
        }
        return self._interaction(payload)

    def view_submission(self, *, user_id: str, view: dict[str, Any]) -> BotReply:
        """Submit a modal; ``view`` carries the values the person entered in its state."""
        payload = {
            "type": "view_submission",
            "team": {"id": TEAM_ID, "domain": TEAM_DOMAIN},
            "user": self.user(user_id),
            "api_app_id": APP_ID,
            "token": "sandbox-verification-token",
            "trigger_id": self.trigger_id(user_id),
            "view": view,
            "response_urls": [],
        }
        return self._interaction(payload)

    def home_opened(self, user_id: str, dm_channel: str, home: dict[str, Any] | None) -> BotReply:
        """The Home tab opened; ``home`` is the view last published there, if any."""
        event: dict[str, Any] = {
            "type": "app_home_opened",
            "user": user_id,
            "channel": dm_channel,
            "tab": "home",
            "event_ts": f"{time.time():.6f}",
        }
        if home is not None:
            event["view"] = home
        envelope = {
            "token": "sandbox-verification-token",
            "team_id": TEAM_ID,
            "api_app_id": APP_ID,
            "event": event,
            "type": "event_callback",
            "event_id": self.unique_id("Ev"),
            "event_time": int(time.time()),
            "authorizations": [{"team_id": TEAM_ID, "user_id": "U0STEWARD", "is_bot": True}],
        }
        return self._post(json.dumps(envelope), "application/json")

    def _action_base(self, user_id: str, action: dict[str, Any]) -> dict[str, Any]:
        return {
            "type": "block_actions",
            "user": self.user(user_id),
            "api_app_id": APP_ID,
            "token": "sandbox-verification-token",
            "trigger_id": self.trigger_id(user_id),
            "team": {"id": TEAM_ID, "domain": TEAM_DOMAIN},
            "actions": [{**action, "action_ts": f"{time.time():.6f}"}],
        }

    def _interaction(self, payload: dict[str, Any]) -> BotReply:
        body = urlencode({"payload": json.dumps(payload)})
        return self._post(body, "application/x-www-form-urlencoded")

    def _post(self, body: str, content_type: str) -> BotReply:
        timestamp = str(int(time.time()))
        request = urllib.request.Request(
            self.url,
            data=body.encode(),
            method="POST",
            headers={
                "Content-Type": content_type,
                "X-Slack-Request-Timestamp": timestamp,
                "X-Slack-Signature": signature(self.secret, timestamp, body),
            },
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
