"""The sandbox's page and the small JSON API behind it, on 127.0.0.1 only.

``GET /`` is the static page (sandbox/static); ``GET /api/state?viewer=U…`` is what that
person sees; the POSTs are what they do (type a command, pick the "Delegate a task" shortcut,
click, submit or close a modal, open their Home tab, move the clock). Every POST answers
with the viewer's new state, or 400 and ``{"error": "…"}`` for a request the sandbox can't
carry out.
"""

from __future__ import annotations

import json
import logging
import threading
import traceback
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib import resources
from typing import Any
from urllib.parse import parse_qs, urlsplit

from sandbox.screen import screen
from sandbox.session import CLOCK_STEPS, Sandbox

log = logging.getLogger(__name__)

STATIC_TYPES = {
    "index.html": "text/html; charset=utf-8",
    "sandbox.js": "text/javascript; charset=utf-8",
    "sandbox.css": "text/css; charset=utf-8",
}
MAX_BODY = 256 * 1024
# Only the page's own script and styles run, whatever a rendered message contains.
# No other site may frame the page and have its buttons clicked.
CSP = (
    "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; "
    "frame-ancestors 'none'"
)
Action = Callable[[Sandbox, dict[str, Any]], Any]


class BadRequest(Exception):
    """A request the page shouldn't have sent; the message says why."""


def _text(body: dict[str, Any], key: str) -> str:
    value = body.get(key)
    if not isinstance(value, str) or not value:
        raise BadRequest(f"{key} is missing")
    return value


def _object(body: dict[str, Any], key: str) -> dict[str, Any]:
    value = body.get(key)
    if not isinstance(value, dict):
        raise BadRequest(f"{key} must be an object")
    return value


def _command(sandbox: Sandbox, body: dict[str, Any]) -> Any:
    command, _, text = _text(body, "text").strip().partition(" ")
    if command != "/delegate":
        raise BadRequest("The sandbox has one slash command: /delegate")
    return sandbox.command(_text(body, "viewer"), _text(body, "channel"), text)


def _click(sandbox: Sandbox, body: dict[str, Any]) -> Any:
    viewer, action = _text(body, "viewer"), _object(body, "action")
    if body.get("view_id"):
        values = body.get("values") if isinstance(body.get("values"), dict) else {}
        return sandbox.click_in_view(viewer, _text(body, "view_id"), action, values)
    return sandbox.click_in_message(viewer, _text(body, "channel"), _text(body, "ts"), action)


def _submit(sandbox: Sandbox, body: dict[str, Any]) -> Any:
    return sandbox.submit(_text(body, "viewer"), _text(body, "view_id"), _object(body, "values"))


def _shortcut(sandbox: Sandbox, body: dict[str, Any]) -> Any:
    return sandbox.shortcut(_text(body, "viewer"))


def _close(sandbox: Sandbox, body: dict[str, Any]) -> Any:
    sandbox.close_modal(_text(body, "viewer"))


def _home(sandbox: Sandbox, body: dict[str, Any]) -> Any:
    return sandbox.open_home(_text(body, "viewer"))


def _clock(sandbox: Sandbox, body: dict[str, Any]) -> Any:
    step = _text(body, "step")
    if step not in (*CLOCK_STEPS, "morning"):
        raise BadRequest(f"step must be one of {', '.join([*CLOCK_STEPS, 'morning'])}")
    return sandbox.advance(step, _text(body, "viewer"))


ACTIONS: dict[str, Action] = {
    "/api/command": _command,
    "/api/click": _click,
    "/api/submit": _submit,
    "/api/shortcut": _shortcut,
    "/api/close": _close,
    "/api/home": _home,
    "/api/clock": _clock,
}


