"""Log lines that say which item they are about, in plain text or one JSON object a line.

Code that works on one item opens ``with log_context(delegation_id=...)`` once; every
record made inside it, in that thread, carries the ids as attributes (``record.delegation_id``
and friends, and all of them in ``record.log_context``). The ids travel in a contextvar and
are put on records by a record factory, so every handler sees them, pytest's ``caplog``
included. Don't pass these names in ``extra=``: logging refuses to overwrite them.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import Executor, Future
from contextlib import contextmanager
from contextvars import ContextVar, copy_context
from datetime import UTC, datetime
from types import MappingProxyType
from typing import Any, TypeVar

# The ids a log line may be about, and how the plain-text format names each.
KNOWN_IDS = {"delegation_id": "delegation", "checkin_id": "checkin", "escalation_id": "escalation"}
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s%(context)s: %(message)s"

# What a text line must not carry raw: C0 and C1 controls (newlines, ESC, which starts an
# ANSI sequence), DEL, and the Unicode line and paragraph separators.
_CONTROLS = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}

T = TypeVar("T")
_EMPTY: Mapping[str, int] = MappingProxyType({})
_current: ContextVar[Mapping[str, int]] = ContextVar("steward_log_context", default=_EMPTY)
_installed = False


@contextmanager
def log_context(**ids: int | None) -> Iterator[None]:
    """Every record logged inside the block, in this thread, carries these ids (None ones
    are left out, so a message about no delegation can pass its ``None`` as it is)."""
    _check(ids)
    token = _current.set(MappingProxyType({**_current.get(), **_known(ids)}))
    try:
        yield
    finally:
        _current.reset(token)


def bind_log_ids(**ids: int | None) -> None:
    """Add ids to the innermost open ``log_context`` (until it closes), for code that learns
    them midway, like a listener parsing a button. Outside any context it does nothing, so
    nothing leaks into the next task of a pooled thread."""
    current = _current.get()
    if current is _EMPTY:
        return
    _check(ids)
    _current.set(MappingProxyType({**current, **_known(ids)}))


def current_context() -> Mapping[str, int]:
    return _current.get()


def _check(ids: Mapping[str, object]) -> None:
    unknown = set(ids) - set(KNOWN_IDS)
    if unknown:
        raise ValueError(f"unknown log context ids: {sorted(unknown)}")


def _known(ids: Mapping[str, int | None]) -> dict[str, int]:
    return {name: value for name, value in ids.items() if value is not None}


class ContextExecutor(Executor):
    """Runs each task in a copy of the submitter's context, inside a fresh ``log_context``:
    ids bound by one task (a Bolt listener, and Bolt's error handler after it) are seen by
    all its log lines and never by the next task on that thread."""

    def __init__(self, inner: Executor) -> None:
        self._inner = inner

    def submit(self, fn: Callable[..., T], /, *args: Any, **kwargs: Any) -> Future[T]:
        return self._inner.submit(copy_context().run, _scoped, fn, *args, **kwargs)

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        self._inner.shutdown(wait=wait, cancel_futures=cancel_futures)


def _scoped(fn: Callable[..., T], /, *args: Any, **kwargs: Any) -> T:
    with log_context():
        return fn(*args, **kwargs)


def install_record_factory() -> None:
    """Make every LogRecord carry the current ids. Idempotent; safe to call from anywhere
    a Steward is assembled."""
    global _installed
    if _installed:
        return
    previous = logging.getLogRecordFactory()

    def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = previous(*args, **kwargs)
        ids = _current.get()
        record.log_context = ids
        for name, value in ids.items():
            setattr(record, name, value)
        return record

    logging.setLogRecordFactory(factory)
    _installed = True


def _ids(record: logging.LogRecord) -> Mapping[str, int]:
    ids = getattr(record, "log_context", None)
    return ids if isinstance(ids, Mapping) else _EMPTY


def escape_controls(text: str) -> str:
    """``text`` on one line: each control character written as Python would (``\\n``,
    ``\\x1b``, ``\\u2028``), so quoted user text can neither start a forged record nor
    colour a terminal."""
    return _CONTROLS.sub(lambda found: _escaped(found.group()), text)


def _escaped(character: str) -> str:
    code = ord(character)
    return _NAMED.get(character) or (f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}")


class TextFormatter(logging.Formatter):
    """The classic line, with `` delegation=12`` after the logger name when known. The line
    itself never holds a raw control character (see ``escape_controls``); a traceback
    follows it on lines of its own, as Python writes it."""

    def __init__(self) -> None:
        super().__init__(TEXT_FORMAT)

    def format(self, record: logging.LogRecord) -> str:
        ids = _ids(record)
        record.context = "".join(f" {KNOWN_IDS[name]}={value}" for name, value in ids.items())
        return super().format(record)

    def formatMessage(self, record: logging.LogRecord) -> str:
        return escape_controls(super().formatMessage(record))


class JsonFormatter(logging.Formatter):
    """One JSON object a line: time, level, logger, message, the ids when known, and the
    traceback as ``exception`` when there is one."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            **_ids(record),
        }
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        elif record.stack_info:
            line["stack"] = self.formatStack(record.stack_info)
        return json.dumps(line, default=str)


def configure_logging(*, level: str = "INFO", log_format: str = "text") -> None:
    """The process's logging: ``log_format`` is ``text`` (default) or ``json``."""
    install_record_factory()
    handler = logging.StreamHandler()
    handler.setFormatter(JsonFormatter() if log_format == "json" else TextFormatter())
    # A no-op when the root logger has handlers already (as under pytest), like before.
    logging.basicConfig(level=level.upper(), handlers=[handler])
    logging.getLogger("alembic").setLevel(logging.WARNING)
    # APScheduler says "Running job" and "executed successfully" at INFO on every tick (every
    # second in tests); a tick logs itself, and only when it did something (bot/app/jobs.py).
    logging.getLogger("apscheduler.executors").setLevel(logging.WARNING)
