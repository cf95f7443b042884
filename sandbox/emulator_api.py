"""What each Web API method of the Slack emulator answers, the way Slack does (see
shared/SLACK_FACTS.md). Mixed into ``SlackEmulator``, whose lock is held around every call.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sandbox.block_checks import MAX_MESSAGE_TEXT, message_block_errors, view_errors

MAX_ALT_TXT = 1_000


class SlackError(Exception):
    """Raised by a method handler to answer {"ok": false, "error": error, **extra}."""

    def __init__(self, error: str, **extra: Any) -> None:
        super().__init__(error)
        self.error = error
        self.extra = extra


class WebApiMethods:
    """The state the methods read and change is the emulator's (set in its __init__)."""

    team_id: str
    bot_user_id: str
    bot_id: str
    views: dict[str, dict[str, Any]]
    ephemerals: list[dict[str, Any]]
    uploads: list[dict[str, Any]]
    _users: dict[str, dict[str, Any]]
    _not_found: set[str]
    _messages: dict[str, list[dict[str, Any]]]
    _used_triggers: set[str]
    _home_view_ids: dict[str, str]
    _pending_files: dict[str, dict[str, Any]]
    _file_seq: int
    _ts: int
    base_url: str  # the emulator's own address (a property there)
    _check_can_post: Callable[[str], None]  # channel membership (emulator_channels.py)

    def dm_channel_for(self, user_id: str) -> str:
        return "D" + user_id[1:]

    # ----- helpers for method handlers (called with the lock held) ---------------------------
    def _next_ts(self) -> str:
        self._ts += 100
        return f"{self._ts // 1_000_000}.{self._ts % 1_000_000:06d}"

    def _known_user(self, user_id: Any) -> dict[str, Any]:
        if not isinstance(user_id, str) or user_id not in self._users:
            raise SlackError("user_not_found")
        return self._users[user_id]

    def _channel(self, params: dict[str, Any], key: str = "channel") -> str:
        given = str(params.get(key) or "")
        channel = self.dm_channel_for(given) if given[:1] in ("U", "W") else given
        if channel[:1] not in ("C", "D", "G") or {given, channel} & self._not_found:
            raise SlackError("channel_not_found")
        return channel

    def _message_content(self, params: dict[str, Any]) -> tuple[str, Any]:
        text = "" if params.get("text") is None else str(params["text"])
        blocks = params.get("blocks")
        if not text and not blocks and not params.get("attachments"):
            raise SlackError("no_text")
        if len(text) > MAX_MESSAGE_TEXT:
            raise SlackError("msg_too_long")
        if blocks is not None:
            errors = message_block_errors(blocks)
            if errors:
                raise SlackError("invalid_blocks", errors=errors)
        return text, blocks

    def _message_out(self, message: dict[str, Any]) -> dict[str, Any]:
        out = {
            "type": "message",
            "user": self.bot_user_id,
            "bot_id": self.bot_id,
            "team": self.team_id,
            "text": message["text"],
            "ts": message["ts"],
        }
        if message["blocks"] is not None:
            out["blocks"] = message["blocks"]
        if message["thread_ts"] is not None:
            out["thread_ts"] = message["thread_ts"]
        return out

    def _check_view(self, params: dict[str, Any], kind: str | None) -> dict[str, Any]:
        view = params.get("view")
        if not isinstance(view, dict):
            raise SlackError("invalid_arguments", errors=["missing required field: view"])
        errors = view_errors(view, kind=kind)
        if errors:
            raise SlackError(
                "invalid_arguments", errors=errors, response_metadata={"messages": errors}
            )
        return view

    def _store_view(self, view: dict[str, Any], view_id: str | None = None) -> dict[str, Any]:
        view_id = view_id or f"V{len(self.views) + 1:010d}"
        stored = {
            "private_metadata": "",
            "callback_id": "",
            "external_id": "",
            **view,
            "id": view_id,
            "team_id": self.team_id,
            "app_id": "A0STEWARD",
            "bot_id": self.bot_id,
            "hash": self._next_ts(),
            "state": {"values": {}},
        }
        self.views[view_id] = stored
        return {"view": copy.deepcopy(stored)}

    # ----- Web API methods -------------------------------------------------------------------
    def _auth_test(self, params: dict[str, Any]) -> dict[str, Any]:
        return {
            "url": "https://example.slack.com/",
            "team": "Steward Test",
            "user": "steward",
            "team_id": self.team_id,
            "user_id": self.bot_user_id,
            "bot_id": self.bot_id,
            "is_enterprise_install": False,
        }

    def _users_info(self, params: dict[str, Any]) -> dict[str, Any]:
        user = dict(self._known_user(params.get("user")))
        tz = user["tz"]
        now = datetime.now(ZoneInfo(tz)) if tz else None
        offset = now.utcoffset() if now else None
        user.update(
            team_id=self.team_id,
            tz_label=now.tzname() if now else None,
            tz_offset=int(offset.total_seconds()) if offset else 0,
            profile={"real_name": user["real_name"], "display_name": user["name"]},
        )
        return {"user": user}

    def _conversations_open(self, params: dict[str, Any]) -> dict[str, Any]:
        if params.get("channel"):
            return {"channel": {"id": self._channel(params)}}
        users = str(params.get("users") or "")
        if not users:
            raise SlackError("users_list_not_supplied")
        if "," in users:
            raise SlackError("not_supported_by_double", detail="only 1:1 DMs are modelled")
        if self._known_user(users)["deleted"]:
            raise SlackError("user_disabled")
        return {"channel": {"id": self.dm_channel_for(users), "is_im": True, "user": users}}

    def _chat_post_message(self, params: dict[str, Any]) -> dict[str, Any]:
        channel = self._channel(params)
        self._check_can_post(channel)
        text, blocks = self._message_content(params)
        thread_ts = params.get("thread_ts") or None
        message = {
            "ts": self._next_ts(),
            "channel": channel,
            "text": text,
            "blocks": blocks,
            "thread_ts": thread_ts,
            "user": self.bot_user_id,
        }
        self._messages.setdefault(channel, []).append(message)
        return {"channel": channel, "ts": message["ts"], "message": self._message_out(message)}

    def _chat_update(self, params: dict[str, Any]) -> dict[str, Any]:
        channel = self._channel(params)
        found = [m for m in self._messages.get(channel, []) if m["ts"] == params.get("ts")]
        if not found:
            raise SlackError("message_not_found")
        text, blocks = self._message_content(params)
        message = found[0]
        if "text" in params:
            message["text"] = text
        if blocks is not None:
            message["blocks"] = blocks or None  # [] removes the blocks, as on Slack
        return {
            "channel": channel,
            "ts": message["ts"],
            "text": message["text"],
            "message": self._message_out(message),
        }

    def _chat_post_ephemeral(self, params: dict[str, Any]) -> dict[str, Any]:
        channel = self._channel(params)
        user = params.get("user")
        self._known_user(user)
        if channel.startswith("D") and channel != self.dm_channel_for(str(user)):
            raise SlackError("user_not_in_channel")
        text, blocks = self._message_content(params)
        ts = self._next_ts()
        self.ephemerals.append(
            {
                "channel": channel,
                "user": user,
                "text": text,
                "blocks": blocks,
                "thread_ts": params.get("thread_ts"),
                "message_ts": ts,
            }
        )
        return {"message_ts": ts}

    def _chat_get_permalink(self, params: dict[str, Any]) -> dict[str, Any]:
        channel = self._channel(params)
        ts = str(params.get("message_ts") or "")
        if not ts:
            raise SlackError("message_not_found")
        link = f"https://example.slack.com/archives/{channel}/p{ts.replace('.', '')}"
        return {"channel": channel, "permalink": link}

    def _views_open(self, params: dict[str, Any]) -> dict[str, Any]:
        """views.open and views.push: a trigger_id opens one view, and expires."""
        trigger = str(params.get("trigger_id") or "")
        if not trigger:
            raise SlackError("invalid_arguments", errors=["missing required field: trigger_id"])
        if trigger.startswith("expired"):
            raise SlackError("expired_trigger_id")
        if trigger in self._used_triggers:
            raise SlackError("exchanged_trigger_id")
        view = self._check_view(params, "modal")
        self._used_triggers.add(trigger)
        return self._store_view(view)

    def _views_update(self, params: dict[str, Any]) -> dict[str, Any]:
        view_id = str(params.get("view_id"))
        if view_id not in self.views:
            raise SlackError("not_found")
        view = self._check_view(params, self.views[view_id]["type"])
        return self._store_view(view, view_id)

    def _views_publish(self, params: dict[str, Any]) -> dict[str, Any]:
        user_id = str(params.get("user_id") or "")
        if not user_id:
            raise SlackError("invalid_arguments", errors=["missing required field: user_id"])
        self._known_user(user_id)
        view_id = self._home_view_ids.get(user_id)
        result = self._store_view(self._check_view(params, "home"), view_id)
        self._home_view_ids[user_id] = result["view"]["id"]
        return result

    def _files_get_upload_url_external(self, params: dict[str, Any]) -> dict[str, Any]:
        filename = str(params.get("filename") or "")
        length = str(params.get("length") or "")
        if not filename or not length:
            missing = "filename" if not filename else "length"
            raise SlackError("invalid_arguments", errors=[f"missing required field: {missing}"])
        if not length.isdigit():
            raise SlackError("invalid_arguments", errors=["length must be an integer"])
        if len(str(params.get("alt_txt") or "")) > MAX_ALT_TXT:
            raise SlackError("alt_txt_too_large")
        self._file_seq += 1
        file_id = f"F{self._file_seq:010d}"
        self._pending_files[file_id] = {
            "filename": filename,
            "length": int(length),
            "alt_txt": params.get("alt_txt"),
            "bytes": None,
        }
        return {"upload_url": f"{self.base_url}/upload/{file_id}", "file_id": file_id}

    def _files_complete_upload_external(self, params: dict[str, Any]) -> dict[str, Any]:
        files = params.get("files")
        try:
            files = json.loads(files) if isinstance(files, str) else files
        except ValueError:
            files = None
        if (
            not files
            or not isinstance(files, list)
            or not all(isinstance(f, dict) and isinstance(f.get("id"), str) for f in files)
        ):
            raise SlackError("invalid_arguments", errors=["files must be a list of {id, title}"])
        for f in files:
            pending = self._pending_files.get(f["id"])
            if pending is None or pending["bytes"] is None:
                raise SlackError("file_not_found")
        channels = [c for c in str(params.get("channels") or "").split(",") if c]
        if params.get("channel_id"):
            channels = [str(params["channel_id"])]
        if len(channels) > 1:
            raise SlackError("not_supported_by_double", detail="share to one channel at most")
        channel = self._channel({"channel": channels[0]}) if channels else None
        if channel is not None:
            self._check_can_post(channel)
        completed = []
        for f in files:
            pending = self._pending_files.pop(f["id"])
            title = f.get("title") or pending["filename"]
            self.uploads.append(
                {
                    "file_id": f["id"],
                    "filename": pending["filename"],
                    "title": title,
                    "bytes": pending["bytes"],
                    "channel_id": channel,
                    "thread_ts": params.get("thread_ts") or None,
                    "initial_comment": params.get("initial_comment"),
                }
            )
            completed.append(
                {
                    "id": f["id"],
                    "name": pending["filename"],
                    "title": title,
                    "size": len(pending["bytes"]),
                }
            )
        return {"files": completed}
