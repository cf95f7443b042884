"""Delivers the outbox to Slack, after the ack, with retries; in order for each recipient."""

from __future__ import annotations

import logging
import threading
import uuid
from datetime import timedelta

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError
from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session

from bot.domain.ports import Clock
from bot.observability.logs import log_context
from bot.observability.metrics import DeliveryCounters
from bot.slack.outbox.pacing import Pacer, PacingPolicy, rate_limited
from bot.slack.outbox.slack_calls import DeliveryFailed, SlackCalls
from storage import outbox
from storage.db import reading, unit_of_work
from storage.models import OutboxMessage
from storage.slack_cache import save_message

log = logging.getLogger(__name__)

# Errors that no retry will cure: park the message and say so in `steward check`.
PERMANENT_ERRORS = frozenset(
    {
        "channel_not_found",
        "user_not_found",
        "is_archived",
        "account_inactive",
        "not_in_channel",
        "invalid_blocks",
        "msg_too_long",
        "no_text",
        "message_not_found",
        "cant_update_message",
        "cannot_dm_bot",
        "user_disabled",
        "invalid_arguments",
        "missing_scope",  # the app lacks a scope: an operator must add it and reinstall
        "restricted_action",  # a workspace admin forbids it
        "not_allowed_token_type",
    }
)
# A message Slack keeps answering with an error is parked at its 20th failed attempt: the
# waits between tries double from 1 s to MAX_BACKOFF, so about an hour after the first. An
# outage (no answer, a 5xx) is not the message's fault: it is retried for as long as it lasts.
MAX_ATTEMPTS = 20
MAX_BACKOFF = timedelta(minutes=5)
# Longer than the slowest send: 3 tries of a 10 s timeout, with backoff, for each call.
LEASE = timedelta(minutes=10)
# Rest between passes, so that a busy request path (each change wakes delivery) is delivered
# in batches, a pass for many changes, instead of spending a pass (several queries) on each.
# The first change after a quiet spell still goes at once.
PASS_REST_SECONDS = 0.02


