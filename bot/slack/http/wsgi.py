"""HTTP mode: a WSGI app in front of Bolt, served by a threaded WSGI server
(``bot/slack/http/server.py``).

Bolt's App is synchronous, so a threaded WSGI server fits it: measured on 2 cores, acking a
slash command at 16 connections, a threaded server did about 740-760 requests/s (p99 about
25 ms) where Bolt's development server did 83 (p99 718 ms) and uvicorn around a synchronous
App about 93.

Besides Slack's ``POST /slack/events``: ``GET /healthz`` (503 with a reason when the database
does not answer) and ``GET /metrics`` (Prometheus, only with the bearer token
``METRICS_TOKEN``: anyone can reach the Slack port, and the metrics are not theirs to read).
An Events API delivery whose ``event_id`` was taken in before, here or on another replica,
is answered 200 unprocessed; so is a copy of a signed slash command or view submission
(``seen_events.py``). Each request's signature is checked here, once, before anything is
parsed; the Bolt app does not check it again.
"""

from __future__ import annotations

import hmac
import json
import logging
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any
from urllib.parse import parse_qs, parse_qsl

from slack_bolt import App, BoltRequest
from slack_sdk.signature import SignatureVerifier
from sqlalchemy.exc import SQLAlchemyError

from bot.observability.metrics import Metrics
from bot.slack.http.ack_wait import acking_promptly
from bot.slack.http.seen_events import Delivery, SeenEvents, retry_reason
from storage.health import DatabaseCheck

log = logging.getLogger(__name__)

EVENTS_PATH = "/slack/events"
HEALTH_PATH = "/healthz"
METRICS_PATH = "/metrics"
ROUTES = frozenset({EVENTS_PATH, HEALTH_PATH, METRICS_PATH})

# The kind of request, as the metrics label it.
SLASH_COMMAND, INTERACTION, VIEW, EVENT = "slash_command", "interaction", "view", "event"
NO_KIND, MALFORMED = "none", "malformed"
VIEW_TYPES = frozenset({"view_submission", "view_closed"})
JSON_KINDS = {"event_callback": EVENT, "url_verification": "url_verification"}
# Slack never sends a command twice: a copy is a replay, or a proxy retrying. Its answer
# says nothing of what the first one did (that could be someone's `/delegate list`).
REPLAYED_COMMAND = {
    "response_type": "ephemeral",
    "text": "Steward already received this exact command; it was not run again.",
}

StartResponse = Callable[..., Any]
Environ = dict[str, Any]


@dataclass(frozen=True)
class Answer:
    status: int
    body: bytes = b""
    headers: list[tuple[str, str]] = field(default_factory=list)
    kind: str = NO_KIND


@dataclass(frozen=True)
class Parsed:
    kind: str
    event_id: str | None = None


