"""One client connection of the HTTP front, read without blocking: the bytes of its current
request are taken in as they arrive, under the limits of ``limits.py``, until the request is
whole (``Complete``) or refused (``Refusal``). h11 parses each request; its head is checked
here first for what h11 lets through and Steward refuses (two Content-Lengths, any
Transfer-Encoding), so no body is read for a request that will be refused.

A connection is reading a request or writing its answer. The front's loop thread holds it,
but from a complete request to its answer the worker does (``with_worker``: no reads, a
pipelined next request waits in the socket, and no deadline): it serializes the answer and
writes what the socket takes at once.
"""

from __future__ import annotations

import re
import socket
from dataclasses import dataclass
from enum import Enum

import h11

from bot.slack.http import limits

# h11 ends a head at a blank line, with or without carriage returns.
_END_OF_HEAD = re.compile(rb"\n\r?\n")
_FRAMING_HEADER = re.compile(rb"^(content-length|transfer-encoding)[ \t]*:(.*)$", re.I | re.M)
SERVER_SOFTWARE = "steward"  # the Server header of every answer
BODY_METHODS = frozenset({b"POST", b"PUT", b"PATCH"})


class Phase(Enum):
    READING = "reading"
    WRITING = "writing"


@dataclass(frozen=True)
class Complete:
    request: h11.Request
    body: bytes


@dataclass(frozen=True)
class Refusal:
    status: int
    reason: str


class Connection:
    def __init__(self, sock: socket.socket, address: tuple[str, int], now: float) -> None:
        self.sock = sock
        self.address = address
        self.phase = Phase.READING
        self.outgoing = b""
        self.close_after_write = False
        # True from a complete request to its answer being written by the worker: the loop
        # leaves the connection alone meanwhile.
        self.with_worker = False
        self._start_next(b"", now)

    @property
    def deadline(self) -> float | None:
        return None if self.with_worker else self._deadline

    @property
    def started(self) -> bool:
        """Whether any byte of the current request has arrived (an idle kept-alive
        connection is closed quietly at its deadline; a started request gets 408)."""
        return self._head is None or bool(self._head)

    def received(self, data: bytes, now: float) -> Complete | Refusal | None:
        """Take in what the client sent (never ``b""``: a closed connection is dropped)."""
        if self._head is not None:
            if data and not self._head:
                self._deadline = now + limits.REQUEST_SECONDS
            self._head += data
            return self._read_head()
        self._parser.receive_data(data)
        return self._read_body()

    def answer(self, response: h11.Response, body: bytes, now: float) -> None:
        """The app's answer, to write; the connection is kept for a next request when HTTP
        allows it."""
        head_only = self._request_method == b"HEAD"
        self.outgoing = self._parser.send(response) + (
            b"" if head_only else self._parser.send(h11.Data(data=body))
        )
        self.outgoing += self._parser.send(h11.EndOfMessage())
        self.close_after_write = self._parser.our_state is not h11.DONE
        self._writing(now)

    def refuse(self, refusal: Refusal, now: float) -> None:
        self.outgoing = refusal_bytes(refusal)
        self.close_after_write = True
        self._writing(now)

    def written(self, now: float) -> Complete | Refusal | None:
        """The answer is out: read the next request, which may already be here."""
        leftover, _closed = self._parser.trailing_data
        self._start_next(leftover, now)
        return self._read_head() if leftover else None

    def _writing(self, now: float) -> None:
        self.phase = Phase.WRITING
        self._deadline = now + limits.WRITE_SECONDS

    def _start_next(self, leftover: bytes, now: float) -> None:
        self.phase = Phase.READING
        self._head: bytearray | None = bytearray(leftover)
        self._searched = 0  # how much of the head holds no blank line
        self._parser = h11.Connection(h11.SERVER, max_incomplete_event_size=limits.MAX_HEADER_BYTES)
        self._request: h11.Request | None = None
        self._request_method = b""
        self._body = bytearray()
        self._deadline = now + (limits.REQUEST_SECONDS if leftover else limits.IDLE_SECONDS)

    def _read_head(self) -> Complete | Refusal | None:
        assert self._head is not None
        # From just before where the last search ended, so a head sent a byte at a time is
        # still searched once over, not once per byte.
        end = _END_OF_HEAD.search(self._head, self._searched, limits.MAX_HEADER_BYTES + 3)
        if end is None:
            if len(self._head) > limits.MAX_HEADER_BYTES:
                return Refusal(431, "request headers too large")
            self._searched = max(0, len(self._head) - 2)
            return None
        problem = framing_problem(bytes(self._head[: end.start()]))
        if problem is not None:
            return problem
        data, self._head = bytes(self._head), None
        self._parser.receive_data(data)
        return self._read_body()

    def _read_body(self) -> Complete | Refusal | None:
        while True:
            try:
                event = self._parser.next_event()
            except h11.RemoteProtocolError as error:
                return Refusal(error.error_status_hint, str(error))
            if event is h11.NEED_DATA:
                return None
            if isinstance(event, h11.Request):
                refusal = body_problem(event)
                if refusal is not None:
                    return refusal
                self._request, self._request_method = event, event.method
                if self._parser.they_are_waiting_for_100_continue:
                    self.outgoing = self._parser.send(
                        h11.InformationalResponse(status_code=100, headers=[], reason=b"Continue")
                    )
            elif isinstance(event, h11.Data):
                self._body += event.data
            elif isinstance(event, h11.EndOfMessage):
                assert self._request is not None
                return Complete(self._request, bytes(self._body))
            else:  # ConnectionClosed before the request was whole, or PAUSED
                return Refusal(400, "incomplete request")


