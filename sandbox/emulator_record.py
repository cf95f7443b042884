"""What the Slack emulator recorded, as the tests and the sandbox read it: the calls, waits
for calls still to come, a summary for assertion messages, and the workspace a sandbox keeps
between runs. Mixed into ``SlackEmulator``, whose state it reads under the emulator's lock.
"""

from __future__ import annotations

import base64
import copy
import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

T = TypeVar("T")


@dataclass
class Call:
    method: str
    params: dict[str, Any]
    token: str | None
    status: int
    response: dict[str, Any]
    at: float = 0.0  # when the double answered, on the rate limiter's clock (monotonic)


class RecordedCalls:
    """The state is the emulator's (set in its __init__)."""

    calls: list[Call]
    responses: list[dict[str, Any]]
    ephemerals: list[dict[str, Any]]
    views: dict[str, dict[str, Any]]
    uploads: list[dict[str, Any]]
    errors: list[str]
    rate_limited: int
    _lock: threading.RLock
    _users: dict[str, dict[str, Any]]
    _messages: dict[str, list[dict[str, Any]]]
    _home_view_ids: dict[str, str]
    _file_seq: int
    _ts: int
    dm_channel_for: Callable[[str], str]  # the emulator's Web API methods have it

    def users(self) -> list[dict[str, Any]]:
        with self._lock:
            return [dict(user) for user in self._users.values()]

    def export_state(self) -> dict[str, Any]:
        """What the workspace shows (messages, views, Home tabs, ephemerals, responses and
        files) as JSON-ready data, for a sandbox that keeps its workspace between runs."""
        with self._lock:
            uploads = [
                {**upload, "bytes": base64.b64encode(upload["bytes"] or b"").decode()}
                for upload in self.uploads
            ]
            return copy.deepcopy(
                {
                    "ts": self._ts,
                    "file_seq": self._file_seq,
                    "messages": self._messages,
                    "views": self.views,
                    "home_view_ids": self._home_view_ids,
                    "ephemerals": self.ephemerals,
                    "responses": self.responses,
                    "uploads": uploads,
                }
            )

    def import_state(self, state: dict[str, Any]) -> None:
        """Show again what ``export_state`` saved; new messages get later timestamps."""
        with self._lock:
            self._ts = max(self._ts, int(state["ts"]))
            self._file_seq = max(self._file_seq, int(state["file_seq"]))
            self._messages = copy.deepcopy(state["messages"])
            self.views = copy.deepcopy(state["views"])
            self._home_view_ids = dict(state["home_view_ids"])
            self.ephemerals = copy.deepcopy(state["ephemerals"])
            self.responses = copy.deepcopy(state["responses"])
            self.uploads = [
                {**upload, "bytes": base64.b64decode(upload["bytes"])}
                for upload in state["uploads"]
            ]

    def home_view(self, user_id: str) -> dict[str, Any] | None:
        """The Home tab last published for ``user_id``."""
        with self._lock:
            view_id = self._home_view_ids.get(user_id)
            return copy.deepcopy(self.views[view_id]) if view_id else None

    def messages_in(self, channel: str) -> list[dict[str, Any]]:
        if channel[:1] in "UW":
            channel = self.dm_channel_for(channel)
        with self._lock:
            return copy.deepcopy(self._messages.get(channel, []))

    def calls_to(self, method: str) -> list[Call]:
        with self._lock:
            return [call for call in self.calls if call.method == method]

    def reset_calls(self) -> None:
        """Forgets recorded calls, responses, ephemerals, uploads and errors (not users or
        messages)."""
        with self._lock:
            self.calls.clear()
            self.responses.clear()
            self.ephemerals.clear()
            self.uploads.clear()
            self.errors.clear()
            self.rate_limited = 0

    def wait_for(
        self,
        method: str,
        count: int = 1,
        timeout: float = 5.0,
        where: Callable[[Call], bool] | None = None,
    ) -> list[Call]:
        def collect() -> list[Call]:
            return [
                c
                for c in self.calls_to(method)
                if c.response.get("ok") is True and (where is None or where(c))
            ]

        return self._poll(collect, count, timeout, f"ok {method} call(s)")

    def wait_for_responses(self, count: int = 1, timeout: float = 5.0) -> list[dict[str, Any]]:
        def collect() -> list[dict[str, Any]]:
            with self._lock:
                return list(self.responses)

        return self._poll(collect, count, timeout, "response_url post(s)")

    def _poll(
        self, collect: Callable[[], list[T]], count: int, timeout: float, what: str
    ) -> list[T]:
        deadline = time.monotonic() + timeout
        while len(found := collect()) < count:
            if time.monotonic() >= deadline:
                raise AssertionError(
                    f"waited {timeout}s for {count} {what}, saw {len(found)}.\n" + self.summary()
                )
            time.sleep(0.01)
        return found

    def summary(self) -> str:
        """The recorded calls (last 40), one a line, for assertion messages."""
        with self._lock:
            calls, errors = list(self.calls), list(self.errors)
        lines = [f"recorded calls ({len(calls)}):"]
        for call in calls[-40:]:
            outcome = "ok" if call.response.get("ok") else call.response.get("error", "?")
            params = json.dumps(call.params, default=str)
            lines.append(f"  {call.method} -> {call.status} {outcome} {params[:200]}")
        lines += [f"double error: {error.strip()[-500:]}" for error in errors]
        return "\n".join(lines)
