"""Waiting for something another thread or process does: ``eventually``, the one helper.

Tests wait on what happens, never for a fixed time; the timeout only stops a broken test
from hanging, and is generous so a slow machine never fails a correct one.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


def eventually(
    probe: Callable[[], T | None],
    *,
    what: str,
    timeout: float = 20,
    explain: Callable[[], str] = lambda: "",
    every: float = 0.02,
) -> T:
    """Poll ``probe`` until it returns something truthy, and return that; fail, saying
    ``what`` was awaited (and ``explain()``), after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        found = probe()
        if found:
            return found
        if time.monotonic() >= deadline:
            raise AssertionError(f"waited {timeout}s for {what}\n{explain()}")
        time.sleep(every)
