"""Waiting for the bot to be done: every message due now delivered, and its Slack calls
paused (a listener may still be working after its ack)."""

from __future__ import annotations

import time
from datetime import datetime

from sqlalchemy import func, select

from bot.app.wiring import Steward
from sandbox.emulator import SlackEmulator
from storage.db import unit_of_work
from storage.models import OutboxMessage
from storage.outbox import PENDING

SETTLE_TIMEOUT_SECONDS = 15.0
QUIET_SECONDS = 0.15
POLL_SECONDS = 0.02


def settle(
    steward: Steward,
    emulator: SlackEmulator,
    now: datetime,
    *,
    timeout: float = SETTLE_TIMEOUT_SECONDS,
    quiet: float = QUIET_SECONDS,
) -> bool:
    """True once nothing is due at ``now`` and the emulator heard no call for ``quiet``
    seconds; False after ``timeout``. Delivers here too, beside the delivery thread (claims
    keep each message to one sender)."""
    delivery = steward.runtime.delivery
    deadline = time.monotonic() + timeout
    calls, quiet_since = len(emulator.calls), time.monotonic()
    while time.monotonic() < deadline:
        while delivery.deliver_due():
            pass
        if len(emulator.calls) != calls:
            calls, quiet_since = len(emulator.calls), time.monotonic()
        if due_messages(steward, now) == 0 and time.monotonic() - quiet_since >= quiet:
            return True
        time.sleep(POLL_SECONDS)
    return False


def due_messages(steward: Steward, now: datetime) -> int:
    """Outbox messages due at ``now`` (a retry waits for the sandbox's clock to move, so it
    does not count)."""
    query = (
        select(func.count())
        .select_from(OutboxMessage)
        .where(OutboxMessage.status == PENDING)  # type: ignore[arg-type]
        .where(OutboxMessage.next_attempt_at <= now)  # type: ignore[arg-type]
    )
    with unit_of_work(steward.engine) as session:
        return int(session.execute(query).scalar_one())
