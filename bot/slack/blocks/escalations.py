"""The escalation message: what reached a person (or channel), one item or several that
reached them within a minute, each with its own buttons and its state as it changes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    MarkdownTextObject,
    SectionBlock,
)

from bot.domain.supervision import is_person
from bot.slack.blocks.common import Rendered, context, task_title
from bot.slack.ids import ActionId, BlockId
from bot.slack.mrkdwn import escaped_clip, local_time, mention, quote
from storage.enums import CheckinStatus, EscalationReason, EscalationStatus, ResolveCause
from storage.models import Checkin, Delegation, Escalation, EscalationNotice

# Several escalations in one message: at most this many (two blocks each, in Block Kit's 50).
MOST_IN_ONE_MESSAGE = 12


@dataclass(frozen=True)
class Listed:
    """One level of one escalation, as the message it went in lists it."""

    notice: EscalationNotice
    escalation: Escalation
    delegation: Delegation
    last_answer: Checkin | None


def address(slack_id: str) -> str:
    return mention(slack_id) if is_person(slack_id) else f"<#{slack_id}>"


def how_long(since: datetime, now: datetime) -> str:
    gap = max(now - since, timedelta(0))
    if gap < timedelta(hours=1):
        return f"{int(gap.total_seconds() // 60)} min"
    if gap < timedelta(days=2):
        return f"{int(gap.total_seconds() // 3600)} h"
    return f"{gap.days} days"


def why(escalation: Escalation, level: int) -> str:
    """Why it reached level ``level``: the reason it started, and how it climbed."""
    reason = EscalationReason(escalation.reason).describe
    if level == 1:
        return f"Escalated because {reason}."
    previous = address(escalation.chain[level - 2])
    if level == escalation.level and escalation.climb_reason == EscalationReason.PASSED_UP:
        said = escaped_clip(escalation.climb_note or "", 300)
        return f"Escalated because {reason}; {previous} passed it up: “{said}”"
    if level == escalation.level and escalation.climb_reason == EscalationReason.STALE_AFTER_ACK:
        return f"Escalated because {reason}; {previous} picked it up, but nothing moved since."
    return f"Escalated because {reason}, and {previous} did not pick it up in time."


def escalation_list(listed: list[Listed], *, tz: str | None, now: datetime) -> Rendered:
    """The message: one escalation in full, or several, each with its essentials."""
    if len(listed) == 1:
        return _one(listed[0], tz=tz, now=now)
    blocks: list[Block] = [
        SectionBlock(
            text=MarkdownTextObject(
                text=f":rotating_light: *{len(listed)} items escalated to you*, within a minute "
                "of each other. Each has its own buttons; updates on each go in this thread."
            )
        )
    ]
    for entry in listed:
        item, escalation = entry.delegation, entry.escalation
        stalled = how_long(escalation.stalled_since, now)
        lines = [
            f"*#{item.id}* {task_title(item.task, 200)}",
            f"{mention(item.delegator_id)} → {mention(item.assignee_id)} · "
            f"{why(escalation, entry.notice.level)} Stalled {stalled}; "
            f"due {local_time(item.due_at, tz)}.",
        ]
        state = _state(entry)
        if state:
            lines.append(state)
        blocks.append(SectionBlock(text=MarkdownTextObject(text="\n".join(lines))))
        buttons = _buttons(entry)
        if buttons:
            blocks.append(
                ActionsBlock(
                    block_id=f"{BlockId.ESCALATION_ACTIONS}:{escalation.id}", elements=buttons
                )
            )
    return Rendered(text=f"Escalated to you: {len(listed)} items", blocks=blocks)


def _one(entry: Listed, *, tz: str | None, now: datetime) -> Rendered:
    item, escalation = entry.delegation, entry.escalation
    state = _state(entry)
    if escalation.status in _SETTLED:
        return Rendered(
            text=f"{state} Task: {task_title(item.task)}",
            blocks=[
                SectionBlock(
                    text=MarkdownTextObject(text=f"Escalation:\n{quote(item.task, 2500)}")
                ),
                context(state),
            ],
        )
    headline = (
        f":rotating_light: *Escalated to you* (level {entry.notice.level}): "
        f"{mention(item.delegator_id)} delegated this to {mention(item.assignee_id)}."
    )
    lines = [
        headline,
        quote(item.task, 1000),
        why(escalation, entry.notice.level),
        f"Stalled since {local_time(escalation.stalled_since, tz)} "
        f"({how_long(escalation.stalled_since, now)}); due {local_time(item.due_at, tz)}.",
    ]
    if escalation.note:
        lines.append(f"*Note:* {escaped_clip(escalation.note, 500)}")
    answer = entry.last_answer
    if answer is not None and answer.status:
        said = f"*Last check-in:* {CheckinStatus(answer.status).label}"
        if answer.note:
            said += f": {escaped_clip(answer.note, 400)}"
        lines.append(said)
    else:
        lines.append("_No check-in answered yet._")
    if state:
        lines.append(state)
    blocks: list[Block] = [SectionBlock(text=MarkdownTextObject(text="\n".join(lines)))]
    buttons = _buttons(entry)
    if buttons:
        blocks.append(ActionsBlock(block_id=BlockId.ESCALATION_ACTIONS, elements=buttons))
    blocks.append(
        context(
            "Acknowledging tells everyone you have picked it up and stops the climb; "
            "Pass up hands it to the next level now."
            if len(buttons) > 1
            else "Acknowledging tells everyone you have picked it up and stops the climb."
        )
    )
    return Rendered(text=f"Escalated to you: {task_title(item.task)}", blocks=blocks)


_SETTLED = (EscalationStatus.RESOLVED, EscalationStatus.CLOSED, EscalationStatus.ACKNOWLEDGED)


def _state(entry: Listed) -> str:
    """What has become of it since it reached this level ("" while it waits here)."""
    escalation = entry.escalation
    if escalation.status == EscalationStatus.RESOLVED:
        cause = ResolveCause(escalation.resolved_cause or "closed").describe
        if escalation.acknowledged_by:
            return (
                f":white_check_mark: {mention(escalation.acknowledged_by)} picked this up; "
                f"since resolved: {cause}."
            )
        return f":white_check_mark: Resolved: {cause}."
    if escalation.status == EscalationStatus.CLOSED:
        return ":white_check_mark: The item has closed."
    if escalation.level > entry.notice.level:
        return f"_Now with {address(escalation.target)} (level {escalation.level})._"
    if escalation.status == EscalationStatus.ACKNOWLEDGED:
        return f":white_check_mark: {mention(escalation.acknowledged_by or '')} picked this up."
    return ""


def _buttons(entry: Listed) -> list[ButtonElement]:
    escalation = entry.escalation
    if escalation.status not in (EscalationStatus.OPEN, EscalationStatus.EXHAUSTED):
        return []
    value = str(escalation.id)
    buttons = [
        ButtonElement(
            text="Acknowledge", action_id=ActionId.ACKNOWLEDGE, value=value, style="primary"
        )
    ]
    here = entry.notice.level == escalation.level
    if here and escalation.level < len(escalation.chain) and is_person(escalation.target):
        buttons.append(ButtonElement(text="Pass up", action_id=ActionId.PASS_UP, value=value))
    return buttons
