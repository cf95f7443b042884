"""What Slack sends a bot, built as Slack builds it, and signed as Slack signs it.

One builder for the sandbox, the tests and the benchmarks: slash command forms,
``block_actions``, ``view_submission``, shortcuts and Events API envelopes, and the
signature headers (slack_sdk's ``SignatureVerifier``, the same code that checks them).
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from slack_sdk.signature import SignatureVerifier

FORM = "application/x-www-form-urlencoded"
JSON = "application/json"
APP_ID = "A0STEWARD"


@dataclass(frozen=True)
class Workspace:
    """The workspace the requests come from."""

    team_id: str
    domain: str
    token: str  # the legacy verification token Slack still puts in payloads
    bot_user_id: str
    app_id: str = APP_ID

    @property
    def team(self) -> dict[str, str]:
        return {"id": self.team_id, "domain": self.domain}

    def user(self, user_id: str, name: str | None = None) -> dict[str, str]:
        """A payload's ``user``: the id, the person's handle and the team."""
        handle = name or user_id.lower()
        return {"id": user_id, "username": handle, "name": handle, "team_id": self.team_id}


def signed_headers(
    secret: str, body: str, *, content_type: str, timestamp: int | None = None
) -> dict[str, str]:
    """The headers Slack sends with ``body``: its content type, timestamp and signature."""
    stamp = str(int(time.time()) if timestamp is None else timestamp)
    signature = SignatureVerifier(secret).generate_signature(timestamp=stamp, body=body)
    return {
        "Content-Type": content_type,
        "X-Slack-Request-Timestamp": stamp,
        "X-Slack-Signature": str(signature),
    }


def command_form(
    workspace: Workspace,
    *,
    user_id: str,
    user_name: str,
    text: str,
    channel_id: str,
    channel_name: str,
    response_url: str,
    trigger_id: str,
    command: str = "/delegate",
) -> str:
    """A slash command, as the form body Slack posts."""
    return urlencode(
        {
            "token": workspace.token,
            "team_id": workspace.team_id,
            "team_domain": workspace.domain,
            "channel_id": channel_id,
            "channel_name": channel_name,
            "user_id": user_id,
            "user_name": user_name,
            "command": command,
            "text": text,
            "api_app_id": workspace.app_id,
            "is_enterprise_install": "false",
            "response_url": response_url,
            "trigger_id": trigger_id,
        }
    )


def interaction_form(payload: dict[str, Any]) -> str:
    """An interaction payload, as the form body Slack posts."""
    return urlencode({"payload": json.dumps(payload)})


def block_actions(
    workspace: Workspace,
    *,
    user: dict[str, str],
    trigger_id: str,
    action: dict[str, Any],
    **where: Any,
) -> dict[str, Any]:
    """A click on ``action``; ``where`` is where it was (``container``, ``channel``,
    ``message``, ``view``, ``state``, ``response_url``)."""
    return {
        "type": "block_actions",
        "user": user,
        "api_app_id": workspace.app_id,
        "token": workspace.token,
        "trigger_id": trigger_id,
        "team": workspace.team,
        "actions": [{**action, "action_ts": f"{time.time():.6f}"}],
        **where,
    }


def view_submission(
    workspace: Workspace, *, user: dict[str, str], trigger_id: str, view: dict[str, Any]
) -> dict[str, Any]:
    """A modal submitted; ``view`` carries what was entered in its ``state``."""
    return {
        "type": "view_submission",
        "team": workspace.team,
        "user": user,
        "api_app_id": workspace.app_id,
        "token": workspace.token,
        "trigger_id": trigger_id,
        "view": view,
        "response_urls": [],
    }


def shortcut(
    workspace: Workspace,
    *,
    user: dict[str, str],
    trigger_id: str,
    callback_id: str,
    **on_message: Any,
) -> dict[str, Any]:
    """A global shortcut, or with ``on_message`` (``message``, ``channel``, ``message_ts``,
    ``response_url``) a message shortcut."""
    return {
        "type": "message_action" if on_message else "shortcut",
        "callback_id": callback_id,
        "trigger_id": trigger_id,
        "action_ts": f"{time.time():.6f}",
        "team": workspace.team,
        "user": user,
        "api_app_id": workspace.app_id,
        "token": workspace.token,
        **on_message,
    }


def event_callback(workspace: Workspace, *, event: dict[str, Any], event_id: str) -> str:
    """An Events API envelope around ``event``, as the JSON body Slack posts."""
    return json.dumps(
        {
            "token": workspace.token,
            "team_id": workspace.team_id,
            "api_app_id": workspace.app_id,
            "event": event,
            "type": "event_callback",
            "event_id": event_id,
            "event_time": int(time.time()),
            "authorizations": [
                {"team_id": workspace.team_id, "user_id": workspace.bot_user_id, "is_bot": True}
            ],
        }
    )


def home_opened_event(user_id: str, *, channel: str, view: dict[str, Any] | None = None) -> dict:
    """``app_home_opened`` for the Home tab; ``view`` is the one last published there."""
    event: dict[str, Any] = {
        "type": "app_home_opened",
        "user": user_id,
        "channel": channel,
        "tab": "home",
        "event_ts": f"{time.time():.6f}",
    }
    if view is not None:
        event["view"] = view
    return event
