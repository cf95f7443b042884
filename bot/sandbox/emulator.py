"""The Slack emulator: a Slack Web API double, a real HTTP server on 127.0.0.1 that the bot
reaches through ``WebClient(base_url=double.api_url)``. Standard library only.

The tests, the benchmarks and ``steward sandbox`` share it; ``steward serve`` never imports it.

The Web API methods themselves are in emulator_api.py.

Every ``/api/<method>`` call is recorded as a :class:`Call`; JSON posted to
``double.response_url(token)`` is recorded in ``double.responses``. Methods answer the way
Slack does (see shared/SLACK_FACTS.md); more can be added through ``double.handlers``.
``double.enforce_rate_limit(...)`` makes it answer 429 + Retry-After past chat.postMessage's
limits (per channel and workspace-wide), counting those answers in ``double.rate_limited``.
File uploads (``WebClient.files_upload_v2``) take Slack's three steps: files.getUploadURLExternal
hands out ``<base_url>/upload/<file_id>``, the raw bytes are POSTed there, and
files.completeUploadExternal shares them; each completed file is recorded in ``double.uploads``.
"""

from __future__ import annotations

import base64
import copy
import json
import math
import threading
import time
import traceback
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar
from urllib.parse import parse_qsl, urlsplit
from zoneinfo import ZoneInfo

from bot.sandbox.block_checks import message_block_errors
from bot.sandbox.emulator_api import SlackError, WebApiMethods
from bot.sandbox.emulator_http import EmulatorRequestHandler, EmulatorServer, Reply, parse_body
from bot.sandbox.rate_limit import RateLimit

JSON_KEYS = ("blocks", "attachments", "view", "metadata")
Handler = Callable[[dict[str, Any]], dict[str, Any]]
T = TypeVar("T")


@dataclass
class Call:
    method: str
    params: dict[str, Any]
    token: str | None
    status: int
    response: dict[str, Any]
    at: float = 0.0  # when the double answered, on the rate limiter's clock (monotonic)


@dataclass
class _Script:
    fail: bool
    status: int = 200
    error: str | None = None
    retry_after: int | None = None
    delay: float = 0.0