class SlackWsgi:
    def __init__(
        self,
        *,
        app: App,
        signing_secret: str | None,
        health: DatabaseCheck,
        metrics: Metrics,
        seen_events: SeenEvents,
        metrics_token: str | None = None,
    ) -> None:
        self._app = app
        self._verifier = SignatureVerifier(signing_secret) if signing_secret else None
        self._health = health
        self._metrics = metrics
        self._seen_events = seen_events
        self._metrics_authorization = f"Bearer {metrics_token}" if metrics_token else None

    def __call__(self, environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
        started = time.perf_counter()
        path = environ.get("PATH_INFO", "/")
        answer = self._answer(environ, path)
        start_response(_status_line(answer.status), answer.headers)
        self._metrics.observe_request(
            route=path if path in ROUTES else "other",
            kind=answer.kind,
            status=answer.status,
            seconds=time.perf_counter() - started,
        )
        return [answer.body]

    def _answer(self, environ: Environ, path: str) -> Answer:
        method = environ.get("REQUEST_METHOD", "GET")
        if path == HEALTH_PATH and method in ("GET", "HEAD"):
            problem = self._health.problem()
            if problem is None:
                return _json(200, {"ok": True})
            log.warning("health check failed: %s", problem)
            return _json(503, {"ok": False, "reason": problem})
        if path == METRICS_PATH and method in ("GET", "HEAD"):
            if self._metrics_authorization is None:
                return _json(404, {"error": "not found"})
            given = str(environ.get("HTTP_AUTHORIZATION", ""))
            if not hmac.compare_digest(given.encode(), self._metrics_authorization.encode()):
                return _json(401, {"error": "metrics need the bearer token METRICS_TOKEN"})
            text, content_type = self._metrics.render()
            return Answer(200, text, [("Content-Type", content_type)])
        if path != EVENTS_PATH:
            return _json(404, {"error": "not found"})
        if method != "POST":
            return _json(405, {"error": "method not allowed"})
        # The front (server.py) hands over only a whole body, its length checked against
        # limits.py before any of it was read.
        body = environ["wsgi.input"].read().decode("utf-8", errors="replace")
        headers = _headers(environ)
        if self._verifier is not None and not self._verifier.is_valid_request(body, headers):
            return _json(401, {"error": "invalid request"})
        parsed = parse_request(body, headers.get("content-type", ""))
        if parsed is None:
            return _json(400, {"error": "malformed body"}, kind=MALFORMED)
        delivery = None
        if parsed.event_id is not None:
            delivery = Delivery.event(parsed.event_id)
        elif parsed.kind in (SLASH_COMMAND, VIEW) and self._verifier is not None:
            delivery = Delivery.signed(headers)
        if delivery is not None:
            try:
                if not self._seen_events.first_delivery(delivery):
                    return self._repeated(delivery, parsed.kind, headers)
            except SQLAlchemyError:
                log.warning("could not record %s %s", parsed.kind, delivery.key)
                return _json(503, {"error": "database unavailable"}, kind=parsed.kind)
        answer = self._dispatch(body, environ.get("QUERY_STRING", ""), headers, parsed.kind)
        if delivery is not None and answer.status >= 500:
            self._seen_events.failed(delivery)
        return answer

    def _repeated(self, delivery: Delivery, kind: str, headers: dict[str, str]) -> Answer:
        """The answer to a copy of what was taken in before: nothing is run again."""
        if delivery.is_event:
            reason = retry_reason(headers.get("x-slack-retry-reason"))
            self._metrics.duplicate_events.labels(retry_reason=reason).inc()
            return Answer(200, kind=kind)
        log.warning("a %s already taken in came again (a replay); not run again", kind)
        if kind == SLASH_COMMAND:
            return _json(200, REPLAYED_COMMAND, kind=kind)
        return Answer(200, kind=kind)  # a view submission: closes the modal

    def _dispatch(self, body: str, query: str, headers: dict[str, str], kind: str) -> Answer:
        try:
            if kind == SLASH_COMMAND:
                # Bolt takes any form body containing the word "payload" for an interaction
                # ("/delegate @a Update the payload schema"): give it the command's form.
                # Bolt takes a parsed body in its socket_mode only, which differs from http
                # in checking no signature: that was checked above, once.
                form = dict(parse_qsl(body, keep_blank_values=True))
                request = BoltRequest(body=form, query=query, headers=headers, mode="socket_mode")
            else:
                request = BoltRequest(body=body, query=query, headers=headers)
            with acking_promptly(request):
                bolt_response = self._app.dispatch(request)
        except (TypeError, KeyError, AttributeError, ValueError, IndexError):
            # Bolt reads the payload's shape before any listener runs; a signed payload of a
            # shape Slack never sends lands here. Our listeners' errors never do.
            log.warning("malformed payload refused", exc_info=True)
            return _json(400, {"error": "malformed payload"}, kind=MALFORMED)
        response_headers = [
            (name, value) for name, values in bolt_response.headers.items() for value in values
        ]
        return Answer(
            bolt_response.status, bolt_response.body.encode("utf-8"), response_headers, kind
        )


def _status_line(status: int) -> str:
    try:
        return f"{status} {HTTPStatus(status).phrase}"
    except ValueError:
        return f"{status} Unknown"


def _headers(environ: Environ) -> dict[str, str]:
    headers = {
        key[5:].replace("_", "-").lower(): str(value)
        for key, value in environ.items()
        if key.startswith("HTTP_")
    }
    if environ.get("CONTENT_TYPE"):
        headers["content-type"] = environ["CONTENT_TYPE"]
    return headers


def parse_request(body: str, content_type: str) -> Parsed | None:
    """What kind of Slack request this is (and an event's ``event_id``), or None for a body
    Bolt would choke on: Bolt parses before it dispatches, so those are answered 400 here."""
    try:
        if content_type.startswith("application/json"):
            data = json.loads(body)
            if not isinstance(data, dict):
                return None
            kind = JSON_KINDS.get(str(data.get("type")), "other")
            event_id = data.get("event_id") if kind == EVENT else None
            return Parsed(kind, event_id if isinstance(event_id, str) and event_id else None)
        form = parse_qs(body, strict_parsing=False)
        if "payload" in form:
            payload = json.loads(form["payload"][0])
            if not isinstance(payload, dict):
                return None
            kind = payload.get("type")
            return Parsed(VIEW if isinstance(kind, str) and kind in VIEW_TYPES else INTERACTION)
        if "command" in form:
            return Parsed(SLASH_COMMAND)
        if "ssl_check" in form:
            return Parsed("ssl_check")
        return None
    except (ValueError, UnicodeError, RecursionError):  # RecursionError: absurdly deep JSON
        return None


def _json(status: int, payload: dict[str, Any], *, kind: str = NO_KIND) -> Answer:
    return Answer(
        status, json.dumps(payload).encode("utf-8"), [("Content-Type", "application/json")], kind
    )
