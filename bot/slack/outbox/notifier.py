"""The Slack implementation of the domain's Notifier: renders Block Kit and queues it in the
outbox inside the caller's transaction. Nothing here talks to Slack; delivery does."""

from __future__ import annotations

import base64
import logging
from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlmodel import Session

from bot.domain.digest import Digest
from bot.domain.ports import Person
from bot.domain.supervision import is_person
from bot.slack.blocks.checkins import (
    checkin_message,
    checkin_settled_message,
    reminder_message,
    risk_notice,
)
from bot.slack.blocks.common import Rendered
from bot.slack.blocks.conversation import (
    answer_message,
    cancelled_notice,
    due_decided_message,
    due_proposal_message,
    question_message,
    reassigned_notice,
)
from bot.slack.blocks.digest import digest_message
from bot.slack.blocks.notices import delegator_notice
from bot.slack.blocks.offer import offer_message, settled_message
from bot.slack.chart import daily_chart
from bot.slack.outbox.escalation_messages import EscalationMessages
from bot.slack.outbox.sends import checkin_key, offer_key
from storage.enums import EventType
from storage.models import Checkin, Delegation, Event
from storage.outbox import (
    HOME,
    HOME_QUEUE,
    POST,
    REPLY_QUEUE,
    RESPOND,
    UPDATE,
    UPLOAD,
    enqueue,
    enqueue_rows,
    row,
)
from storage.people import is_quiet
from storage.slack_cache import get_user, user_tz

log = logging.getLogger(__name__)


