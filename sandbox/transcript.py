"""The sandbox's story as text: each step, then what Slack showed to whom because of it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from zoneinfo import ZoneInfo

from sandbox.emulator import Call
from sandbox.render_text import blocks_to_text, message_to_text
from sandbox.session import Sandbox
from sandbox.team import CHANNELS, LEAD

QUIET_METHODS = {
    "auth.test",
    "users.info",
    "conversations.open",
    "chat.getPermalink",
    "views.publish",  # each Home refresh; the story shows what people are sent
    "files.getUploadURLExternal",
}
INDENT = "    "


class Transcript:
    """Collects lines as the story goes; ``lines`` is the whole transcript so far."""

    def __init__(self, sandbox: Sandbox, write: Callable[[str], None] | None = None) -> None:
        self.sandbox = sandbox
        self.lines: list[str] = []
        self._write = write
        self._calls_seen = 0
        self._responses_seen = 0

    def step(self, title: str) -> None:
        """Report what the previous step caused, then start a new one."""
        self.catch_up()
        moment = self.sandbox.clock.now().astimezone(ZoneInfo(LEAD.tz)).strftime("%a %d %b %H:%M")
        self._add("")
        self._add(f"== {moment} (New York) · {title}")

    def note(self, text: str) -> None:
        self._add(f"  {text}")

    def catch_up(self) -> None:
        """Every Slack call and response_url post since the last catch-up, in order."""
        self.sandbox.settle()
        calls = self.sandbox.emulator.calls[self._calls_seen :]
        self._calls_seen += len(calls)
        for call in calls:
            if call.method not in QUIET_METHODS and call.response.get("ok"):
                self._describe(call)
        responses = self.sandbox.emulator.responses[self._responses_seen :]
        self._responses_seen += len(responses)
        for posted in responses:
            owner = self.sandbox.shown.response_owner(posted["_token"])
            who = f"@{self.sandbox.names[owner[0]]}" if owner else "someone"
            self.message(f"-> only {who} sees", posted)

    def _describe(self, call: Call) -> None:
        params = call.params
        if call.method == "chat.postMessage":
            where = self._where(str(params.get("channel")))
            thread = " (in thread)" if params.get("thread_ts") else ""
            at = self.sandbox.shown.posted_at(str(call.response.get("ts")))
            when = f" at {at.astimezone(ZoneInfo(LEAD.tz)):%a %H:%M}" if at else ""
            self.message(f"-> {where}{thread}{when}", params)
        elif call.method == "chat.update":
            self.message(f"~> message updated in {self._where(str(params.get('channel')))}", params)
        elif call.method == "chat.postEphemeral":
            who = self.sandbox.names.get(str(params.get("user")), str(params.get("user")))
            self.message(
                f"-> only @{who} sees, in {self._where(str(params.get('channel')))}", params
            )
        elif call.method in ("views.open", "views.push", "views.update"):
            view = params.get("view") or {}
            title = (view.get("title") or {}).get("text", "")
            self._add(f"  [] modal: {title}")
            self._body(blocks_to_text(view.get("blocks") or [], names=self.sandbox.names))
        elif call.method == "files.completeUploadExternal":
            channel = str(params.get("channel_id") or params.get("channels") or "")
            self._add(f"  -> chart uploaded to {self._where(channel)}")
        else:
            self._add(f"  {call.method}")

    def message(self, heading: str, message: dict[str, Any]) -> None:
        self._add(f"  {heading}:")
        self._body(message_to_text(message, names=self.sandbox.names))

    def _body(self, text: str) -> None:
        for line in text.strip("\n").splitlines():
            self._add(INDENT + line if line.strip() else "")

    def _where(self, channel: str) -> str:
        for known in CHANNELS:
            if known.channel_id == channel:
                return f"#{known.name}"
        for user_id, name in self.sandbox.names.items():
            if channel in (user_id, self.sandbox.emulator.dm_channel_for(user_id)):
                return f"DM to @{name}"
        return channel

    def _add(self, line: str) -> None:
        self.lines.append(line)
        if self._write is not None:
            self._write(line)
