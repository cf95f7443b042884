"""What a test scripts the Slack emulator to do: fail or delay the next calls of a method,
or answer 429 past Slack's rate limits. Mixed into ``SlackEmulator``; its request handling
takes the scripts and asks ``_over_rate_limit`` with the emulator's lock held.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sandbox.rate_limit import RateLimit


@dataclass
class Script:
    fail: bool
    status: int = 200
    error: str | None = None
    retry_after: int | None = None
    delay: float = 0.0


class Scripting:
    """The state is the emulator's (set in its __init__)."""

    _lock: threading.RLock
    _scripts: dict[str, deque[Script]]
    _rate_limit: RateLimit | None
    dm_channel_for: Callable[[str], str]  # the emulator's Web API methods have it

    def fail_next(
        self,
        method: str,
        *,
        times: int = 1,
        status: int = 200,
        error: str | None = None,
        retry_after: int | None = None,
        delay: float = 0.0,
    ) -> None:
        """429 -> ratelimited + Retry-After (default 1); other >= 400 -> plain-text body;
        200 -> {"ok": false, "error": error or "internal_error"}. delay: sleep first."""
        script = Script(True, status, error, retry_after, delay)
        with self._lock:
            self._scripts.setdefault(method, deque()).extend([script] * times)

    def enforce_rate_limit(
        self,
        *,
        per_channel: float | None = 1.0,
        channel_burst: int = 3,
        workspace: float | None = None,
        methods: tuple[str, ...] = ("chat.postMessage", "chat.update"),
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        """Answer like Slack's limiter: past the limit, HTTP 429 ``ratelimited`` with a
        Retry-After of whole seconds, nothing done, counted in ``rate_limited``.

        Token buckets, full at the start. ``workspace``: calls a second to ``methods``
        together, in bursts of up to one second's worth. ``per_channel``: posts a second to
        one channel (chat.postMessage only: Slack's per-channel rule is about posting), in
        bursts of up to ``channel_burst`` (Slack grants "generous burst behavior"). None
        switches a limit off; both None switch the limiter off. Rate-limited calls are
        recorded like any other.
        """
        limited = per_channel is not None or workspace is not None
        with self._lock:
            self._rate_limit = (
                RateLimit(per_channel, channel_burst, workspace, frozenset(methods), clock)
                if limited
                else None
            )

    def delay_next(self, method: str, seconds: float, *, times: int = 1) -> None:
        """The next `times` calls of method answer normally, but only after `seconds`."""
        script = Script(False, delay=seconds)
        with self._lock:
            self._scripts.setdefault(method, deque()).extend([script] * times)

    def _over_rate_limit(self, method: str, params: dict[str, Any]) -> float:
        """Seconds until this call would be within the enforced limits; 0 takes it. Called
        with the lock held."""
        limit = self._rate_limit
        if limit is None or not limit.counts(method):
            return 0.0
        given = str(params.get("channel") or "")
        channel = self.dm_channel_for(given) if given[:1] in ("U", "W") else given
        return limit.wait(method, channel)