class SlackEmulator(WebApiMethods):
    def __init__(
        self,
        *,
        bot_token: str = "xoxb-test-token",
        team_id: str = "T0TEAM",
        bot_user_id: str = "U0STEWARD",
    ) -> None:
        self.bot_token = bot_token
        self.team_id = team_id
        self.bot_user_id = bot_user_id
        self.bot_id = "B" + bot_user_id[1:]
        self.calls: list[Call] = []
        self.responses: list[dict[str, Any]] = []
        self.ephemerals: list[dict[str, Any]] = []  # every accepted chat.postEphemeral
        self.views: dict[str, dict[str, Any]] = {}  # view id -> current view
        # every completed file: file_id, filename, title, bytes, channel_id, thread_ts,
        # initial_comment
        self.uploads: list[dict[str, Any]] = []
        self.errors: list[str] = []  # tracebacks and rejected response_url posts
        self.rate_limited = 0  # 429s answered by the enforced rate limit (not scripted ones)
        self._rate_limit: RateLimit | None = None
        self._lock = threading.RLock()
        self._users: dict[str, dict[str, Any]] = {}
        self._not_found: set[str] = set()
        self._messages: dict[str, list[dict[str, Any]]] = {}
        self._scripts: dict[str, deque[_Script]] = {}
        self._used_triggers: set[str] = set()
        self._home_view_ids: dict[str, str] = {}
        self._pending_files: dict[str, dict[str, Any]] = {}  # file id -> upload not completed
        self._file_seq = 0
        self._ts = 1_700_000_000_000_000
        self._server: EmulatorServer | None = None
        self._thread: threading.Thread | None = None
        self.handlers: dict[str, Handler] = {
            "auth.test": self._auth_test,
            "users.info": self._users_info,
            "conversations.open": self._conversations_open,
            "chat.postMessage": self._chat_post_message,
            "chat.update": self._chat_update,
            "chat.postEphemeral": self._chat_post_ephemeral,
            "chat.getPermalink": self._chat_get_permalink,
            "views.open": self._views_open,
            "views.push": self._views_open,
            "views.update": self._views_update,
            "views.publish": self._views_publish,
            "files.getUploadURLExternal": self._files_get_upload_url_external,
            "files.completeUploadExternal": self._files_complete_upload_external,
        }
        self.add_user("USLACKBOT", name="slackbot", tz="America/Los_Angeles", is_bot=True)
        self.add_user(bot_user_id, name="steward", is_bot=True)

    # ----- lifecycle -------------------------------------------------------------------------
    def start(self) -> SlackEmulator:
        if self._server is None:
            self._server = EmulatorServer(("127.0.0.1", 0), EmulatorRequestHandler)
            self._server.double = self
            self._thread = threading.Thread(
                target=self._server.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True
            )
            self._thread.start()
        return self

    def stop(self) -> None:
        server, self._server = self._server, None
        if server is not None:
            server.shutdown()
            server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def __enter__(self) -> SlackEmulator:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        if self._server is None:
            raise RuntimeError("the Slack emulator is not started")
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    @property
    def api_url(self) -> str:
        return self.base_url + "/api/"

    def response_url(self, token: str = "r1") -> str:
        return f"{self.base_url}/response/{token}"

    # ----- scripting and state ---------------------------------------------------------------
    def add_user(
        self,
        user_id: str,
        *,
        name: str | None = None,
        tz: str | None = "UTC",
        is_bot: bool = False,
        deleted: bool = False,
        real_name: str | None = None,
    ) -> None:
        if tz is not None:
            ZoneInfo(tz)  # fail here, not inside the server, on a bad zone name
        name = name or user_id.lower()
        user = {
            "id": user_id,
            "name": name,
            "real_name": real_name or name,
            "tz": tz,
            "is_bot": is_bot,
            "deleted": deleted,
        }
        with self._lock:
            self._users[user_id] = user

    def add_channel_not_found(self, channel: str) -> None:
        with self._lock:
            self._not_found.add(channel)

    def fail_next(
        self,
        method: str,
        *,
        times: int = 1,
        status: int = 200,
        error: str | None = None,
        retry_after: int | None = None,
        delay: float = 0.0,
    ) -> None:
        """429 -> ratelimited + Retry-After (default 1); other >= 400 -> plain-text body;
        200 -> {"ok": false, "error": error or "internal_error"}. delay: sleep first."""
        script = _Script(True, status, error, retry_after, delay)
        with self._lock:
            self._scripts.setdefault(method, deque()).extend([script] * times)

    def enforce_rate_limit(
        self,
        *,
        per_channel: float | None = 1.0,
        channel_burst: int = 3,
        workspace: float | None = None,
        methods: tuple[str, ...] = ("chat.postMessage", "chat.update"),
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        """Answer like Slack's limiter: past the limit, HTTP 429 ``ratelimited`` with a
        Retry-After of whole seconds, nothing done, counted in ``rate_limited``.

        Token buckets, full at the start. ``workspace``: calls a second to ``methods``
        together, in bursts of up to one second's worth. ``per_channel``: posts a second to
        one channel (chat.postMessage only: Slack's per-channel rule is about posting), in
        bursts of up to ``channel_burst`` (Slack grants "generous burst behavior"). None
        switches a limit off; both None switch the limiter off. Rate-limited calls are
        recorded like any other.
        """
        limited = per_channel is not None or workspace is not None
        with self._lock:
            self._rate_limit = (
                RateLimit(per_channel, channel_burst, workspace, frozenset(methods), clock)
                if limited
                else None
            )

    def delay_next(self, method: str, seconds: float, *, times: int = 1) -> None:
        """The next `times` calls of method answer normally, but only after `seconds`."""
        script = _Script(False, delay=seconds)
        with self._lock:
            self._scripts.setdefault(method, deque()).extend([script] * times)

    def stamp(self) -> str:
        """A fresh message ts, later than every message so far (for what the sandbox shows
        beside the messages, such as a slash command's ephemeral answer)."""
        with self._lock:
            return self._next_ts()

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

    def store_view(self, view: dict[str, Any], view_id: str | None = None) -> dict[str, Any]:
        """Store ``view`` whole, as a new view or replacing ``view_id`` (a modal's
        ``response_action`` of push or update, which reach Slack in an HTTP answer)."""
        with self._lock:
            return self._store_view(view, view_id)["view"]

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

    # ----- request handling (server threads) -------------------------------------------------
    def _handle(
        self, verb: str, path: str, content_type: str, auth: str, body: bytes | None
    ) -> Reply:
        url = urlsplit(path)
        if url.path.startswith("/response/"):
            return self._handle_response_url(verb, url.path[len("/response/") :], body)
        if url.path.startswith("/upload/"):
            return self._handle_upload(verb, url.path[len("/upload/") :], body)
        if not url.path.startswith("/api/"):
            return Reply(404, "not found")
        method = url.path[len("/api/") :]
        params: dict[str, Any] = dict(parse_qsl(url.query, keep_blank_values=True))
        malformed = False
        try:
            params.update(parse_body(content_type, body))
            for key in JSON_KEYS:
                if isinstance(params.get(key), str):
                    params[key] = json.loads(params[key])
        except ValueError:
            malformed = True
        param_token = params.pop("token", None)
        token = auth[7:].strip() if auth.lower().startswith("bearer ") else param_token
        with self._lock:
            queue = self._scripts.get(method)
            script = queue.popleft() if queue else None
        if script is not None and script.delay > 0:
            time.sleep(script.delay)
        with self._lock:
            reply = self._answer(method, params, token, malformed, script)
            recorded = (
                reply.body
                if isinstance(reply.body, dict)
                else {"ok": False, "error": f"http_{reply.status}", "body": reply.body}
            )
            at = self._rate_limit.clock() if self._rate_limit else time.monotonic()
            self.calls.append(Call(method, params, token, reply.status, recorded, at))
        return reply

    def _answer(
        self,
        method: str,
        params: dict[str, Any],
        token: str | None,
        malformed: bool,
        script: _Script | None,
    ) -> Reply:
        handler = self.handlers.get(method)
        if handler is None:
            return Reply(404, {"ok": False, "error": "unknown_method"})
        if script is not None and script.fail:
            if script.status == 429:
                retry_after = 1 if script.retry_after is None else script.retry_after
                return Reply(
                    429, {"ok": False, "error": "ratelimited"}, {"Retry-After": str(retry_after)}
                )
            if script.status >= 400:
                return Reply(script.status, f"{script.status} scripted failure")
            return Reply(script.status, {"ok": False, "error": script.error or "internal_error"})
        if malformed:
            return Reply(200, {"ok": False, "error": "invalid_form_data"})
        if not token:
            return Reply(200, {"ok": False, "error": "not_authed"})
        if token != self.bot_token:
            return Reply(200, {"ok": False, "error": "invalid_auth"})
        wait = self._over_rate_limit(method, params)
        if wait > 0:
            self.rate_limited += 1
            retry_after = str(max(1, math.ceil(wait)))
            return Reply(429, {"ok": False, "error": "ratelimited"}, {"Retry-After": retry_after})
        try:
            return Reply(200, {"ok": True, **handler(params)})
        except SlackError as exc:
            return Reply(200, {"ok": False, "error": exc.error, **exc.extra})
        except Exception:  # a bug in the double (or params it did not foresee): report it
            self.errors.append(f"{method}: {traceback.format_exc()}")
            return Reply(500, {"ok": False, "error": "double_internal_error"})

    def _handle_response_url(self, verb: str, token: str, body: bytes | None) -> Reply:
        if verb != "POST":
            return Reply(405, "method not allowed")
        try:
            payload = json.loads(body or b"")
            if not isinstance(payload, dict):
                raise ValueError("not an object")
        except ValueError:
            with self._lock:
                self.errors.append(f"response_url {token}: invalid_payload {body!r:.200}")
            return Reply(400, "invalid_payload")
        problems = message_block_errors(payload["blocks"]) if "blocks" in payload else []
        with self._lock:
            if problems:
                self.errors.append(f"response_url {token}: invalid_blocks {problems}")
                return Reply(400, "invalid_blocks")
            self.responses.append({**payload, "_token": token, "_ts": self._next_ts()})
        return Reply(200, "ok")

    def _handle_upload(self, verb: str, file_id: str, body: bytes | None) -> Reply:
        """The upload URL from files.getUploadURLExternal: raw bytes, no token (the URL is the
        credential). Answers like files.slack.com: 200 "OK - <length>"."""
        if verb != "POST":
            return Reply(405, "method not allowed")
        if body is None:
            return Reply(400, "unreadable body")
        with self._lock:
            pending = self._pending_files.get(file_id)
            if pending is None:
                return Reply(404, "not found")
            pending["bytes"] = body
        return Reply(200, f"OK - {len(body)}")

    def _over_rate_limit(self, method: str, params: dict[str, Any]) -> float:
        """Seconds until this call would be within the enforced limits; 0 takes it. Called
        with the lock held."""
        limit = self._rate_limit
        if limit is None or not limit.counts(method):
            return 0.0
        given = str(params.get("channel") or "")
        channel = self.dm_channel_for(given) if given[:1] in ("U", "W") else given
        return limit.wait(method, channel)
