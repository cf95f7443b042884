"""The real clock. Only the wiring reads it; everything else is handed ``now``."""

from __future__ import annotations

from datetime import UTC, datetime


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)
