"""``/delegate list`` and the confirmation a delegator sees after ``/delegate``."""

from __future__ import annotations

from datetime import timedelta

from slack_sdk.models.blocks import (
    Block,
    DividerBlock,
    HeaderBlock,
    MarkdownTextObject,
    SectionBlock,
)

from bot.domain.cadence import human_interval
from bot.domain.listing import OpenItems
from bot.slack.blocks.common import Rendered, chunked, context, task_title
from bot.slack.mrkdwn import local_time, mention, quote
from storage.enums import CheckinStatus, DelegationStatus
from storage.models import Checkin, Delegation

_STATE = {
    DelegationStatus.OFFERED: ":hourglass_flowing_sand: waiting for acceptance",
    DelegationStatus.ACCEPTED: ":white_check_mark: accepted",
}


def confirmation_message(
    delegation: Delegation, *, delegator_tz: str | None, tz_known: bool = True
) -> Rendered:
    who = mention(delegation.assignee_id)
    due = local_time(delegation.due_at, delegator_tz)
    body = f"Offered to {who}, due *{due}*:\n{quote(delegation.task)}"
    note = f"{who} gets a DM to accept or decline; I'll tell you which."
    if delegation.checkin_every_s:
        every = human_interval(timedelta(seconds=delegation.checkin_every_s))
        note += f" Once accepted, check-ins come every {every}."
    if not tz_known:
        note += " Slack didn't answer when I asked for your timezone, so I read the date in UTC."
    return Rendered(
        text=f"Offered to {who}: {task_title(delegation.task)} (due {due})",
        blocks=[SectionBlock(text=MarkdownTextObject(text=body)), context(note)],
    )


def list_message(items: OpenItems, *, viewer_tz: str | None) -> Rendered:
    blocks: list[Block] = [HeaderBlock(text="Your open delegations")]
    if not items.to_me and not items.by_me:
        blocks.append(SectionBlock(text=MarkdownTextObject(text="Nothing open. :sparkles:")))
    for title, rows, other in (
        ("Delegated to you", items.to_me, "from"),
        ("Delegated by you", items.by_me, "to"),
    ):
        if not rows:
            continue
        blocks.append(SectionBlock(text=MarkdownTextObject(text=f"*{title}* ({len(rows)})")))
        lines = [
            _line(row, other=other, viewer_tz=viewer_tz, answer=items.last_answers.get(row.id or 0))
            for row in rows
        ]
        for chunk in chunked(lines, limit=2900):
            blocks.append(SectionBlock(text=MarkdownTextObject(text=chunk)))
        blocks.append(DividerBlock())
    if items.truncated:
        blocks.append(context("Showing the first items only, soonest due first."))
    count = len(items.to_me) + len(items.by_me)
    return Rendered(text=f"You have {count} open delegation(s).", blocks=blocks[:50])


def _line(row: Delegation, *, other: str, viewer_tz: str | None, answer: Checkin | None) -> str:
    person = row.delegator_id if other == "from" else row.assignee_id
    state = _STATE.get(DelegationStatus(row.status), row.status)
    if row.overdue_at is not None:
        state = ":rotating_light: *overdue*"
    details = [state, f"due {local_time(row.due_at, viewer_tz)}"]
    if answer is not None and answer.status:
        details.append(f"last check-in: {CheckinStatus(answer.status).label}")
    if row.next_checkin_at is not None:
        details.append(f"next check-in {local_time(row.next_checkin_at, viewer_tz)}")
    return f"• *{task_title(row.task, 120)}* {other} {mention(person)}\n    " + " · ".join(details)
