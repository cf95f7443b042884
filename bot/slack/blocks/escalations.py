"""Escalation messages: to the person (or channel) escalated to, and notices to the rest."""

from __future__ import annotations

from datetime import datetime, timedelta

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    MarkdownTextObject,
    SectionBlock,
)
from slack_sdk.models.views import View

from bot.domain.escalation import MAX_NOTE_LENGTH
from bot.domain.supervision import is_person
from bot.slack.blocks.common import Rendered, context, task_title
from bot.slack.blocks.modals import TextQuestion, question_modal
from bot.slack.ids import ActionId, BlockId, CallbackId
from bot.slack.mrkdwn import escaped_clip, local_time, mention, quote
from storage.enums import CheckinStatus, EscalationReason
from storage.models import Checkin, Delegation, Escalation


def address(slack_id: str) -> str:
    return mention(slack_id) if is_person(slack_id) else f"<#{slack_id}>"


def how_long(since: datetime, now: datetime) -> str:
    gap = max(now - since, timedelta(0))
    if gap < timedelta(hours=1):
        return f"{int(gap.total_seconds() // 60)} min"
    if gap < timedelta(days=2):
        return f"{int(gap.total_seconds() // 3600)} h"
    return f"{gap.days} days"


def why(escalation: Escalation) -> str:
    reason = EscalationReason(escalation.reason).describe
    if escalation.level == 1:
        return f"Escalated because {reason}."
    previous = address(escalation.chain[escalation.level - 2])
    return f"Escalated because {reason}, and {previous} did not pick it up in time."


def escalation_message(
    delegation: Delegation,
    escalation: Escalation,
    *,
    last_answer: Checkin | None,
    tz: str | None,
    now: datetime,
) -> Rendered:
    headline = (
        f":rotating_light: *Escalated to you* (level {escalation.level}): "
        f"{mention(delegation.delegator_id)} delegated this to {mention(delegation.assignee_id)}."
    )
    lines = [
        headline,
        quote(delegation.task, 1500),
        why(escalation),
        f"Stalled since {local_time(escalation.stalled_since, tz)} "
        f"({how_long(escalation.stalled_since, now)}); due {local_time(delegation.due_at, tz)}.",
    ]
    if escalation.note:
        lines.append(f"*Note:* {escaped_clip(escalation.note, 500)}")
    if last_answer is not None and last_answer.status:
        answer = f"*Last check-in:* {CheckinStatus(last_answer.status).label}"
        if last_answer.note:
            answer += f": {escaped_clip(last_answer.note, 400)}"
        lines.append(answer)
    else:
        lines.append("_No check-in answered yet._")
    blocks: list[Block] = [
        SectionBlock(text=MarkdownTextObject(text="\n".join(lines))),
        ActionsBlock(
            block_id=BlockId.ESCALATION_ACTIONS,
            elements=[
                ButtonElement(
                    text="Acknowledge",
                    action_id=ActionId.ACKNOWLEDGE,
                    value=str(escalation.id),
                    style="primary",
                )
            ],
        ),
        context("Acknowledging tells everyone you have picked it up and stops the climb."),
    ]
    return Rendered(text=f"Escalated to you: {task_title(delegation.task)}", blocks=blocks)


def acknowledged_message(delegation: Delegation, escalation: Escalation) -> Rendered:
    who = mention(escalation.acknowledged_by or "")
    outcome = f":white_check_mark: {who} picked this up."
    return Rendered(
        text=f"{outcome} Task: {task_title(delegation.task)}",
        blocks=[
            SectionBlock(
                text=MarkdownTextObject(text=f"Escalation:\n{quote(delegation.task, 2500)}")
            ),
            context(outcome),
        ],
    )


def escalated_notice(
    delegation: Delegation, escalation: Escalation, *, to_assignee: bool
) -> Rendered:
    target = address(escalation.target)
    reason = EscalationReason(escalation.reason).describe
    if to_assignee:
        text = (
            f"Heads-up: {target} has been asked to help with this item because {reason}. "
            "Nothing changes for you; they may get in touch."
        )
    else:
        text = f":rotating_light: Your delegation was escalated to {target} because {reason}."
    return Rendered(
        text=f"{text} Task: {task_title(delegation.task)}",
        blocks=[
            SectionBlock(text=MarkdownTextObject(text=f"{text}\n{quote(delegation.task, 2000)}")),
            context(f"Level {escalation.level} · item #{delegation.id}"),
        ],
    )


def picked_up_notice(delegation: Delegation, escalation: Escalation) -> Rendered:
    text = f":handshake: {mention(escalation.acknowledged_by or '')} picked up the escalation."
    return Rendered(
        text=f"{text} Task: {task_title(delegation.task)}",
        blocks=[
            SectionBlock(text=MarkdownTextObject(text=f"{text}\n{quote(delegation.task, 2000)}"))
        ],
    )


def escalate_modal(delegation: Delegation) -> View:
    return question_modal(
        callback_id=CallbackId.ESCALATE_MODAL,
        metadata=str(delegation.id),
        title="Escalate",
        submit="Escalate",
        about=f"Escalating:\n{quote(delegation.task, 2700)}",
        question=TextQuestion(
            block_id=BlockId.ESCALATE_REASON,
            action_id=ActionId.ESCALATE_REASON,
            label="What help is needed?",
            max_length=MAX_NOTE_LENGTH,
            optional=False,
        ),
        footnote="It goes to the next person up the chain, who can acknowledge it.",
    )
