"""What the property tests share: settings, row counts, waiting for listeners, and the checks
on everything a person could see (tracebacks, unescaped mentions)."""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor, wait
from typing import Any

from hypothesis import HealthCheck, Phase, settings
from sqlalchemy import Engine, text
from sqlmodel import Session, select

from sandbox.emulator import SlackEmulator
from storage.models import OutboxMessage

# Examples against the running app: one app serves every example of a test, so the
# function-scoped fixtures are shared on purpose. Derandomized: the same examples every run.
# No shrinking: over HTTP it can take minutes; a failure prints the example as drawn.
HTTP_SETTINGS = settings(
    phases=[Phase.explicit, Phase.reuse, Phase.generate],
    max_examples=60,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
    ],
)
PURE_SETTINGS = settings(
    max_examples=400,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

TABLES = ("delegations", "events", "checkins", "escalations")

# What Python shows when an exception escapes: none of it may ever reach a person.
_LEAKS = re.compile(
    r"Traceback \(most recent call last\)|File \"[^\"]*\", line \d+|"
    r"\b(?:Key|Type|Attribute|Value|Index|Overflow|Recursion|Unicode\w*|Runtime|Lookup|"
    r"Assertion|ZeroDivision|Name|Operational|Integrity|Data|Programming)Error\b|"
    r"\bsqlalchemy\b|\bpsycopg\b|\bsqlite3\b|\bBadInput\(|\bNotFound\(|\bNotAllowed\("
)


def row_counts(engine: Engine) -> dict[str, int]:
    with engine.connect() as connection:
        return {
            table: int(connection.execute(text(f"SELECT count(*) FROM {table}")).scalar_one())
            for table in TABLES
        }


def assert_no_leak(shown: str) -> None:
    """``shown`` (something a person sees) carries no traceback or exception text."""
    leak = _LEAKS.search(shown)
    assert leak is None, f"exception text shown to a person: {leak.group(0)!r} in {shown[:500]!r}"


def private_replies(engine: Engine) -> list[str]:
    """The text of every private reply queued for a response_url, sent or not yet."""
    with Session(engine) as session:
        messages = session.exec(select(OutboxMessage).where(OutboxMessage.kind == "respond"))
        return [str(message.payload.get("text", "")) for message in messages]


class ListenerTracker:
    """Remembers every listener run handed to the app's pool, so a test can wait until the
    work acked for a request (which runs after the HTTP answer) has finished."""

    def __init__(self, executor: ThreadPoolExecutor) -> None:
        self._futures: list[Future[Any]] = []
        self._lock = threading.Lock()
        self._submit = executor.submit

        def submit(fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
            future = self._submit(fn, *args, **kwargs)
            with self._lock:
                self._futures.append(future)
            return future

        self.submit = submit

    def settle(self, timeout: float = 10.0) -> None:
        with self._lock:
            pending, self._futures = self._futures, []
        _, not_done = wait(pending, timeout=timeout)
        assert not not_done, f"{len(not_done)} listener(s) still running after {timeout}s"


# ----- what Slack would parse for mentions -----------------------------------------------------


def mrkdwn_strings(message: dict[str, Any]) -> Iterator[str]:
    """Every string in ``message`` that Slack parses as mrkdwn: the top-level ``text``
    fallback (used for notifications) and every text object that is not plain_text."""
    top = message.get("text")
    if isinstance(top, str):
        yield top
    for key in ("blocks", "view"):
        yield from _mrkdwn_in(message.get(key))


def _mrkdwn_in(node: Any) -> Iterator[str]:
    if isinstance(node, list):
        for item in node:
            yield from _mrkdwn_in(item)
    elif isinstance(node, dict):
        if node.get("type") == "mrkdwn" and isinstance(node.get("text"), str):
            yield node["text"]
            return
        if node.get("type") == "plain_text":
            return  # never parsed for mentions
        for value in node.values():
            yield from _mrkdwn_in(value)


_ENTITY = re.compile(r"&(?!amp;|lt;|gt;)")


def assert_no_special_mention(shown: str, *, allowed_mentions: set[str]) -> None:
    """In mrkdwn, every ``<`` opens a control sequence: the only ones allowed are real
    mentions of people Steward itself resolved. A bare ``&`` is never sent either."""
    for match in re.finditer("<", shown):
        end = shown.find(">", match.start())
        token = shown[match.start() : end + 1] if end != -1 else shown[match.start() :]
        assert token in {f"<@{user}>" for user in allowed_mentions}, (
            f"unescaped control sequence {token!r} in {shown[:600]!r}"
        )
    bare = _ENTITY.search(shown)
    assert bare is None, f"unescaped '&' at {bare.start()} in {shown[:600]!r}"


def sent_messages(slack: SlackEmulator) -> list[dict[str, Any]]:
    """Everything the bot asked Slack to show: posts, updates, ephemerals, modals and
    response_url replies, as the double recorded them."""
    shown: list[dict[str, Any]] = []
    for call in list(slack.calls):
        if call.method in ("chat.postMessage", "chat.update", "chat.postEphemeral"):
            shown.append(call.params)
        elif call.method in ("views.open", "views.push", "views.update", "views.publish"):
            view = call.params.get("view")
            shown.append({"view": view if isinstance(view, dict) else {}})
    shown.extend(list(slack.responses))
    return shown
