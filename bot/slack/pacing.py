"""Pacing outbox delivery to Slack's rate limits, instead of sending flat out and collecting
429s. Slack: chat.postMessage "will generally allow an app to post 1 message per second to a
specific channel", the workspace is limited to "several hundred messages per minute", and
"generous burst behavior is also granted". Every rule lives in the database, so it holds
across replicas:

- Each channel: posts a second apart, after a short burst (``channel_burst``) following a
  quiet spell. Each post that lands stamps its channel's schedule on its outbox row
  (``channel_due_at``, a GCRA theoretical arrival time); a recipient's next post waits for
  it. It is measured from when the last post landed, so it holds on Slack's side too.
- A workspace-wide budget for messages, posts and edits together: evenly spaced slots,
  ``per_second`` of them a second, after a burst of up to half a second's worth (one
  ``delivery_pace`` row that replicas take slots from in turn), and never more than
  ``per_second`` in any one second (counted from the slots sends took, ``outbox.slot_at``).
  Other calls (uploads, App Home, response_url) are rare or rated by Slack apart; a 429
  reins them in.
- A 429 pauses that kind of send (posts, edits, uploads...) on every replica for as long as
  its Retry-After says; the message goes back untried. Nothing sleeps in the delivery
  thread, so other kinds of send carry on.

Pacing runs on its own clock: real time, even under a test's fake domain clock, because
Slack counts real seconds.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from slack_sdk.errors import SlackApiError
from sqlmodel import Session

from bot.domain.ports import Clock
from bot.slack.notifier import POST, UPDATE
from storage import outbox, pacing
from storage.models import OutboxMessage

WORKSPACE = "workspace"
PAUSE = "pause:"  # + the kind of outbox message paused
BUDGETED = frozenset({POST, UPDATE})  # chat.postMessage and chat.update
SHORTEST_WAIT = 0.005  # seconds: never spin on a slot that is due "now"
UNPACED_PER_SECOND = 1_000_000.0


@dataclass(frozen=True)
class PacingPolicy:
    """``per_second``: the workspace-wide budget of posts and edits, all replicas together
    (600 a minute by default: Slack's "several hundred"). ``channel_gap``: the time between
    two posts to one channel, once ``channel_burst`` posts have gone at once."""

    per_second: float = 10.0
    channel_gap: timedelta = timedelta(seconds=1)
    channel_burst: int = 3

    @classmethod
    def configured(cls, *, per_second: float, paced: bool) -> PacingPolicy:
        """The policy file's pacing; unpaced (no waits anywhere) when ``slack_pacing`` is
        false, for a server that has none of Slack's limits."""
        if paced:
            return cls(per_second=per_second)
        return cls(per_second=UNPACED_PER_SECOND, channel_gap=timedelta(0), channel_burst=1)

    @property
    def interval(self) -> timedelta:
        return timedelta(seconds=1 / self.per_second)

    @property
    def burst(self) -> int:
        """Slots taken at once after a quiet spell: half a second's budget, so a pass sends
        several messages per query, yet stays well inside a bucket of one second's worth
        whatever the network's jitter."""
        return max(1, int(self.per_second / 2))

    @property
    def most_a_second(self) -> int:
        return max(1, int(self.per_second))

    @property
    def channel_ahead(self) -> timedelta:
        """How far a channel's schedule may run ahead of now (a burst) before it waits."""
        return self.channel_gap * (self.channel_burst - 1)


class Pacer:
    """One delivery worker's view of the shared pacing; remembers when it is worth looking
    again after a pass that something held back."""

    def __init__(self, *, policy: PacingPolicy, clock: Clock) -> None:
        self.policy = policy
        self._clock = clock
        self._resume_at: datetime | None = None
        self._held: set[str] = set()  # kinds paused, as of this worker's pass

    def now(self) -> datetime:
        return self._clock.now()

    def due_heads(self, session: Session, *, now: datetime, limit: int) -> list[OutboxMessage]:
        """The heads that pacing lets go now (``now`` is the domain clock's, for due times):
        those that take the workspace budget first, so that the budget is used in full
        while slower sends without one (App Home publishes...) fill the time in between."""
        pace_now = self.now()
        paused = pacing.pauses(session, prefix=PAUSE, now=pace_now)
        held = self._held = {key.removeprefix(PAUSE) for key in paused}
        busy_after = pace_now + self.policy.channel_ahead
        heads = outbox.due_heads(
            session,
            now=now,
            limit=limit,
            channel_kind=POST,
            channel_busy_after=busy_after,
            held_kinds=held,
        )
        first = pacing.first_channel_due_after(session, after=busy_after)
        hints = [*paused.values(), *([first - self.policy.channel_ahead] if first else [])]
        self._resume_at = min(hints, default=None)
        return sorted(heads, key=lambda head: not self.budgeted(head.kind))  # stable: by id

    def budgeted(self, kind: str) -> bool:
        """Whether sends of ``kind`` take a slot of the workspace budget."""
        return kind in BUDGETED

    def landed(self, session: Session, *, recipient: str) -> datetime:
        """A post to ``recipient`` just landed: their channel's next slot (``channel_due_at``)."""
        now = self.now()
        due = pacing.channel_due(session, recipient=recipient)
        return max(due or now, now) + self.policy.channel_gap

    def holds(self, kind: str) -> bool:
        """Whether sends of ``kind`` are paused (a 429 earlier in this pass counts)."""
        return kind in self._held

    def take_slot(self, session: Session, *, message: OutboxMessage) -> bool:
        """A slot of the workspace budget for ``message`` (posts and edits; other kinds
        need none); False when the budget is spent for now."""
        if not self.budgeted(message.kind):
            return True
        assert message.id is not None
        free_at = pacing.take_slot(
            session,
            key=WORKSPACE,
            message_id=message.id,
            now=self.now(),
            interval=self.policy.interval,
            burst=self.policy.burst,
            most=self.policy.most_a_second,
            window=timedelta(seconds=1),
        )
        if free_at is None:
            return True
        self._resume_at = min(free_at, self._resume_at or free_at)
        return False

    def pause(self, session: Session, *, kind: str, seconds: float) -> datetime:
        """Slack said 429 to a send of ``kind``: hold that kind on every replica; when the
        pause ends."""
        now = self.now()
        until = pacing.pause(
            session, key=PAUSE + kind, until=now + timedelta(seconds=seconds), now=now
        )
        self._resume_at = min(until, self._resume_at or until)
        self._held.add(kind)
        return until

    def wait_seconds(self, poll: float) -> float:
        """How long the delivery loop may sleep: until pacing next lets something go, at
        most ``poll``."""
        if self._resume_at is None:
            return poll
        ahead = (self._resume_at - self.now()).total_seconds()
        return min(poll, max(SHORTEST_WAIT, ahead))


def rate_limited(error: SlackApiError) -> tuple[str, float] | None:
    """(method, Retry-After seconds) when Slack answered 429, else None."""
    if error.response.status_code != 429:
        return None
    method = str(error.response.api_url).rstrip("/").rsplit("/", 1)[-1]
    return method, _retry_after(error.response.headers)


def _retry_after(headers: object) -> float:
    value: object = None
    if isinstance(headers, dict):
        value = next((v for k, v in headers.items() if k.lower() == "retry-after"), None)
    if isinstance(value, list):
        value = value[0] if value else None
    try:
        seconds = float(str(value))
    except ValueError:
        return 1.0
    return max(1.0, seconds) if math.isfinite(seconds) else 1.0
