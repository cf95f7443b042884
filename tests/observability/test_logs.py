"""Every log line about a delegation carries its id: in delivery, in the scheduler's steps,
and in the listeners; printed as ``delegation=<id>`` or as a JSON field."""

from __future__ import annotations

import json
import logging
import subprocess
import sys
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from datetime import UTC, datetime
from types import SimpleNamespace

import pytest

from bot.app.jobs import run_steps
from bot.cli import main
from bot.observability.logs import (
    ContextExecutor,
    JsonFormatter,
    TextFormatter,
    bind_log_ids,
    current_context,
    install_record_factory,
    log_context,
)
from bot.slack.ids import ActionId
from tests.conftest import ALICE, BOB, Running
from tests.waiting import eventually


def _records_about(caplog: pytest.LogCaptureFixture, text: str) -> list[logging.LogRecord]:
    return [record for record in caplog.records if text in record.getMessage()]


def test_a_parked_message_is_logged_with_its_delegation(
    running: Running, caplog: pytest.LogCaptureFixture
) -> None:
    running.slack.add_channel_not_found(running.slack.dm_channel_for(ALICE))
    running.delegate(f"<@{ALICE}> Prepare the Q3 report")
    delegation_id = running.events()[0]["delegation_id"]
    [record] = eventually(
        lambda: _records_about(caplog, "parked outbox message"),
        what="the parked message logged",
        explain=running.slack.summary,
    )
    assert record.delegation_id == delegation_id
    assert f"delegation={delegation_id}:" in TextFormatter().format(record)


def test_a_refused_click_is_logged_with_the_delegation_on_the_button(
    running: Running, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="bot")
    running.delegate(f"<@{ALICE}> Prepare the Q3 report")
    _, value = running.offer_to(ALICE)
    running.click(BOB, ActionId.ACCEPT, value)  # not Bob's to accept
    [record] = eventually(
        lambda: _records_about(caplog, "refused block_actions"), what="the refusal logged"
    )
    assert record.delegation_id == int(value)
    line = json.loads(JsonFormatter().format(record))
    assert line["delegation_id"] == int(value)
    assert {"time", "level", "logger", "message"} <= set(line)


def test_a_failed_scheduled_step_is_logged_with_its_row_named_for_what_it_is(
    caplog: pytest.LogCaptureFixture,
) -> None:
    install_record_factory()

    @contextmanager
    def work(now: datetime | None = None) -> Iterator[SimpleNamespace]:
        yield SimpleNamespace(session=None, notifier=None)

    def broken(*_: object) -> bool:
        raise RuntimeError("boom")

    now = datetime(2026, 11, 23, 9, tzinfo=UTC)
    run_steps(work, broken, [(7, now)], now, "delegation_id")  # type: ignore[arg-type]
    run_steps(work, broken, [(8, now)], now, "checkin_id")  # type: ignore[arg-type]

    first, second = _records_about(caplog, "scheduled step failed")
    assert first.delegation_id == 7 and not hasattr(first, "checkin_id")
    assert second.checkin_id == 8 and not hasattr(second, "delegation_id")
    assert "checkin=8:" in TextFormatter().format(second)
    assert json.loads(JsonFormatter().format(second))["exception"].endswith("RuntimeError: boom")


def test_lines_about_no_item_carry_no_id() -> None:
    install_record_factory()
    record = logging.getLogger("bot.test").makeRecord(
        "bot.test", logging.INFO, __file__, 1, "plain %s", ("line",), None
    )
    assert "delegation" not in TextFormatter().format(record)
    assert "delegation_id" not in json.loads(JsonFormatter().format(record))
    with log_context(delegation_id=None):  # a message about no delegation passes its None
        assert current_context() == {}


def test_ids_bound_by_one_listener_never_reach_the_next() -> None:
    executor = ContextExecutor(ThreadPoolExecutor(max_workers=1))

    def bind_and_report(delegation_id: int) -> dict[str, int]:
        bind_log_ids(delegation_id=delegation_id)
        return dict(current_context())

    try:
        assert executor.submit(bind_and_report, 5).result() == {"delegation_id": 5}
        assert executor.submit(lambda: dict(current_context())).result() == {}
    finally:
        executor.shutdown()
    bind_log_ids(delegation_id=9)  # outside any context: nothing to bind to, nothing leaks
    assert current_context() == {}