class SandboxWeb:
    def __init__(self, sandbox: Sandbox, *, port: int = 0) -> None:
        self.sandbox = sandbox
        self._server = _Server(("127.0.0.1", port), _Handler)
        self._server.sandbox = sandbox
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        return int(self._server.server_address[1])

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/"

    def serve_forever(self) -> None:
        self._server.serve_forever(poll_interval=0.1)

    def start(self) -> SandboxWeb:
        self._thread = threading.Thread(target=self.serve_forever, name="sandbox-web", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    sandbox: Sandbox


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    timeout = 30

    def log_message(self, format: str, *args: Any) -> None:
        log.debug("sandbox page: " + format, *args)

    def do_GET(self) -> None:  # http.server's naming
        if not self._local_host():
            return
        url = urlsplit(self.path)
        if url.path == "/":
            self._static("index.html")
        elif url.path.startswith("/static/") and url.path[len("/static/") :] in STATIC_TYPES:
            self._static(url.path[len("/static/") :])
        elif url.path == "/api/people":
            people = self.server.sandbox.members.values()
            self._json(200, [{"id": m.user_id, "name": m.name} for m in people])
        elif url.path == "/api/state":
            viewer = (parse_qs(url.query).get("viewer") or [""])[0]
            if viewer not in self.server.sandbox.members:
                self._json(400, {"error": "choose who you are"})
            else:
                self._json(200, screen(self.server.sandbox, viewer))
        elif url.path.startswith("/files/"):
            self._file(url.path[len("/files/") :])
        else:
            self._json(404, {"error": "not found"})

    def do_POST(self) -> None:
        if not self._local_host():
            return
        action = ACTIONS.get(urlsplit(self.path).path)
        if action is None:
            self._json(404, {"error": "not found"})
            return
        if self.headers.get("Content-Type", "").split(";")[0].strip() != "application/json":
            self._json(415, {"error": "send JSON"})  # a plain HTML form can't post here
            return
        sandbox = self.server.sandbox
        try:
            body = self._body()
            viewer = _text(body, "viewer")
            sandbox.check_user(viewer)  # before anything happens
            reply = action(sandbox, body)
            sandbox.save()
            answer: dict[str, Any] = {"state": screen(sandbox, viewer)}
        except (BadRequest, LookupError) as problem:
            self._json(400, {"error": str(problem).strip("'\"")})
            return
        except Exception:
            log.error("the sandbox failed: %s", traceback.format_exc())
            self._json(500, {"error": "the sandbox failed; its terminal has the details"})
            return
        status = getattr(reply, "status", 200)
        if status != 200:
            answer["error"] = f"the bot answered HTTP {status}"
        self._json(200, answer)

    def _local_host(self) -> bool:
        """Only a page served from this address may call it (no DNS rebinding)."""
        host = (self.headers.get("Host") or "").rsplit(":", 1)[0]
        if host in ("127.0.0.1", "localhost"):
            return True
        self._json(403, {"error": "the sandbox answers on 127.0.0.1 only"})
        return False

    def _body(self) -> dict[str, Any]:
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError as error:
            raise BadRequest("that request has no readable length") from error
        if not 0 <= length <= MAX_BODY:
            raise BadRequest("that request is too large")
        try:
            body = json.loads(self.rfile.read(length) or b"{}")
        except ValueError as error:
            raise BadRequest("that request is not JSON") from error
        if not isinstance(body, dict):
            raise BadRequest("that request is not a JSON object")
        return body

    def _static(self, name: str) -> None:
        data = resources.files("sandbox").joinpath("static", name).read_bytes()
        self._send(200, data, STATIC_TYPES[name])

    def _file(self, file_id: str) -> None:
        for upload in self.server.sandbox.emulator.uploads:
            if upload["file_id"] == file_id and upload["bytes"] is not None:
                self._send(200, upload["bytes"], "image/png")
                return
        self._json(404, {"error": "no such file"})

    def _json(self, status: int, body: dict[str, Any] | list[Any]) -> None:
        self._send(status, json.dumps(body).encode(), "application/json; charset=utf-8")

    def _send(self, status: int, data: bytes, content_type: str) -> None:
        try:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(data)))
            self.send_header("Cache-Control", "no-store")
            self.send_header("X-Content-Type-Options", "nosniff")
            self.send_header("Content-Security-Policy", CSP)
            self.send_header("X-Frame-Options", "DENY")
            self.end_headers()
            self.wfile.write(data)
        except OSError:
            pass  # the page went away
