"""The Slack implementation of the domain's Notifier: renders Block Kit and queues it in the
outbox inside the caller's transaction. Nothing here talks to Slack; delivery does."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from bot.slack.blocks.checkins import (
    checkin_message,
    checkin_settled_message,
    reminder_message,
    risk_notice,
)
from bot.slack.blocks.common import Rendered
from bot.slack.blocks.notices import delegator_notice
from bot.slack.blocks.offer import offer_message, settled_message
from storage.models import Checkin, Delegation
from storage.outbox import enqueue
from storage.slack_cache import get_user

POST = "post"
UPDATE = "update"
RESPOND = "respond"


def offer_key(delegation: Delegation) -> str:
    return f"delegation:{delegation.id}:offer:{delegation.assignee_id}"


def checkin_key(checkin: Checkin) -> str:
    return f"checkin:{checkin.id}"


class SlackNotifier:
    def __init__(self, session: Session, *, now: datetime) -> None:
        self._session = session
        self._now = now

    def offer(self, delegation: Delegation) -> None:
        rendered = offer_message(delegation, assignee_tz=self._tz(delegation.assignee_id))
        self._queue(POST, delegation.assignee_id, rendered, delegation, key=offer_key(delegation))

    def offer_settled(self, delegation: Delegation) -> None:
        rendered = settled_message(delegation, assignee_tz=self._tz(delegation.assignee_id))
        self._queue(UPDATE, delegation.assignee_id, rendered, delegation, key=offer_key(delegation))

    def tell_delegator(self, delegation: Delegation, *, what: str, actor: str) -> None:
        rendered = delegator_notice(
            delegation, what=what, actor=actor, delegator_tz=self._tz(delegation.delegator_id)
        )
        self._queue(POST, delegation.delegator_id, rendered, delegation)

    def checkin(self, delegation: Delegation, checkin: Checkin, *, why: str) -> None:
        rendered = checkin_message(
            delegation, checkin, tz=self._tz(delegation.assignee_id), why=why
        )
        self._queue(POST, delegation.assignee_id, rendered, delegation, key=checkin_key(checkin))

    def checkin_settled(self, delegation: Delegation, checkin: Checkin) -> None:
        rendered = checkin_settled_message(delegation, checkin, tz=self._tz(delegation.assignee_id))
        self._queue(UPDATE, delegation.assignee_id, rendered, delegation, key=checkin_key(checkin))

    def tell_delegator_checkin(self, delegation: Delegation, checkin: Checkin) -> None:
        rendered = risk_notice(delegation, checkin, tz=self._tz(delegation.delegator_id))
        self._queue(POST, delegation.delegator_id, rendered, delegation)

    def reminder(self, delegation: Delegation) -> None:
        rendered = reminder_message(delegation, tz=self._tz(delegation.assignee_id))
        self._queue(POST, delegation.assignee_id, rendered, delegation)

    def reply_privately(self, *, response_url: str, user_id: str, text: str) -> None:
        """An ephemeral answer to the person who clicked, through the action's response_url."""
        payload = {"response_url": response_url, "text": text}
        enqueue(self._session, kind=RESPOND, recipient=user_id, payload=payload, now=self._now)

    def _queue(
        self,
        kind: str,
        recipient: str,
        rendered: Rendered,
        delegation: Delegation,
        *,
        key: str | None = None,
    ) -> None:
        enqueue(
            self._session,
            kind=kind,
            recipient=recipient,
            payload=rendered.payload(),
            now=self._now,
            delegation_id=delegation.id,
            message_key=key,
        )

    def _tz(self, user_id: str) -> str | None:
        user = get_user(self._session, user_id=user_id)
        return user.tz if user else None