class SlackNotifier(EscalationMessages):
    def __init__(
        self,
        session: Session,
        *,
        now: datetime,
        remembered: Callable[[str], Person | None] | None = None,
    ) -> None:
        """``remembered``: the people this process looked up lately (the directory's
        memory), whose timezones then need no query; others are read from the database."""
        self._session = session
        self._now = now
        self._remembered = remembered
        self._homes: set[str] = set()

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
        routine = what != EventType.DECLINED  # a decline asks the delegator to act
        self._in_thread(delegation.delegator_id, rendered, delegation, routine=routine)

    def checkin(self, delegation: Delegation, checkin: Checkin, *, why: str) -> None:
        rendered = checkin_message(
            delegation, checkin, tz=self._tz(delegation.assignee_id), why=why
        )
        key = checkin_key(checkin)  # nothing anyone's App Home shows has changed yet
        self._queue(POST, delegation.assignee_id, rendered, delegation, key=key, homes=False)

    def checkin_settled(self, delegation: Delegation, checkin: Checkin) -> None:
        rendered = checkin_settled_message(delegation, checkin)
        self._queue(UPDATE, delegation.assignee_id, rendered, delegation, key=checkin_key(checkin))

    def tell_delegator_checkin(self, delegation: Delegation, checkin: Checkin) -> None:
        rendered = risk_notice(delegation, checkin, tz=self._tz(delegation.delegator_id))
        self._queue(POST, delegation.delegator_id, rendered, delegation)

    def reminder(self, delegation: Delegation) -> None:
        rendered = reminder_message(delegation, tz=self._tz(delegation.assignee_id))
        self._queue(POST, delegation.assignee_id, rendered, delegation, homes=False)

    def digest(self, channel: str, digest: Digest, *, key: str) -> None:
        """The digest, then its chart as a file in the digest's thread. A chart that cannot
        be drawn is left out; the digest goes regardless."""
        rendered = digest_message(digest, names=self._names_in(digest))
        post = row(
            kind=POST, recipient=channel, payload=rendered.payload(), now=self._now, message_key=key
        )
        enqueue(self._session, post)
        try:
            png = daily_chart(
                digest.current.daily, title="Created, completed and escalated per day"
            )
        except Exception:
            log.exception("the digest chart could not be drawn; posting the digest without it")
            return
        payload = {
            "thread_key": key,
            "filename": "steward-digest.png",
            "title": "Daily activity",
            "png_base64": base64.b64encode(png).decode("ascii"),
        }
        enqueue(self._session, row(kind=UPLOAD, recipient=channel, payload=payload, now=self._now))

    def cancelled(self, delegation: Delegation, *, actor: str) -> None:
        notice = cancelled_notice(delegation, actor=actor)  # their offer shows it, too
        self._in_thread(delegation.assignee_id, notice, delegation, routine=True)

    def reassigned(self, delegation: Delegation, *, previous_assignee: str) -> None:
        notice = reassigned_notice(delegation)
        key = f"delegation:{delegation.id}:offer:{previous_assignee}"
        self._queue(UPDATE, previous_assignee, notice, delegation, key=key)
        self._in_thread(previous_assignee, notice, delegation, routine=True)

    def question(self, delegation: Delegation, asked: Event) -> None:
        rendered = question_message(delegation, asked, answered=None)
        key = f"question:{asked.id}"
        self._in_thread(delegation.delegator_id, rendered, delegation, routine=False, key=key)

    def answer(self, delegation: Delegation, asked: Event, answered: Event) -> None:
        settled = question_message(delegation, asked, answered=answered.data.get("answer"))
        key = f"question:{asked.id}"
        self._queue(UPDATE, delegation.delegator_id, settled, delegation, key=key)
        rendered = answer_message(delegation, asked, answered)
        self._in_thread(delegation.assignee_id, rendered, delegation, routine=False)

    def due_proposed(self, delegation: Delegation, proposal: Event) -> None:
        rendered = due_proposal_message(delegation, proposal, tz=self._tz(delegation.delegator_id))
        key = f"due:{proposal.id}"
        self._in_thread(delegation.delegator_id, rendered, delegation, routine=False, key=key)

    def due_decided(self, delegation: Delegation, proposal: Event, *, approved: bool) -> None:
        outcome = "You approved it." if approved else "You kept the due date."
        settled = due_proposal_message(
            delegation, proposal, tz=self._tz(delegation.delegator_id), outcome=outcome
        )
        key = f"due:{proposal.id}"
        self._queue(UPDATE, delegation.delegator_id, settled, delegation, key=key)
        tz = self._tz(delegation.assignee_id)
        told = due_decided_message(delegation, approved=approved, tz=tz)
        self._in_thread(delegation.assignee_id, told, delegation, routine=False)
        if approved:  # the offer shows the new due date
            current = (
                offer_message(delegation, assignee_tz=tz)
                if delegation.status == "offered"
                else settled_message(delegation, assignee_tz=tz)
            )
            self._queue(
                UPDATE, delegation.assignee_id, current, delegation, key=offer_key(delegation)
            )

    def _names_in(self, digest: Digest) -> dict[str, str] | None:
        """The Slack names of the people a channel's digest lists, as far as known."""
        if digest.lead is not None:
            return None
        people = {person for person, _, _ in digest.current.load}
        people |= {item.assignee for item in digest.current.oldest}
        users = (get_user(self._session, user_id=person) for person in sorted(people))
        return {user.user_id: user.name for user in users if user is not None and user.name}

    def reply_privately(self, *, response_url: str, user_id: str, text: str) -> None:
        """An ephemeral answer to the person who clicked, through the action's response_url."""
        payload = {"response_url": response_url, "text": text}
        recipient = REPLY_QUEUE + user_id  # its own queue: a dead response_url holds up no DM
        enqueue(
            self._session, row(kind=RESPOND, recipient=recipient, payload=payload, now=self._now)
        )

    def _queue(
        self,
        kind: str,
        recipient: str,
        rendered: Rendered,
        delegation: Delegation,
        *,
        key: str | None = None,
        thread_key: str | None = None,
        broadcast: bool = False,
        homes: bool = True,
    ) -> None:
        """Queue one message about ``delegation``; with ``homes``, the App Homes of the
        people on it (and of the recipient) are refreshed too."""
        payload = rendered.payload()
        if thread_key:
            payload["thread_key"] = thread_key
            payload["broadcast"] = broadcast
        message = row(
            kind=kind,
            recipient=recipient,
            payload=payload,
            now=self._now,
            delegation_id=delegation.id,
            message_key=key,
        )
        rows = [message]
        if homes:
            for person in (delegation.delegator_id, delegation.assignee_id, recipient):
                refresh = self._refresh_home(person, delegation)
                if refresh is not None:
                    rows.append(refresh)
        enqueue_rows(self._session, rows=rows)  # one INSERT: the message, then the refreshes

    def _in_thread(
        self,
        person: str,
        rendered: Rendered,
        delegation: Delegation,
        *,
        routine: bool,
        key: str | None = None,
    ) -> None:
        """A notice in the person's one thread about this item (under their offer, or the
        item's first notice to them). A routine one is left out for people in quiet mode;
        one that needs them is also sent to the conversation (``reply_broadcast``), since a
        reply in a bot's thread alone may not notify."""
        if routine and is_quiet(self._session, user_id=person):
            return
        if person == delegation.delegator_id:
            thread = f"delegation:{delegation.id}:thread:{person}"
        else:
            thread = f"delegation:{delegation.id}:offer:{person}"
        self._queue(
            POST, person, rendered, delegation, key=key, thread_key=thread, broadcast=not routine
        )

    def _refresh_home(self, person: str, delegation: Delegation) -> dict[str, Any] | None:
        """The outbox row that refreshes ``person``'s App Home, once per person and unit of
        work; None when they need none. (Skipping it while an earlier refresh waits would
        race with delivery drawing that one before this change commits.)"""
        if not is_person(person) or person in self._homes:
            return None
        self._homes.add(person)
        return row(
            kind=HOME,
            recipient=HOME_QUEUE + person,  # its own queue: never holds up the person's DMs
            payload={},
            now=self._now,
            delegation_id=delegation.id,
        )

    def _tz(self, user_id: str) -> str | None:
        person = self._remembered(user_id) if self._remembered is not None else None
        return person.tz if person is not None else user_tz(self._session, user_id=user_id)
