"""The Slack notifier's escalation messages. Each level told goes in a message to its
recipient; levels reaching the same recipient within a minute share one message, which
lists them all. Whatever happens to an escalation afterwards (it climbs on, is picked up,
is resolved) redraws every message it is in: an edit, so nobody is pinged about it."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime, timedelta

from sqlmodel import Session

from bot.domain.supervision import is_person
from bot.slack.blocks.escalation_notices import (
    escalated_notice,
    listed_update,
    picked_up_notice,
    reacknowledge_message,
    resolved_notice,
    still_on_it_message,
)
from bot.slack.blocks.escalations import MOST_IN_ONE_MESSAGE, Listed, escalation_list
from bot.slack.outbox.sends import escalation_key, reminder_key
from storage.checkins import latest_answers
from storage.delegations import get_delegation
from storage.enums import ResolveCause
from storage.escalations import add_notice, get_escalation, notices_in, notices_of, open_group
from storage.models import Delegation, Escalation, EscalationNotice
from storage.outbox import POST, UPDATE

# Escalations reaching one recipient this close together go in one message.
TOGETHER_WITHIN = timedelta(minutes=1)


class EscalationMessages:
    """Mixed into SlackNotifier, whose queueing (``_queue``, ``_in_thread``) and timezone
    lookup (``_tz``) it uses."""

    _session: Session
    _now: datetime

    def escalation(self, delegation: Delegation, escalation: Escalation) -> None:
        target = escalation.target
        assert escalation.id is not None
        shared = open_group(
            self._session,
            recipient=target,
            since=self._now - TOGETHER_WITHIN,
            most=MOST_IN_ONE_MESSAGE,
        )
        key = shared or escalation_key(escalation, target)
        notice = EscalationNotice(
            escalation_id=escalation.id,
            level=escalation.level,
            recipient=target,
            message_key=key,
            sent_at=self._now,
        )
        add_notice(self._session, notice=notice)
        self._draw(key, delegation, kind=UPDATE if shared else POST)
        earlier = [n.message_key for n in notices_of(self._session, escalation_id=escalation.id)]
        for previous in dict.fromkeys(earlier[:-1]):  # "now with …", and no Pass up there
            if previous != key:
                self._draw(previous, delegation, kind=UPDATE)
        if target != delegation.delegator_id:
            told = escalated_notice(delegation, escalation, to_assignee=False)
            self._in_thread(delegation.delegator_id, told, delegation, routine=True)
        told = escalated_notice(delegation, escalation, to_assignee=True)
        self._in_thread(delegation.assignee_id, told, delegation, routine=True)

    def acknowledged(self, delegation: Delegation, escalation: Escalation) -> None:
        actor = escalation.acknowledged_by or ""
        self._redraw_all(delegation, escalation, what=f"picked up by <@{actor}>.")
        for person in {delegation.delegator_id, delegation.assignee_id} - {actor}:
            told = picked_up_notice(delegation, escalation)
            self._in_thread(person, told, delegation, routine=True)

    def escalation_resolved(
        self, delegation: Delegation, escalation: Escalation, *, actor: str | None, quietly: bool
    ) -> None:
        self._redraw_all(delegation, escalation, what=None if quietly else "resolved.")
        if quietly:
            return
        told_people = {delegation.delegator_id, delegation.assignee_id} - {actor}
        if escalation.resolved_cause == ResolveCause.REASSIGNED:
            told_people.discard(delegation.assignee_id)  # new to the item: their offer comes
        for person in sorted(told_people):
            told = resolved_notice(delegation, escalation)
            self._in_thread(person, told, delegation, routine=True)

    def reacknowledge(self, delegation: Delegation, escalation: Escalation) -> None:
        holder = escalation.acknowledged_by or escalation.target
        assert escalation.reminded_at is not None
        rendered = reacknowledge_message(delegation, escalation, now=self._now)
        key = reminder_key(escalation, escalation.reminded_at)
        self._queue(POST, holder, rendered, delegation, key=key)

    def still_on_it(
        self, delegation: Delegation, escalation: Escalation, *, reminded_at: datetime
    ) -> None:
        holder = escalation.acknowledged_by or escalation.target
        key = reminder_key(escalation, reminded_at)
        self._queue(UPDATE, holder, still_on_it_message(delegation), delegation, key=key)

    def _redraw_all(
        self, delegation: Delegation, escalation: Escalation, *, what: str | None
    ) -> None:
        """Edit every message the escalation is in; in one that lists several, also say
        ``what`` became of this one in its thread."""
        assert escalation.id is not None
        keys = [n.message_key for n in notices_of(self._session, escalation_id=escalation.id)]
        for key in dict.fromkeys(keys):
            listed = self._draw(key, delegation, kind=UPDATE)
            if what is not None and len(listed) > 1:
                line = listed_update(delegation, escalation, what=what)
                self._queue(POST, listed[0].notice.recipient, line, delegation, thread_key=key)

    def _draw(self, key: str, delegation: Delegation, *, kind: str) -> list[Listed]:
        """Render the message ``key`` as it stands, and post or edit it."""
        listed = list(self._listed(notices_in(self._session, message_key=key)))
        if not listed:
            return listed
        recipient = listed[0].notice.recipient
        tz = self._tz(recipient) if is_person(recipient) else None
        rendered = escalation_list(listed, tz=tz, now=self._now)
        self._queue(kind, recipient, rendered, delegation, key=key)
        return listed

    def _listed(self, notices: Iterable[EscalationNotice]) -> Iterable[Listed]:
        found = []
        for notice in notices:
            escalation = get_escalation(self._session, escalation_id=notice.escalation_id)
            if escalation is None:
                continue
            item = get_delegation(self._session, delegation_id=escalation.delegation_id)
            if item is not None:
                found.append((notice, escalation, item))
        items = [item.id or 0 for _, _, item in found]
        answers = latest_answers(self._session, delegation_ids=items)
        for notice, escalation, item in found:
            yield Listed(notice, escalation, item, answers.get(item.id or 0))

    # SlackNotifier's
    _queue: Callable[..., None]
    _in_thread: Callable[..., None]
    _tz: Callable[[str], str | None]
