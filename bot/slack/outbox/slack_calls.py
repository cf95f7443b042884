"""The Slack calls that deliver one outbox message: post (into the item's thread when it
has one), edit, private reply, file upload, App Home publish. Failures come out as
``DeliveryFailed`` (or slack_sdk's errors) for the delivery loop to retry or park."""

from __future__ import annotations

import base64
import logging
from datetime import timedelta
from urllib.parse import urlsplit

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.webhook import WebhookClient
from sqlalchemy import Engine

from bot.domain.ports import Clock
from bot.observability.metrics import SLACK_CODE
from bot.slack.home import publish_home
from bot.slack.outbox.pacing import rate_limited
from storage import outbox
from storage.db import reading, unit_of_work
from storage.models import OutboxMessage
from storage.outbox import HOME, HOME_QUEUE, POST, RESPOND, UPDATE, UPLOAD
from storage.slack_cache import get_message, get_user, save_dm_channel, save_message

log = logging.getLogger(__name__)

# Slack takes a response_url's posts for 30 minutes; a private reply still waiting after
# that is given up on without trying.
RESPONSE_URL_LIFETIME = timedelta(minutes=30)
RESPONSE_URL_EXPIRED = "response_url expired"
NOT_SLACK = "response_url_not_slack"  # not one of Slack's hosts: never POSTed


def retry_handlers() -> list:  # type: ignore[type-arg]
    """None of slack_sdk's: each sleeps between its tries inside the one delivery thread
    (its 5xx and reset handlers about 2.5 s for two tries, its rate-limit handler all of
    Retry-After), holding up every other recipient. A failed send is tried again later from
    its row instead (``next_attempt_at``, see ``bot.slack.outbox.delivery``), and a 429
    pauses that kind of send in the database (``bot.slack.outbox.pacing``)."""
    return []


def is_slack_response_url(url: str, *, api_url: str) -> bool:
    """Whether a payload's ``response_url`` may be POSTed to: https to Slack's own hosts
    (hooks.slack.com and the rest of slack.com), or the host of ``SLACK_API_URL`` (the
    sandbox's emulator, the tests'). Anything else came from somewhere Slack does not."""
    try:
        given, api = urlsplit(url), urlsplit(api_url)
        port, api_port = given.port, api.port
    except ValueError:  # a port that is not a number
        return False
    if given.username is not None:  # https://hooks.slack.com@elsewhere/ goes elsewhere
        return False
    host = given.hostname or ""
    slack = host == "slack.com" or host.endswith(".slack.com")
    if given.scheme == "https" and port in (None, 443) and slack:
        return True
    return (given.scheme, host, port) == (api.scheme, api.hostname, api_port)


class DeliveryFailed(Exception):
    """A send that failed. ``permanent``: no retry will cure it. ``outage``: Slack did not
    answer about this message (no connection, a 5xx, our own database for a moment), so the
    attempt says nothing against the message and does not count towards giving up on it."""

    def __init__(self, reason: str, *, permanent: bool, outage: bool = False) -> None:
        super().__init__(reason)
        self.reason = reason
        self.permanent = permanent
        self.outage = outage


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
            if self._clock.now() - message.created_at > RESPONSE_URL_LIFETIME:
                raise DeliveryFailed(RESPONSE_URL_EXPIRED, permanent=True)
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
        url = str(payload["response_url"])
        if not is_slack_response_url(url, api_url=self._client.base_url):
            log.warning("not posting a private reply to %r: not a Slack response_url", url[:200])
            raise DeliveryFailed(NOT_SLACK, permanent=True)
        webhook = WebhookClient(url, timeout=10, retry_handlers=retry_handlers())
        response = webhook.send(
            text=payload["text"], response_type="ephemeral", replace_original=False
        )
        status = response.status_code
        if status == 200:
            return
        # Slack's hooks answer a dead or spent URL with a 4xx and a word (expired_url,
        # used_url, invalid_token, ...): no retry will cure that. A 429 or 5xx may pass.
        refused = 400 <= status < 500 and status != 429
        word = (response.body or "").strip()
        reason = (
            word if refused and SLACK_CODE.fullmatch(word) else f"response_url answered {status}"
        )
        raise DeliveryFailed(reason, permanent=refused, outage=status >= 500)

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
