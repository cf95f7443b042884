"""Requests to the bot signed exactly as Slack signs them."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from typing import Any
from urllib.parse import urlencode

import requests

TEAM_ID = "T0TEAM"
APP_ID = "A0STEWARD"


def signature(secret: str, timestamp: str, body: str) -> str:
    base = f"v0:{timestamp}:{body}".encode()
    return "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()


class SlackSender:
    """Posts slash commands and interactions to ``/slack/events`` like Slack does."""

    def __init__(self, *, base_url: str, signing_secret: str, response_url: str) -> None:
        self.url = base_url.rstrip("/") + "/slack/events"
        self.secret = signing_secret
        self.response_url = response_url
        self._session = requests.Session()
        self._triggers = 0
        self._events = 0

    def post(
        self,
        body: str,
        *,
        content_type: str = "application/x-www-form-urlencoded",
        timestamp: int | None = None,
        secret: str | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> requests.Response:
        ts = str(int(time.time()) if timestamp is None else timestamp)
        headers = {
            "Content-Type": content_type,
            "X-Slack-Request-Timestamp": ts,
            "X-Slack-Signature": signature(secret or self.secret, ts, body),
            **(extra_headers or {}),
        }
        return self._session.post(self.url, data=body.encode(), headers=headers, timeout=10)

    def event(
        self,
        event: dict[str, Any],
        *,
        event_id: str | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> requests.Response:
        """An Events API ``event_callback`` envelope around ``event``, as JSON."""
        self._events += 1
        envelope = {
            "token": "legacy-verification-token",
            "team_id": TEAM_ID,
            "api_app_id": APP_ID,
            "event": event,
            "type": "event_callback",
            "event_id": event_id or f"Ev{self._events:010d}",
            "event_time": int(time.time()),
            "authorizations": [
                {"team_id": TEAM_ID, "user_id": "U0ROBOT", "is_bot": True},
            ],
        }
        return self.post(
            json.dumps(envelope), content_type="application/json", extra_headers=extra_headers
        )

    def home_opened(self, user_id: str) -> requests.Response:
        event = {
            "type": "app_home_opened",
            "user": user_id,
            "channel": "D" + user_id[1:],
            "tab": "home",
            "event_ts": f"{time.time():.6f}",
        }
        return self.event(event)

    def shortcut(
        self, *, user_id: str, callback_id: str, message: dict[str, Any] | None = None
    ) -> requests.Response:
        """A global shortcut, or with ``message`` a message shortcut (``message_action``)."""
        payload: dict[str, Any] = {
            "type": "message_action" if message else "shortcut",
            "callback_id": callback_id,
            "trigger_id": self.trigger_id(),
            "action_ts": f"{time.time():.6f}",
            "team": {"id": TEAM_ID, "domain": "acme"},
            "user": {"id": user_id, "username": user_id.lower(), "team_id": TEAM_ID},
            "token": "legacy-verification-token",
        }
        if message:
            payload.update(
                {
                    "channel": {"id": "C0GENERAL", "name": "general"},
                    "message": message,
                    "message_ts": message.get("ts"),
                    "response_url": self.response_url,
                }
            )
        return self.interaction(payload)

    def trigger_id(self) -> str:
        self._triggers += 1
        return f"{self._triggers}.1234.trigger"

    def command(
        self, text: str, *, user_id: str, command: str = "/delegate", channel_id: str = "C0GENERAL"
    ) -> requests.Response:
        form = {
            "token": "legacy-verification-token",
            "team_id": TEAM_ID,
            "team_domain": "acme",
            "channel_id": channel_id,
            "channel_name": "general",
            "user_id": user_id,
            "user_name": user_id.lower(),
            "command": command,
            "text": text,
            "api_app_id": APP_ID,
            "is_enterprise_install": "false",
            "response_url": self.response_url,
            "trigger_id": self.trigger_id(),
        }
        return self.post(urlencode(form))

    def interaction(
        self, payload: dict[str, Any], *, extra_headers: dict[str, str] | None = None
    ) -> requests.Response:
        return self.post(urlencode({"payload": json.dumps(payload)}), extra_headers=extra_headers)

    def click(
        self,
        *,
        user_id: str,
        action_id: str,
        value: str,
        block_id: str = "offer_actions",
        channel_id: str = "D0CHANNEL",
        message_ts: str = "1700000000.000100",
        extra_headers: dict[str, str] | None = None,
    ) -> requests.Response:
        payload = {
            "type": "block_actions",
            "user": {"id": user_id, "username": user_id.lower(), "team_id": TEAM_ID},
            "api_app_id": APP_ID,
            "token": "legacy-verification-token",
            "container": {
                "type": "message",
                "message_ts": message_ts,
                "channel_id": channel_id,
                "is_ephemeral": False,
            },
            "trigger_id": self.trigger_id(),
            "team": {"id": TEAM_ID, "domain": "acme"},
            "channel": {"id": channel_id, "name": "directmessage"},
            "message": {"type": "message", "ts": message_ts, "text": "", "blocks": []},
            "response_url": self.response_url,
            "actions": [
                {
                    "type": "button",
                    "action_id": action_id,
                    "block_id": block_id,
                    "value": value,
                    "text": {"type": "plain_text", "text": action_id},
                    "action_ts": f"{time.time():.6f}",
                }
            ],
        }
        return self.interaction(payload, extra_headers=extra_headers)

    def submit_view(
        self, *, user_id: str, view: dict[str, Any], values: dict[str, dict[str, Any]]
    ) -> requests.Response:
        """Submit ``view`` (as the bot opened it) with ``values`` as state.values."""
        payload = {
            "type": "view_submission",
            "team": {"id": TEAM_ID, "domain": "acme"},
            "user": {"id": user_id, "username": user_id.lower(), "team_id": TEAM_ID},
            "api_app_id": APP_ID,
            "token": "legacy-verification-token",
            "trigger_id": self.trigger_id(),
            "view": {
                "id": "V0VIEW",
                "team_id": TEAM_ID,
                "type": "modal",
                "callback_id": view.get("callback_id"),
                "private_metadata": view.get("private_metadata", ""),
                "blocks": view.get("blocks", []),
                "state": {"values": values},
                "hash": "1.abc",
            },
            "response_urls": [],
        }
        return self.interaction(payload)