def framing_problem(head: bytes) -> Refusal | None:
    """What in a request's raw head Steward refuses though h11 would take it: more than one
    Content-Length (h11 keeps one of two equal values), a list as its value, and any
    Transfer-Encoding (Slack sends a Content-Length; with both, which one frames the body is
    what request smuggling exploits)."""
    found = [(name.lower(), value.strip()) for name, value in _FRAMING_HEADER.findall(head)]
    names = [name for name, _ in found]
    if b"transfer-encoding" in names:
        if b"content-length" in names:
            return Refusal(400, "both Content-Length and Transfer-Encoding")
        return Refusal(400, "a body must come with a Content-Length")
    if names.count(b"content-length") > 1:
        return Refusal(400, "more than one Content-Length")
    if found and not found[0][1].isdigit():
        return Refusal(400, "bad Content-Length")
    return None


def body_problem(request: h11.Request) -> Refusal | None:
    lengths = [value for name, value in request.headers if name == b"content-length"]
    if not lengths:
        if request.method in BODY_METHODS:
            return Refusal(400, "a body must come with a Content-Length")
        return None
    if int(lengths[0]) > limits.MAX_BODY_BYTES:
        return Refusal(413, "request too large")
    return None


def refusal_bytes(refusal: Refusal) -> bytes:
    """A whole answer to a refused request, which the connection closes after."""
    body = b'{"error": "%s"}' % refusal.reason.encode("ascii", "replace").replace(b'"', b"'")
    phrase = _PHRASES.get(refusal.status, b"Bad Request")
    return (
        b"HTTP/1.1 %d %s\r\nServer: %s\r\nContent-Type: application/json\r\n"
        b"Content-Length: %d\r\nConnection: close\r\n\r\n%s"
        % (refusal.status, phrase, SERVER_SOFTWARE.encode(), len(body), body)
    )


_PHRASES = {
    400: b"Bad Request",
    408: b"Request Timeout",
    413: b"Content Too Large",
    431: b"Request Header Fields Too Large",
    500: b"Internal Server Error",
    503: b"Service Unavailable",
}
