"""Slack re-sends an Events API request it thinks failed (``X-Slack-Retry-Num``); each
``event_id`` is processed once, whichever replica each delivery reaches."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta

from sqlalchemy import Engine

from bot.domain.ports import Clock
from storage.db import unit_of_work
from storage.seen_events import forget_event, purge_seen_events, remember_event

# Slack retries three times within minutes; a day is far past the last one.
KEPT = timedelta(days=1)
PURGE_EVERY = timedelta(hours=1)
RETRY_REASONS = frozenset({"http_timeout", "too_many_connections", "http_error", "unknown_error"})


class SeenEvents:
    def __init__(self, *, engine: Engine, clock: Clock) -> None:
        self._engine = engine
        self._clock = clock
        self._lock = threading.Lock()
        self._purged_at: datetime | None = None

    def first_delivery(self, event_id: str) -> bool:
        """Record ``event_id``; True when no delivery of it was taken in before."""
        now = self._clock.now()
        with unit_of_work(self._engine) as session:
            first = remember_event(session, event_id=event_id[:64], now=now)
            if self._purge_due(now):
                purge_seen_events(session, seen_before=now - KEPT)
        return first

    def failed(self, event_id: str) -> None:
        """Processing this delivery failed: let Slack's retry of it through."""
        with unit_of_work(self._engine) as session:
            forget_event(session, event_id=event_id[:64])

    def _purge_due(self, now: datetime) -> bool:
        with self._lock:
            if self._purged_at is not None and now - self._purged_at < PURGE_EVERY:
                return False
            self._purged_at = now
            return True


def retry_reason(header: str | None) -> str:
    """X-Slack-Retry-Reason as a bounded label."""
    if not header:
        return "none"
    return header if header in RETRY_REASONS else "other"
