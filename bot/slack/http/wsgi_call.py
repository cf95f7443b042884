"""A complete request through a WSGI app (PEP 3333), on a worker thread: the environ it
is given and the answer it makes, ready for the front to write."""

from __future__ import annotations

import io
import logging
import sys
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import unquote_to_bytes

import h11

from bot.slack.http.connection import SERVER_SOFTWARE, Complete

log = logging.getLogger(__name__)

_SPECIAL = {b"content-type": "CONTENT_TYPE", b"content-length": "CONTENT_LENGTH"}


def call_app(
    app: Callable[..., Iterable[bytes]],
    complete: Complete,
    *,
    client: tuple[str, int],
    server: tuple[str, int],
) -> tuple[h11.Response, bytes]:
    started: list[tuple[str, list[tuple[str, str]]]] = []

    def start_response(
        status: str, headers: list[tuple[str, str]], exc_info: Any = None
    ) -> Callable[[bytes], None]:
        started[:] = [(status, headers)]
        return _no_write

    try:
        result = app(environ(complete, client=client, server=server), start_response)
        try:
            body = b"".join(result)
        finally:
            if hasattr(result, "close"):
                result.close()
        status, headers = started[0]
    except Exception:
        log.exception("the app failed on a request")
        status, headers = "500 Internal Server Error", [("Content-Type", "application/json")]
        body = b'{"error": "error"}'
    code, _, phrase = status.partition(" ")
    names = {name.lower() for name, _ in headers}
    framed = [
        (name, value)
        for name, value in headers
        if name.lower() not in ("content-length", "transfer-encoding", "connection", "server")
    ]
    framed += [("Content-Length", str(len(body))), ("Server", SERVER_SOFTWARE)]
    if "content-type" not in names and body:
        framed.append(("Content-Type", "text/plain; charset=utf-8"))
    return h11.Response(status_code=int(code), headers=framed, reason=phrase.encode()), body


def environ(
    complete: Complete, *, client: tuple[str, int], server: tuple[str, int]
) -> dict[str, Any]:
    request = complete.request
    path, _, query = request.target.partition(b"?")
    env: dict[str, Any] = {
        "REQUEST_METHOD": request.method.decode("ascii"),
        "SCRIPT_NAME": "",
        "PATH_INFO": unquote_to_bytes(path).decode("latin-1"),
        "QUERY_STRING": query.decode("latin-1"),
        "SERVER_NAME": server[0],
        "SERVER_PORT": str(server[1]),
        "SERVER_PROTOCOL": f"HTTP/{request.http_version.decode('ascii')}",
        "SERVER_SOFTWARE": SERVER_SOFTWARE,
        "REMOTE_ADDR": client[0],
        "REMOTE_PORT": str(client[1]),
        "CONTENT_LENGTH": str(len(complete.body)),
        "wsgi.version": (1, 0),
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(complete.body),
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": True,
        "wsgi.multiprocess": False,
        "wsgi.run_once": False,
    }
    for name, value in request.headers:
        key = _SPECIAL.get(name) or "HTTP_" + name.decode("latin-1").upper().replace("-", "_")
        text = value.decode("latin-1")
        if key == "CONTENT_LENGTH":
            continue  # the body's own length, set above
        env[key] = f"{env[key]},{text}" if key in env and key.startswith("HTTP_") else text
    return env


def _no_write(data: bytes) -> None:
    raise NotImplementedError("Steward's apps return their body; write() is not offered")
