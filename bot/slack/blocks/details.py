"""One item's details and recent history, in a modal opened from the digest."""

from __future__ import annotations

from typing import Any

from slack_sdk.models.blocks import Block, MarkdownTextObject, SectionBlock
from slack_sdk.models.views import View

from bot.domain.details import ItemDetails
from bot.slack.blocks.common import chunked, context
from bot.slack.mrkdwn import escaped_clip, local_time, mention, quote
from storage.enums import CheckinStatus
from storage.models import Event

_DONE_BY_SOMEONE = {
    "created": "delegated it",
    "accepted": "accepted",
    "declined": "declined",
    "checkin_answered": "answered the check-in",
    "completed": "marked it done",
    "cancelled": "cancelled it",
    "acknowledged": "acknowledged the escalation",
    "reassigned": "reassigned it",
    "due_changed": "changed the due date",
}
_DONE_BY_STEWARD = {
    "checkin_sent": "Check-in sent",
    "reminder_sent": "Due-date reminder sent",
    "overdue": "Went overdue",
}


_ANSWERS = {status.value for status in CheckinStatus}


def details_modal(details: ItemDetails, *, viewer_tz: str | None) -> View:
    item = details.delegation
    fields = [
        MarkdownTextObject(
            text=f"*State*\n{item.status}" + (" (overdue)" if item.overdue_at else "")
        ),
        MarkdownTextObject(text=f"*Assignee*\n{mention(item.assignee_id)}"),
        MarkdownTextObject(text=f"*Delegated by*\n{mention(item.delegator_id)}"),
        MarkdownTextObject(text=f"*Due*\n{local_time(item.due_at, viewer_tz)}"),
        MarkdownTextObject(text=f"*Delegated on*\n{local_time(item.created_at, viewer_tz)}"),
    ]
    lines = ["*History*", *(f"• {_line(event, viewer_tz)}" for event in details.history)]
    blocks: list[Block] = [
        SectionBlock(text=MarkdownTextObject(text=quote(item.task, 2900))),
        SectionBlock(fields=fields),
        # a section holds 3,000 characters: a long history takes two or three
        *(
            SectionBlock(text=MarkdownTextObject(text=chunk))
            for chunk in chunked(lines, limit=3000)
        ),
    ]
    if details.earlier:
        blocks.append(context(f"{details.earlier} earlier events are in `steward export`."))
    return View(type="modal", title=f"Delegation #{item.id}"[:24], close="Close", blocks=blocks)


def _line(event: Event, tz: str | None) -> str:
    when = local_time(event.at, tz)
    data: dict[str, Any] = event.data or {}
    if event.type in _DONE_BY_STEWARD:
        return f"{when} · {_DONE_BY_STEWARD[event.type]}"
    if event.type == "escalated":
        who = "Escalated" if event.actor == "system" else f"{mention(event.actor)} escalated it"
        to = data.get("to", "")
        target = mention(to) if to[:1] in ("U", "W") else f"<#{to}>"
        return f"{when} · {who} to {target} (level {data.get('level')})"
    what = _DONE_BY_SOMEONE.get(event.type, event.type.replace("_", " "))
    if event.type == "checkin_answered" and data.get("status") in _ANSWERS:
        what += f": {CheckinStatus(data['status']).label}"
    note = data.get("note") or data.get("reason")
    if event.type in ("checkin_answered", "declined") and isinstance(note, str) and note:
        what += f" (“{escaped_clip(note, 100)}”)"
    return f"{when} · {mention(event.actor)} {what}"
