"""What the rest are told as an escalation moves (the delegator, the assignee, the thread of
a message listing several), the reminder after an acknowledgement, and the two forms."""

from __future__ import annotations

from datetime import datetime

from slack_sdk.models.blocks import ActionsBlock, ButtonElement, MarkdownTextObject, SectionBlock
from slack_sdk.models.views import View

from bot.domain.escalation import MAX_NOTE_LENGTH
from bot.slack.blocks.common import Rendered, context, task_title
from bot.slack.blocks.escalations import address, how_long
from bot.slack.blocks.modals import TextQuestion, question_modal
from bot.slack.ids import ActionId, BlockId, CallbackId
from bot.slack.mrkdwn import mention, quote
from storage.enums import EscalationReason, ResolveCause
from storage.models import Delegation, Escalation


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
    return _plain(text, delegation)


def resolved_notice(delegation: Delegation, escalation: Escalation) -> Rendered:
    cause = ResolveCause(escalation.resolved_cause or "closed").describe
    return _plain(f":white_check_mark: The escalation is resolved: {cause}.", delegation)


def listed_update(delegation: Delegation, escalation: Escalation, *, what: str) -> Rendered:
    """A line in the thread of a message listing several escalations: what became of one."""
    text = f"#{delegation.id} {task_title(delegation.task, 120)}: {what}"
    return Rendered(text=text, blocks=[SectionBlock(text=MarkdownTextObject(text=text))])


def reacknowledge_message(
    delegation: Delegation, escalation: Escalation, *, now: datetime
) -> Rendered:
    since = escalation.committed_at or escalation.acknowledged_at or now
    text = (
        f":hourglass: You picked up this escalation {how_long(since, now)} ago, and nothing has "
        "moved on the item since (no check-in answer, due date, reassignment or answer). "
        "Is it still in hand? If not, it goes on to the next level."
    )
    return Rendered(
        text=f"Still on it? {task_title(delegation.task)}",
        blocks=[
            SectionBlock(text=MarkdownTextObject(text=f"{text}\n{quote(delegation.task, 2000)}")),
            ActionsBlock(
                block_id=BlockId.ESCALATION_ACTIONS,
                elements=[
                    ButtonElement(
                        text="Still on it",
                        action_id=ActionId.STILL_ON_IT,
                        value=str(escalation.id),
                        style="primary",
                    ),
                    ButtonElement(
                        text="Pass up", action_id=ActionId.PASS_UP, value=str(escalation.id)
                    ),
                ],
            ),
        ],
    )


def still_on_it_message(delegation: Delegation) -> Rendered:
    return _plain(":white_check_mark: You said you are still on it.", delegation)


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


def pass_up_modal(delegation: Delegation, escalation: Escalation) -> View:
    above = address(escalation.chain[escalation.level])
    return question_modal(
        callback_id=CallbackId.PASS_UP_MODAL,
        metadata=str(escalation.id),
        title="Pass up",
        submit="Pass up",
        about=f"Passing this up to {above}:\n{quote(delegation.task, 2700)}",
        question=TextQuestion(
            block_id=BlockId.PASS_UP_REASON,
            action_id=ActionId.PASS_UP_REASON,
            label="Why does it need the next level?",
            max_length=MAX_NOTE_LENGTH,
            optional=False,
        ),
        footnote="They are told at once, with what you write here.",
    )


def _plain(text: str, delegation: Delegation) -> Rendered:
    return Rendered(
        text=f"{text} Task: {task_title(delegation.task)}",
        blocks=[
            SectionBlock(text=MarkdownTextObject(text=f"{text}\n{quote(delegation.task, 2000)}"))
        ],
    )
