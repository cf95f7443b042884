"""Deliveries taken in once, whichever replica each copy reaches.

Slack re-sends an Events API request it thinks failed (``X-Slack-Retry-Num``): each
``event_id`` is processed once. A signed slash command or view submission sent again as it
was (a replay: Slack itself never re-sends those) is known by its signature and timestamp
and not processed again either.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Engine

from bot.domain.ports import Clock
from storage.db import unit_of_work
from storage.models import SeenEvent, SeenRequest
from storage.seen_events import SeenTable, forget, purge_seen, remember

# Slack retries three times within minutes; a day is far past the last one.
EVENTS_KEPT = timedelta(days=1)
# The signature check takes a timestamp up to 5 minutes off either way; twice that covers
# the window and replicas whose clocks are a few minutes apart.
REQUESTS_KEPT = timedelta(minutes=10)
PURGE_EVERY = timedelta(hours=1)  # at most; what is kept less long, as often as it is kept
RETRY_REASONS = frozenset({"http_timeout", "too_many_connections", "http_error", "unknown_error"})


@dataclass(frozen=True)
class Delivery:
    """What makes a request the same one again: an event's ``event_id``, or a signed
    request's signature and timestamp."""

    key: str
    is_event: bool

    @classmethod
    def event(cls, event_id: str) -> Delivery:
        return cls(event_id[:64], is_event=True)

    @classmethod
    def signed(cls, headers: Mapping[str, str]) -> Delivery:
        """Of a request whose signature was checked (so both headers are Slack's)."""
        signature = headers.get("x-slack-signature", "")
        timestamp = headers.get("x-slack-request-timestamp", "")
        return cls(f"{signature}@{timestamp}"[:96], is_event=False)


class SeenOnce:
    """Keys of one table taken in before; each forgotten ``kept`` after it was seen."""

    def __init__(self, *, engine: Engine, clock: Clock, table: SeenTable, kept: timedelta) -> None:
        self._engine = engine
        self._clock = clock
        self._table = table
        self._kept = kept
        self._purge_every = min(kept, PURGE_EVERY)
        self._lock = threading.Lock()
        self._purged_at: datetime | None = None

    def first(self, key: str) -> bool:
        """Record ``key``; True when it was not taken in before, here or elsewhere."""
        now = self._clock.now()
        with unit_of_work(self._engine) as session:
            first = remember(session, table=self._table, key=key, now=now)
            if self._purge_due(now):
                purge_seen(session, table=self._table, seen_before=now - self._kept)
        return first

    def forget(self, key: str) -> None:
        with unit_of_work(self._engine) as session:
            forget(session, table=self._table, key=key)

    def _purge_due(self, now: datetime) -> bool:
        with self._lock:
            if self._purged_at is not None and now - self._purged_at < self._purge_every:
                return False
            self._purged_at = now
            return True


class SeenEvents:
    """Events and signed requests taken in before, in the database (every replica)."""

    def __init__(self, *, engine: Engine, clock: Clock) -> None:
        self._events = SeenOnce(engine=engine, clock=clock, table=SeenEvent, kept=EVENTS_KEPT)
        self._requests = SeenOnce(engine=engine, clock=clock, table=SeenRequest, kept=REQUESTS_KEPT)

    def first_delivery(self, delivery: Delivery) -> bool:
        """Record ``delivery``; True when no copy of it was taken in before."""
        return self._of(delivery).first(delivery.key)

    def failed(self, delivery: Delivery) -> None:
        """Processing this delivery failed: let a copy of it through."""
        self._of(delivery).forget(delivery.key)

    def _of(self, delivery: Delivery) -> SeenOnce:
        return self._events if delivery.is_event else self._requests


def retry_reason(header: str | None) -> str:
    """X-Slack-Retry-Reason as a bounded label."""
    if not header:
        return "none"
    return header if header in RETRY_REASONS else "other"
