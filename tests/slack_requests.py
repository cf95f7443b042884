"""The tests' Slack: requests to the bot built and signed by ``sandbox.slack_payloads``,
as Slack builds and signs them, posted with ``requests``."""

from __future__ import annotations

from typing import Any

import requests

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
    team_id="T0TEAM", domain="acme", token="legacy-verification-token", bot_user_id="U0ROBOT"
)
TEAM_ID = WORKSPACE.team_id
APP_ID = WORKSPACE.app_id


class SlackSender:
    """Posts slash commands, interactions and events to ``/slack/events`` like Slack does."""

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
        content_type: str = FORM,
        timestamp: int | None = None,
        secret: str | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> requests.Response:
        headers = {
            **signed_headers(
                secret or self.secret, body, content_type=content_type, timestamp=timestamp
            ),
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
        body = event_callback(WORKSPACE, event=event, event_id=event_id or f"Ev{self._events:010d}")
        return self.post(body, content_type=JSON, extra_headers=extra_headers)

    def home_opened(self, user_id: str) -> requests.Response:
        return self.event(home_opened_event(user_id, channel="D" + user_id[1:]))

    def shortcut(
        self, *, user_id: str, callback_id: str, message: dict[str, Any] | None = None
    ) -> requests.Response:
        """A global shortcut, or with ``message`` a message shortcut (``message_action``)."""
        on_message: dict[str, Any] = {}
        if message:
            on_message = {
                "channel": {"id": "C0GENERAL", "name": "general"},
                "message": message,
                "message_ts": message.get("ts"),
                "response_url": self.response_url,
            }
        payload = shortcut(
            WORKSPACE,
            user=WORKSPACE.user(user_id),
            trigger_id=self.trigger_id(),
            callback_id=callback_id,
            **on_message,
        )
        return self.interaction(payload)

    def trigger_id(self) -> str:
        self._triggers += 1
        return f"{self._triggers}.1234.trigger"

    def command(
        self, text: str, *, user_id: str, command: str = "/delegate", channel_id: str = "C0GENERAL"
    ) -> requests.Response:
        body = command_form(
            WORKSPACE,
            user_id=user_id,
            user_name=user_id.lower(),
            text=text,
            channel_id=channel_id,
            channel_name="general",
            response_url=self.response_url,
            trigger_id=self.trigger_id(),
            command=command,
        )
        return self.post(body)

    def interaction(
        self, payload: dict[str, Any], *, extra_headers: dict[str, str] | None = None
    ) -> requests.Response:
        return self.post(interaction_form(payload), extra_headers=extra_headers)

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
        payload = block_actions(
            WORKSPACE,
            user=WORKSPACE.user(user_id),
            trigger_id=self.trigger_id(),
            action={
                "type": "button",
                "action_id": action_id,
                "block_id": block_id,
                "value": value,
                "text": {"type": "plain_text", "text": action_id},
            },
            container={
                "type": "message",
                "message_ts": message_ts,
                "channel_id": channel_id,
                "is_ephemeral": False,
            },
            channel={"id": channel_id, "name": "directmessage"},
            message={"type": "message", "ts": message_ts, "text": "", "blocks": []},
            response_url=self.response_url,
        )
        return self.interaction(payload, extra_headers=extra_headers)

    def submit_view(
        self, *, user_id: str, view: dict[str, Any], values: dict[str, dict[str, Any]]
    ) -> requests.Response:
        """Submit ``view`` (as the bot opened it) with ``values`` as state.values."""
        submitted = {
            "id": "V0VIEW",
            "team_id": TEAM_ID,
            "type": "modal",
            "callback_id": view.get("callback_id"),
            "private_metadata": view.get("private_metadata", ""),
            "blocks": view.get("blocks", []),
            "state": {"values": values},
            "hash": "1.abc",
        }
        payload = view_submission(
            WORKSPACE, user=WORKSPACE.user(user_id), trigger_id=self.trigger_id(), view=submitted
        )
        return self.interaction(payload)
