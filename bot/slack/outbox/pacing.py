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
- Each person's App Home: published at most once every ``home_gap``. A publish renders the
  Home as it is when it goes and stands for every refresh queued before it, so a burst of
  changes to someone's items (a lead handing out twenty tasks, a tick's check-ins) becomes
  one publish a gap instead of one per change: views.publish is Tier 4 (100+ a minute for
  the whole workspace), and nobody reads a Home faster. It uses the channels' schedule
  (``channel_due_at`` on the Home's own queue), with no burst.
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
from functools import cached_property

from slack_sdk.errors import SlackApiError
from sqlmodel import Session

from bot.domain.ports import Clock
from storage import outbox, pacing
from storage.models import OutboxMessage
from storage.outbox import HOME, POST, UPDATE

WORKSPACE = "workspace"
PAUSE = "pause:"  # + the kind of outbox message paused
BUDGETED = frozenset({POST, UPDATE})  # chat.postMessage and chat.update
SHORTEST_WAIT = 0.005  # seconds: never spin on a slot that is due "now"
UNPACED_PER_SECOND = 1_000_000.0


@dataclass(frozen=True)
class PacingPolicy:
    """``per_second``: the workspace-wide budget of posts and edits, all replicas together
    (600 a minute by default: Slack's "several hundred"). ``channel_gap``: the time between
    two posts to one channel, once ``channel_burst`` posts have gone at once. ``home_gap``:
    the least time between two publishes of one person's App Home."""

    per_second: float = 10.0
    channel_gap: timedelta = timedelta(seconds=1)
    channel_burst: int = 3
    home_gap: timedelta = timedelta(seconds=2)

    @classmethod
    def configured(cls, *, per_second: float, paced: bool) -> PacingPolicy:
        """The policy file's pacing; unpaced (no waits anywhere) when ``slack_pacing`` is
        false, for a server that has none of Slack's limits."""
        if paced:
            return cls(per_second=per_second)
        return cls(
            per_second=UNPACED_PER_SECOND,
            channel_gap=timedelta(0),
            channel_burst=1,
            home_gap=timedelta(0),
        )

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

    @cached_property
    def spacing(self) -> dict[str, tuple[timedelta, timedelta]]:
        """The kinds of send spaced out on their recipient's schedule: (gap between two
        sends, how far the schedule may run ahead of now before the next one waits)."""
        spaced = {POST: (self.channel_gap, self.channel_ahead)}
        if self.home_gap > timedelta(0):
            spaced[HOME] = (self.home_gap, timedelta(0))
        return spaced


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
        spacing = self.policy.spacing
        busy_after = {kind: pace_now + ahead for kind, (_gap, ahead) in spacing.items()}
        heads = outbox.due_heads(
            session, now=now, limit=limit, busy_after=busy_after, held_kinds=held
        )
        hints = list(paused.values())
        first = pacing.first_channel_due_after(session, after=pace_now)
        if first is not None:  # a recipient's schedule frees: a post's a burst ahead of it
            ahead = self.policy.channel_ahead
            hints.append(first if first <= pace_now + ahead else first - ahead)
        self._resume_at = min(hints, default=None)
        return sorted(heads, key=lambda head: not self.budgeted(head.kind))  # stable: by id

    def budgeted(self, kind: str) -> bool:
        """Whether sends of ``kind`` take a slot of the workspace budget."""
        return kind in BUDGETED

    def landed(self, session: Session, *, recipient: str, kind: str) -> datetime | None:
        """A send of ``kind`` to ``recipient`` just landed: when their next one may go
        (``channel_due_at``), or None for kinds not spaced out."""
        spaced = self.policy.spacing.get(kind)
        if spaced is None:
            return None
        now = self.now()
        due = pacing.channel_due(session, recipient=recipient)
        return max(due or now, now) + spaced[0]

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
