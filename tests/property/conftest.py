"""Fixtures for the property tests: the running app with its listener runs tracked."""

from __future__ import annotations

import pytest

from tests.conftest import Running
from tests.property.support import ListenerTracker


@pytest.fixture
def listeners(running: Running, monkeypatch: pytest.MonkeyPatch) -> ListenerTracker:
    """Bolt hands each acked listener run to this pool; the tracker lets a test wait for
    the work done after the HTTP answer (buttons ack first, then act)."""
    tracker = ListenerTracker(running.steward.listeners)
    monkeypatch.setattr(running.steward.listeners, "submit", tracker.submit)
    return tracker