class Delivery:
    def __init__(
        self,
        *,
        engine: Engine,
        client: WebClient,
        clock: Clock,
        batch_size: int = 50,
        poll_seconds: float = 1.0,
        pacing: PacingPolicy | None = None,
        pace_clock: Clock | None = None,
    ) -> None:
        """``pace_clock`` times Slack's rate limits (real seconds; ``clock`` by default)."""
        self._engine = engine
        self._calls = SlackCalls(engine=engine, client=client, clock=clock)
        self._clock = clock
        self._batch_size = batch_size
        self._poll_seconds = poll_seconds
        self._wake = threading.Event()
        self._stop = threading.Event()
        # One pass at a time in this process (the loop, and callers such as the sandbox's
        # settling): a pass sends its heads in queue order, so two of them racing would
        # let a later message to one person overtake an earlier one to another.
        self._pass_lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._pacer = Pacer(policy=pacing or PacingPolicy(), clock=pace_clock or clock)
        self.counters = DeliveryCounters()  # the wiring hands in the app's, which is scraped

    # -- the background loop ------------------------------------------------------------
    def start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._loop, name="steward-delivery", daemon=True)
            self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None

    def wake(self) -> None:
        """Something was queued: deliver it now rather than at the next poll."""
        self._wake.set()

    def _loop(self) -> None:
        while not self._stop.is_set():
            self._wake.wait(self._pacer.wait_seconds(self._poll_seconds))
            self._wake.clear()
            try:
                while not self._stop.is_set() and self.deliver_due() > 0:
                    pass
            except Exception:  # the loop must outlive a broken pass; the next poll retries
                log.exception("delivery pass failed")
            self._stop.wait(PASS_REST_SECONDS)

    # -- one pass -----------------------------------------------------------------------
    def deliver_due(self) -> int:
        """Try every due message at the head of its recipient's queue once; how many were
        handled (sent, rescheduled, parked, or put back after a 429).

        Each message is claimed just before it is sent, under a lease longer than the
        slowest send (timeouts, retries), so a message later in the batch is never left
        claimed-but-waiting for another replica to take over. Pacing decides which heads
        may go (a channel that has had its posts for now waits its second; a kind of send
        Slack answered 429 waits out Retry-After), puts the messages that take the
        workspace budget first, and once the budget is spent only the others go on; the
        loop comes back when the next slot is due.
        """
        with self._pass_lock:
            return self._one_pass()

    def _one_pass(self) -> int:
        with reading(self._engine) as session:
            heads = self._pacer.due_heads(session, now=self._clock.now(), limit=self._batch_size)
        handled, spent = 0, False
        for head in heads:
            if spent and self._pacer.budgeted(head.kind):
                continue
            token = uuid.uuid4().hex
            with unit_of_work(self._engine) as session:
                claimed = self._claim(session, head, token)
            if claimed is None:
                spent = True
                continue
            if claimed:
                with log_context(delegation_id=head.delegation_id):
                    self._deliver_one(head, token)
                handled += 1
        return handled

    def _claim(self, session: Session, head: OutboxMessage, token: str) -> bool | None:
        """Claim ``head`` with a slot of the workspace budget: True, False when another
        worker has it, None when the budget is spent for now."""
        assert head.id is not None
        if self._pacer.holds(head.kind):  # a 429 earlier in this pass
            return False
        if not self._pacer.take_slot(session, message=head):
            return None
        claimed = outbox.claim(
            session, message_id=head.id, now=self._clock.now(), lease=LEASE, token=token
        )
        if not claimed:
            session.rollback()  # give the slot back
        return claimed

    def _deliver_one(self, message: OutboxMessage, token: str) -> None:
        assert message.id is not None
        try:
            landed = self._calls.send(message)
        except DeliveryFailed as failure:
            self._record_failure(message, token, failure)
        except SlackApiError as error:
            if (limited := rate_limited(error)) is not None:
                self._hold_off(message, token, *limited)
                return
            status = error.response.status_code
            reason = str(error.response.get("error") or f"http {status}")
            failure = DeliveryFailed(
                reason, permanent=reason in PERMANENT_ERRORS, outage=status >= 500
            )
            self._record_failure(message, token, failure)
        except (SlackClientError, OSError, SQLAlchemyError) as error:
            # the network, or our own database for a moment (a lookup, a race on a row):
            # worth another try, not a reason to drop the message
            failure = DeliveryFailed(repr(error), permanent=False, outage=True)
            self._record_failure(message, token, failure)
        except Exception as error:  # a message we cannot even attempt: park it, don't spin
            log.exception("outbox message %s could not be sent", message.id)
            self._record_failure(message, token, DeliveryFailed(repr(error), permanent=True))
        else:
            self.counters.sent(message.kind)
            with unit_of_work(self._engine) as session:
                recorded = outbox.mark_sent(
                    session,
                    message_id=message.id,
                    token=token,
                    now=self._clock.now(),
                    channel_due_at=self._pacer.landed(
                        session, recipient=message.recipient, kind=message.kind
                    ),
                )
                if landed is not None and message.message_key:
                    save_message(
                        session,
                        key=message.message_key,
                        channel_id=landed[0],
                        ts=landed[1],
                        delegation_id=message.delegation_id,
                    )
            if not recorded:
                log.warning("outbox message %s was sent after its claim lapsed", message.id)

    def _hold_off(self, message: OutboxMessage, token: str, method: str, seconds: float) -> None:
        """Slack answered 429: pause this kind of send on every replica for Retry-After and
        put the message back untried (no attempt counted; its turn is kept)."""
        assert message.id is not None
        self.counters.failed(message.kind, "ratelimited", parked=False)
        with unit_of_work(self._engine) as session:
            until = self._pacer.pause(session, kind=message.kind, seconds=seconds)
            outbox.release(
                session, message_id=message.id, token=token, error=f"ratelimited ({method})"
            )
        log.warning(
            "Slack rate-limited %s (outbox message %s): %s sends paused until %s",
            method,
            message.id,
            message.kind,
            until.isoformat(),
        )

    def _record_failure(self, message: OutboxMessage, token: str, failure: DeliveryFailed) -> None:
        """Park the message for good (Slack refused it so, or answered it with an error at
        its MAX_ATTEMPTS-th try or later: the recipient's queue moves on), or have it tried
        again after a backoff; the wait is in its row, so the delivery thread goes straight
        on to the next recipient."""
        assert message.id is not None
        attempt = message.attempts + 1
        give_up = failure.permanent or (not failure.outage and attempt >= MAX_ATTEMPTS)
        self.counters.failed(message.kind, failure.reason, parked=give_up)
        with unit_of_work(self._engine) as session:
            if give_up:
                error = failure.reason
                if not failure.permanent:
                    error += f" (given up after {attempt} attempts)"
                log.error(
                    "parked outbox message %s (%s to %s, delegation %s): %s",
                    message.id,
                    message.kind,
                    message.recipient,
                    message.delegation_id,
                    error,
                )
                outbox.park(session, message_id=message.id, token=token, error=error)
                return
            backoff = min(timedelta(seconds=2 ** min(message.attempts, 10)), MAX_BACKOFF)
            log.warning(
                "outbox message %s to %s failed (attempt %s), retrying in %s: %s",
                message.id,
                message.recipient,
                message.attempts + 1,
                backoff,
                failure.reason,
            )
            outbox.mark_failed(
                session,
                message_id=message.id,
                token=token,
                error=failure.reason,
                retry_at=self._clock.now() + backoff,
            )