_EMIT = """
import logging
from bot.observability.logs import configure_logging, log_context
configure_logging(level="INFO", log_format="{log_format}")
with log_context(delegation_id=42):
    logging.getLogger("bot.slack.outbox.delivery").warning("sent %s", "it")
logging.getLogger("bot.app.scheduler").info("tick")
"""


@pytest.mark.parametrize("log_format", ["json", "text"])
def test_log_format_selects_one_json_object_a_line_or_plain_text(log_format: str) -> None:
    done = subprocess.run(
        [sys.executable, "-c", _EMIT.format(log_format=log_format)],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    about, other = done.stderr.strip().splitlines()
    if log_format == "text":
        assert about.endswith(" WARNING bot.slack.outbox.delivery delegation=42: sent it")
        assert other.endswith(" INFO bot.app.scheduler: tick")
        return
    first, second = json.loads(about), json.loads(other)
    assert first["level"] == "WARNING" and first["logger"] == "bot.slack.outbox.delivery"
    assert first["message"] == "sent it" and first["delegation_id"] == 42
    assert datetime.fromisoformat(first["time"]).tzinfo is not None
    assert second["message"] == "tick" and "delegation_id" not in second


def test_an_unknown_log_format_is_one_clear_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("LOG_FORMAT", "xml")
    assert main(["db", "upgrade"]) == 2
    assert capsys.readouterr().err == "steward: LOG_FORMAT must be text or json\n"


_FORGE = """
import logging
from bot.observability.logs import configure_logging
configure_logging(level="INFO", log_format="{log_format}")
log = logging.getLogger("bot.slack.listeners.commands")
log.warning("could not read the due phrase %r in %s", "friday", {forged!r})
try:
    raise ValueError("bad\\nline")
except ValueError:
    log.exception("failed on %s", "a\\rb\\u2028c")
"""
FORGED = "x\n2026-12-04 09:00:00,000 ERROR bot.app.scheduler: forged\x1b[31m red\x85\x07"


@pytest.mark.parametrize("log_format", ["json", "text"])
def test_a_quoted_newline_cannot_forge_a_log_line(log_format: str) -> None:
    done = subprocess.run(
        [sys.executable, "-c", _FORGE.format(log_format=log_format, forged=FORGED)],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    lines = done.stderr.splitlines()
    if log_format == "json":  # the encoding escapes them: one object a record
        first, second = (json.loads(line) for line in lines)
        assert first["message"].endswith(repr("friday") + " in " + FORGED)
        assert second["message"] == "failed on a\rb\u2028c"
        assert second["exception"].endswith("ValueError: bad\nline")
        return
    warning, failure, *traceback = lines
    assert warning.endswith(
        " WARNING bot.slack.listeners.commands: could not read the due phrase 'friday' in "
        r"x\n2026-12-04 09:00:00,000 ERROR bot.app.scheduler: forged\x1b[31m red\x85\x07"
    )
    assert failure.endswith(r" ERROR bot.slack.listeners.commands: failed on a\rb\u2028c")
    assert traceback[0] == "Traceback (most recent call last):"  # left as Python writes it
    assert traceback[-2:] == ["ValueError: bad", "line"]


_TICKING = """
import threading
from apscheduler.schedulers.background import BackgroundScheduler
from bot.observability.logs import configure_logging
configure_logging(level="INFO", log_format="text")
ran = threading.Event()
scheduler = BackgroundScheduler()
scheduler.add_job(ran.set)
scheduler.start()
ran.wait(30)
scheduler.shutdown(wait=True)
"""


def test_a_scheduled_run_writes_no_line_of_its_own_at_info() -> None:
    done = subprocess.run(
        [sys.executable, "-c", _TICKING], capture_output=True, text=True, timeout=60, check=True
    )
    assert "Running job" not in done.stderr, done.stderr
    assert "executed successfully" not in done.stderr, done.stderr
