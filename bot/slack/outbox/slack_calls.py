"""The Slack calls that deliver one outbox message: post (into the item's thread when it
has one), edit, private reply, file upload, App Home publish. Failures come out as
``DeliveryFailed`` (or slack_sdk's errors) for the delivery loop to retry or park."""

from __future__ import annotations

import base64

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry import ConnectionErrorRetryHandler
from slack_sdk.http_retry.builtin_handlers import ServerErrorRetryHandler
from slack_sdk.webhook import WebhookClient
from sqlalchemy import Engine

from bot.domain.ports import Clock
from bot.slack.home import publish_home
from bot.slack.outbox.pacing import rate_limited
from storage import outbox
from storage.db import reading, unit_of_work
from storage.models import OutboxMessage
from storage.outbox import HOME, HOME_QUEUE, POST, RESPOND, UPDATE, UPLOAD
from storage.slack_cache import get_message, get_user, save_dm_channel, save_message


def retry_handlers() -> list:  # type: ignore[type-arg]
    """slack_sdk's own handlers for 5xx and resets. Not its rate-limit handler: that one
    sleeps out Retry-After inside the one delivery thread, holding up every other recipient
    while the other replicas, none the wiser, keep sending. A 429 pauses the kind of send
    in the database instead (see ``bot.slack.outbox.pacing``)."""
    return [
        ConnectionErrorRetryHandler(max_retry_count=2),
        ServerErrorRetryHandler(max_retry_count=2),
    ]


class DeliveryFailed(Exception):
    def __init__(self, reason: str, *, permanent: bool) -> None:
        super().__init__(reason)
        self.reason = reason
        self.permanent = permanent


class SlackCalls:
    def __init__(self, *, engine: Engine, client: WebClient, clock: Clock) -> None:
        self._engine = engine
        self._client = client
        self._clock = clock
        self._dm_channels: dict[str, str] = {}  # a person's DM with the bot never changes

    def send(self, message: OutboxMessage) -> tuple[str, str] | None:
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
        """A user's DM channel (opened once, remembered in the database and here); channel
        ids pass through."""
        if not recipient.startswith(("U", "W")):
            return recipient
        if recipient in self._dm_channels:
            return self._dm_channels[recipient]
        with reading(self._engine) as session:
            user = get_user(session, user_id=recipient)
            if user is not None and user.dm_channel_id:
                self._dm_channels[recipient] = user.dm_channel_id
                return user.dm_channel_id
        response = self._client.conversations_open(users=recipient)
        channel_id = str(response["channel"]["id"])
        with unit_of_work(self._engine) as session:
            save_dm_channel(session, user_id=recipient, channel_id=channel_id)
        self._dm_channels[recipient] = channel_id
        return channel_id
