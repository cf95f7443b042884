"""The emulator's rate limiter: Slack's limits on posting, as token buckets, so that
delivery's pacing can be tested against a server that answers 429 as Slack does."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass
class Bucket:
    """A token bucket: ``rate`` tokens a second, holding at most ``capacity``; full at first."""

    rate: float
    capacity: float
    at: float
    tokens: float = field(init=False)

    def __post_init__(self) -> None:
        self.tokens = self.capacity

    def wait(self, now: float) -> float:
        """Seconds until a token is here (0: one is), after refilling to ``now``."""
        self.tokens = min(self.capacity, self.tokens + (now - self.at) * self.rate)
        self.at = now
        return 0.0 if self.tokens >= 1 else (1 - self.tokens) / self.rate


@dataclass
class RateLimit:
    """``workspace``: calls a second to ``methods`` together, in bursts of up to one
    second's worth; ``per_channel``: chat.postMessage calls a second to one channel, in
    bursts of up to ``channel_burst``. None switches that limit off."""

    per_channel: float | None
    channel_burst: int
    workspace: float | None
    methods: frozenset[str]
    clock: Callable[[], float]
    channels: dict[str, Bucket] = field(default_factory=dict)
    overall: Bucket | None = None

    def counts(self, method: str) -> bool:
        return method in self.methods

    def wait(self, method: str, channel: str) -> float:
        """Seconds until a call of ``method`` to ``channel`` is within the limits; 0 takes
        it (one token from each bucket it counts against)."""
        now = self.clock()
        buckets = []
        if self.workspace is not None:
            self.overall = self.overall or Bucket(self.workspace, max(self.workspace, 1), now)
            buckets.append(self.overall)
        if self.per_channel is not None and method == "chat.postMessage":
            bucket = self.channels.setdefault(
                channel, Bucket(self.per_channel, max(self.channel_burst, 1), now)
            )
            buckets.append(bucket)
        wait = max((bucket.wait(now) for bucket in buckets), default=0.0)
        if wait == 0:
            for bucket in buckets:
                bucket.tokens -= 1
        return wait
