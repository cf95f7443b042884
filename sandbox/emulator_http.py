"""The Slack emulator's HTTP plumbing: one request in, one ``Reply`` out. What a request
means is the emulator's business (``SlackEmulator._handle``)."""

from __future__ import annotations

import json
import traceback
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl

if TYPE_CHECKING:
    from sandbox.emulator import SlackEmulator


@dataclass
class Reply:
    status: int
    body: dict[str, Any] | str
    headers: dict[str, str] = field(default_factory=dict)


def parse_body(content_type: str, body: bytes | None) -> dict[str, Any]:
    """Raises ValueError for a body Slack could not read."""
    if body is None:
        raise ValueError("unreadable body")
    if not body:
        return {}
    mime = content_type.split(";")[0].strip().lower()
    if mime == "application/json":
        parsed = json.loads(body.decode("utf-8"))
        if not isinstance(parsed, dict):
            raise ValueError("JSON body is not an object")
        return parsed
    if mime.startswith("multipart/"):
        raise ValueError("multipart bodies are not modelled")
    return dict(parse_qsl(body.decode("utf-8"), keep_blank_values=True, strict_parsing=True))


class EmulatorServer(ThreadingHTTPServer):
    daemon_threads = True
    double: SlackEmulator


class EmulatorRequestHandler(BaseHTTPRequestHandler):
    server: EmulatorServer
    timeout = 5  # a client that sends less than Content-Length cannot hang a thread forever

    def do_GET(self) -> None:  # http.server's naming
        self._serve()

    def do_POST(self) -> None:
        self._serve()

    def log_message(self, format: str, *args: Any) -> None:
        pass  # keep test output quiet

    def _serve(self) -> None:
        double = self.server.double
        try:
            reply = double._handle(
                self.command,
                self.path,
                self.headers.get("Content-Type", ""),
                self.headers.get("Authorization", ""),
                self._read_body(),
            )
        except Exception:  # the double must never die; report it instead
            double.errors.append(traceback.format_exc())
            reply = Reply(500, {"ok": False, "error": "double_internal_error"})
        if isinstance(reply.body, dict):
            data, ctype = json.dumps(reply.body).encode(), "application/json; charset=utf-8"
        else:
            data, ctype = reply.body.encode(), "text/plain; charset=utf-8"
        try:
            self.send_response(reply.status)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(data)))
            for name, value in reply.headers.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(data)
        except OSError:
            pass  # the client gave up (e.g. timed out during a scripted delay)

    def _read_body(self) -> bytes | None:
        try:
            length = int(self.headers.get("Content-Length") or 0)
            return self.rfile.read(length) if length > 0 else b""
        except (ValueError, OSError):
            return None
