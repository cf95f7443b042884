"""Check-ins, their answers, the delegator's notice of a risk, and due-date reminders."""

from __future__ import annotations

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    MarkdownTextObject,
    SectionBlock,
)
from slack_sdk.models.views import View

from bot.domain.checkins import MAX_NOTE_LENGTH
from bot.slack.blocks.common import Rendered, context, task_title
from bot.slack.blocks.modals import TextQuestion, question_modal
from bot.slack.ids import ActionId, BlockId, CallbackId
from bot.slack.mrkdwn import escaped_clip, local_time, mention, quote
from storage.enums import CheckinStatus, DelegationStatus
from storage.models import Checkin, Delegation

ANSWERS: list[tuple[CheckinStatus, ActionId, str | None]] = [
    (CheckinStatus.ON_TRACK, ActionId.CHECKIN_ON_TRACK, "primary"),
    (CheckinStatus.AT_RISK, ActionId.CHECKIN_AT_RISK, None),
    (CheckinStatus.BLOCKED, ActionId.CHECKIN_BLOCKED, "danger"),
    (CheckinStatus.DONE, ActionId.CHECKIN_DONE, None),
]
STATUS_OF_ACTION = {action: status for status, action, _ in ANSWERS}
_ICONS = {
    CheckinStatus.ON_TRACK: ":large_green_circle:",
    CheckinStatus.AT_RISK: ":large_yellow_circle:",
    CheckinStatus.BLOCKED: ":red_circle:",
    CheckinStatus.DONE: ":tada:",
}


def checkin_message(
    delegation: Delegation, checkin: Checkin, *, tz: str | None, why: str
) -> Rendered:
    question = f"How is this going?\n{quote(delegation.task, 2500)}"
    blocks: list[Block] = [
        SectionBlock(text=MarkdownTextObject(text=question)),
        context(
            f"From {mention(delegation.delegator_id)} · due {local_time(delegation.due_at, tz)}"
        ),
        ActionsBlock(
            block_id=BlockId.CHECKIN_ACTIONS,
            elements=[
                ButtonElement(
                    text=status.label, action_id=action, value=str(checkin.id), style=style
                )
                for status, action, style in ANSWERS
            ],
        ),
        context(why),
    ]
    return Rendered(text=f"Check-in: how is {task_title(delegation.task)} going?", blocks=blocks)


def checkin_settled_message(delegation: Delegation, checkin: Checkin) -> Rendered:
    if checkin.status:
        status = CheckinStatus(checkin.status)
        outcome = f"{_ICONS[status]} You answered *{status.label}*."
        if checkin.note:
            outcome += f" Note: {escaped_clip(checkin.note, 1500)}"
    else:
        closed = DelegationStatus(delegation.status)
        outcome = f":lock: This item is {closed.value}: no answer needed."
    blocks: list[Block] = [
        SectionBlock(text=MarkdownTextObject(text=f"Check-in on:\n{quote(delegation.task, 2500)}")),
        context(outcome),
    ]
    return Rendered(text=f"{outcome} Task: {task_title(delegation.task)}", blocks=blocks)


def risk_notice(delegation: Delegation, checkin: Checkin, *, tz: str | None) -> Rendered:
    status = CheckinStatus(checkin.status or CheckinStatus.AT_RISK)
    headline = f"{_ICONS[status]} {mention(delegation.assignee_id)} says *{status.label}*:"
    body = f"{headline}\n{quote(delegation.task, 2000)}"
    body += f"\n*Note:* {escaped_clip(checkin.note, 800)}" if checkin.note else "\n_No note given._"
    blocks: list[Block] = [
        SectionBlock(text=MarkdownTextObject(text=body)),
        context(f"Due {local_time(delegation.due_at, tz)} · item #{delegation.id}"),
    ]
    text = f"{mention(delegation.assignee_id)} says {status.label}: {task_title(delegation.task)}"
    return Rendered(text=text, blocks=blocks)


def reminder_message(delegation: Delegation, *, tz: str | None) -> Rendered:
    due = local_time(delegation.due_at, tz)
    body = f":alarm_clock: Due *{due}*:\n{quote(delegation.task, 2500)}"
    return Rendered(
        text=f"Reminder: {task_title(delegation.task)} is due {due}",
        blocks=[
            SectionBlock(text=MarkdownTextObject(text=body)),
            context("Press *Done* on the item when it is finished, or answer its next check-in."),
        ],
    )


def note_modal(checkin: Checkin, status: CheckinStatus) -> View:
    return question_modal(
        callback_id=CallbackId.CHECKIN_NOTE_MODAL,
        metadata=f"{checkin.id}:{status.value}",
        title=status.label,
        submit="Send",
        question=TextQuestion(
            block_id=BlockId.CHECKIN_NOTE,
            action_id=ActionId.CHECKIN_NOTE,
            label="What's in the way?",
            max_length=MAX_NOTE_LENGTH,
        ),
        footnote="The person who delegated this sees your answer and note straight away.",
    )
