"""The Slack emulator: a Slack Web API double, a real HTTP server on 127.0.0.1 that the bot
reaches through ``WebClient(base_url=double.api_url)``. Standard library only.

The tests, the benchmarks and ``steward sandbox`` share it; ``steward serve`` never imports it.

The Web API methods themselves are in emulator_api.py; reading what was recorded (calls,
waits, the workspace kept between sandbox runs) is in emulator_record.py; what a test scripts
(failures, delays, rate limits) in emulator_scripts.py.

Every ``/api/<method>`` call is recorded as a :class:`Call`; JSON posted to
``double.response_url(token)`` is recorded in ``double.responses``. Methods answer the way
Slack does (see shared/SLACK_FACTS.md); more can be added through ``double.handlers``.
Channels (the bot a member or not, archived, private) and the token's scopes are modelled in
emulator_channels.py.
``double.enforce_rate_limit(...)`` makes it answer 429 + Retry-After past chat.postMessage's
limits (per channel and workspace-wide), counting those answers in ``double.rate_limited``.
File uploads (``WebClient.files_upload_v2``) take Slack's three steps: files.getUploadURLExternal
hands out ``<base_url>/upload/<file_id>``, the raw bytes are POSTed there, and
files.completeUploadExternal shares them; each completed file is recorded in ``double.uploads``.
"""

from __future__ import annotations

import json
import math
import threading
import time
import traceback
from collections import deque
from collections.abc import Callable
from typing import Any, TypeVar
from urllib.parse import parse_qsl, urlsplit
from zoneinfo import ZoneInfo

from sandbox.block_checks import message_block_errors
from sandbox.emulator_api import SlackError, WebApiMethods
from sandbox.emulator_channels import MANIFEST_SCOPES, Channel, ChannelMembership
from sandbox.emulator_http import EmulatorRequestHandler, EmulatorServer, Reply, parse_body
from sandbox.emulator_record import Call, RecordedCalls
from sandbox.emulator_scripts import Script, Scripting
from sandbox.rate_limit import RateLimit

JSON_KEYS = ("blocks", "attachments", "view", "metadata")
Handler = Callable[[dict[str, Any]], dict[str, Any]]
T = TypeVar("T")


class SlackEmulator(WebApiMethods, RecordedCalls, Scripting, ChannelMembership):
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
        self._channels: dict[str, Channel] = {}  # only those set_channel changed
        self.scopes: set[str] = set(MANIFEST_SCOPES)  # the bot token's
        self._messages: dict[str, list[dict[str, Any]]] = {}
        self._scripts: dict[str, deque[Script]] = {}
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
            "conversations.info": self._conversations_info,
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

    def stamp(self) -> str:
        """A fresh message ts, later than every message so far (for what the sandbox shows
        beside the messages, such as a slash command's ephemeral answer)."""
        with self._lock:
            return self._next_ts()

    def store_view(self, view: dict[str, Any], view_id: str | None = None) -> dict[str, Any]:
        """Store ``view`` whole, as a new view or replacing ``view_id`` (a modal's
        ``response_action`` of push or update, which reach Slack in an HTTP answer)."""
        with self._lock:
            return self._store_view(view, view_id)["view"]

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
        script: Script | None,
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
        scopes = {"X-OAuth-Scopes": ",".join(sorted(self.scopes))}
        try:
            return Reply(200, {"ok": True, **handler(params)}, scopes)
        except SlackError as exc:
            return Reply(200, {"ok": False, "error": exc.error, **exc.extra}, scopes)
        except Exception:  # a bug in the double (or params it did not foresee): report it
            self.errors.append(f"{method}: {traceback.format_exc()}")
            return Reply(500, {"ok": False, "error": "double_internal_error"})

    def _handle_response_url(self, verb: str, token: str, body: bytes | None) -> Reply:
        """As Slack's hooks answer: 200 "ok", or a 4xx with a plain-text reason. A test
        scripts failures with ``fail_next("response_url", status=..., error=...)``."""
        if verb != "POST":
            return Reply(405, "method not allowed")
        with self._lock:
            queue = self._scripts.get("response_url")
            script = queue.popleft() if queue else None
        if script is not None and script.fail:
            return Reply(script.status, script.error or f"{script.status} scripted failure")
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
