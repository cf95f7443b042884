"""Delivers the outbox to Slack, after the ack, with retries; in order for each recipient."""

from __future__ import annotations

import base64
import logging
import threading
import uuid
from datetime import timedelta

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.http_retry import ConnectionErrorRetryHandler
from slack_sdk.http_retry.builtin_handlers import ServerErrorRetryHandler
from slack_sdk.webhook import WebhookClient
from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session

from bot.domain.ports import Clock
from bot.logs import log_context
from bot.metrics import DeliveryCounters
from bot.slack.home import publish_home
from bot.slack.notifier import HOME, HOME_QUEUE, POST, RESPOND, UPDATE, UPLOAD
from bot.slack.pacing import Pacer, PacingPolicy, rate_limited
from storage import outbox
from storage.db import reading, unit_of_work
from storage.models import OutboxMessage
from storage.slack_cache import get_message, get_user, save_dm_channel, save_message

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
    }
)
MAX_BACKOFF = timedelta(minutes=5)
# Longer than the slowest send: 3 tries of a 10 s timeout, with backoff, for each call.
LEASE = timedelta(minutes=10)


def retry_handlers() -> list:  # type: ignore[type-arg]
    """slack_sdk's own handlers for 5xx and resets. Not its rate-limit handler: that one
    sleeps out Retry-After inside the one delivery thread, holding up every other recipient
    while the other replicas, none the wiser, keep sending. A 429 pauses the kind of send
    in the database instead (see ``bot.slack.pacing``)."""
    return [
        ConnectionErrorRetryHandler(max_retry_count=2),
        ServerErrorRetryHandler(max_retry_count=2),
    ]


class DeliveryFailed(Exception):
    def __init__(self, reason: str, *, permanent: bool) -> None:
        super().__init__(reason)
        self.reason = reason
        self.permanent = permanent


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
        self._client = client
        self._clock = clock
        self._batch_size = batch_size
        self._poll_seconds = poll_seconds
        self._wake = threading.Event()
        self._stop = threading.Event()
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
            landed = self._send(message)
        except DeliveryFailed as failure:
            self._record_failure(message, token, failure)
        except SlackApiError as error:
            if (limited := rate_limited(error)) is not None:
                self._hold_off(message, token, *limited)
                return
            reason = str(error.response.get("error") or f"http {error.response.status_code}")
            failure = DeliveryFailed(reason, permanent=reason in PERMANENT_ERRORS)
            self._record_failure(message, token, failure)
        except (SlackClientError, OSError, SQLAlchemyError) as error:
            # the network, or our own database for a moment (a lookup, a race on a row):
            # worth another try, not a reason to drop the message
            self._record_failure(message, token, DeliveryFailed(repr(error), permanent=False))
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
                    channel_due_at=(
                        self._pacer.landed(session, recipient=message.recipient)
                        if message.kind == POST
                        else None
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
        assert message.id is not None
        self.counters.failed(message.kind, failure.reason, parked=failure.permanent)
        with unit_of_work(self._engine) as session:
            if failure.permanent:
                log.error(
                    "parked outbox message %s (%s to %s, delegation %s): %s",
                    message.id,
                    message.kind,
                    message.recipient,
                    message.delegation_id,
                    failure.reason,
                )
                outbox.park(session, message_id=message.id, token=token, error=failure.reason)
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

    # -- the Slack calls ----------------------------------------------------------------
    def _send(self, message: OutboxMessage) -> tuple[str, str] | None:
        """Make the Slack call; where a new message landed (channel, ts), if it is one."""
        payload = message.payload
        if message.kind == POST:
            channel = self._channel_for(message.recipient)
            thread_key = payload.get("thread_key")
            thread = self._thread_ts(thread_key)
            response = self._client.chat_postMessage(
                channel=channel,
                text=payload["text"],
                blocks=payload.get("blocks"),
                thread_ts=thread,
                reply_broadcast=True if thread and payload.get("broadcast") else None,
            )
            landed = str(response["channel"]), str(response["ts"])
            if thread_key and thread is None:  # the first of an item's notices starts its thread
                with unit_of_work(self._engine) as session:
                    save_message(
                        session,
                        key=thread_key,
                        channel_id=landed[0],
                        ts=landed[1],
                        delegation_id=message.delegation_id,
                    )
            return landed
        if message.kind == UPDATE:
            with reading(self._engine) as session:
                posted = get_message(session, key=message.message_key or "")
            if posted is None:
                raise DeliveryFailed("the message to update was never posted", permanent=True)
            self._client.chat_update(
                channel=posted.channel_id,
                ts=posted.ts,
                text=payload["text"],
                blocks=payload.get("blocks"),
            )
            return None
        if message.kind == RESPOND:
            self._respond(payload)
            return None
        if message.kind == UPLOAD:
            self._upload(message.recipient, payload)
            return None
        if message.kind == HOME:  # rendered now, so it shows the latest state ...
            with unit_of_work(self._engine) as session:  # ... which the waiting ones wanted
                outbox.supersede(session, message=message, now=self._clock.now())
            publish_home(self._engine, self._client, message.recipient.removeprefix(HOME_QUEUE))
            return None
        raise DeliveryFailed(f"unknown outbox kind {message.kind!r}", permanent=True)

    def _thread_ts(self, thread_key: str | None) -> str | None:
        """The ts of the message a notice threads under, once that message is posted."""
        if not thread_key:
            return None
        with reading(self._engine) as session:
            root = get_message(session, key=thread_key)
        return root.ts if root is not None else None

    def _upload(self, channel: str, payload: dict) -> None:  # type: ignore[type-arg]
        """A file into the thread of a message posted earlier (slack_sdk's files_upload_v2)."""
        with reading(self._engine) as session:
            thread = get_message(session, key=payload["thread_key"])
        if thread is None:
            raise DeliveryFailed(
                "the message to attach the file to was never posted", permanent=True
            )
        try:
            self._client.files_upload_v2(
                channel=thread.channel_id,
                thread_ts=thread.ts,
                file=base64.b64decode(payload["png_base64"]),
                filename=payload["filename"],
                title=payload["title"],
            )
        except SlackApiError as error:
            if rate_limited(error) is not None:
                raise  # paused like any other 429, not parked
            # The chart is a bonus: whatever Slack refuses (missing_scope, file limits...),
            # park it rather than hold up the channel's next messages.
            reason = str(error.response.get("error") or "upload refused")
            raise DeliveryFailed(f"chart upload: {reason}", permanent=True) from error

    def _respond(self, payload: dict) -> None:  # type: ignore[type-arg]
        webhook = WebhookClient(
            payload["response_url"], timeout=10, retry_handlers=retry_handlers()
        )
        response = webhook.send(
            text=payload["text"], response_type="ephemeral", replace_original=False
        )
        if response.status_code == 404:  # response_url expired (30 min) or unknown
            raise DeliveryFailed("response_url expired", permanent=True)
        if response.status_code != 200:
            raise DeliveryFailed(f"response_url answered {response.status_code}", permanent=False)

    def _channel_for(self, recipient: str) -> str:
        """A user's DM channel (opened once and remembered); channel ids pass through."""
        if not recipient.startswith(("U", "W")):
            return recipient
        with reading(self._engine) as session:
            user = get_user(session, user_id=recipient)
            if user is not None and user.dm_channel_id:
                return user.dm_channel_id
        response = self._client.conversations_open(users=recipient)
        channel_id = str(response["channel"]["id"])
        with unit_of_work(self._engine) as session:
            save_dm_channel(
                session, user_id=recipient, channel_id=channel_id, now=self._clock.now()
            )
        return channel_id
