"""Modals: the delegate form and the decline form."""

from __future__ import annotations

from dataclasses import dataclass

from slack_sdk.models.blocks import (
    Block,
    InputBlock,
    MarkdownTextObject,
    PlainTextInputElement,
    SectionBlock,
    UserSelectElement,
)
from slack_sdk.models.views import View

from bot.domain.delegations import MAX_REASON_LENGTH, MAX_TASK_LENGTH
from bot.slack.blocks.common import context
from bot.slack.ids import ActionId, BlockId, CallbackId
from bot.slack.mrkdwn import quote
from storage.models import Delegation


@dataclass(frozen=True)
class TextQuestion:
    """One multi-line answer a modal asks for, and where the answer is read back."""

    block_id: BlockId
    action_id: ActionId
    label: str
    max_length: int
    optional: bool = True
    placeholder: str | None = None


def question_modal(
    *,
    callback_id: CallbackId,
    metadata: str,
    title: str,
    submit: str,
    question: TextQuestion,
    footnote: str,
    about: str | None = None,
) -> View:
    """A modal that asks one written question, optionally about the item's task (``about``
    is the headline before the quoted task)."""
    blocks: list[Block] = []
    if about is not None:
        blocks.append(SectionBlock(text=MarkdownTextObject(text=about)))
    blocks += [
        InputBlock(
            block_id=question.block_id,
            label=question.label,
            optional=question.optional,
            element=PlainTextInputElement(
                action_id=question.action_id,
                multiline=True,
                max_length=question.max_length,
                placeholder=question.placeholder,
            ),
        ),
        context(footnote),
    ]
    return View(
        type="modal",
        callback_id=callback_id,
        private_metadata=metadata,
        title=title[:24],
        submit=submit,
        close="Cancel",
        blocks=blocks,
    )


def decline_modal(delegation: Delegation) -> View:
    return question_modal(
        callback_id=CallbackId.DECLINE_MODAL,
        metadata=str(delegation.id),
        title="Decline delegation",
        submit="Decline",
        about=f"You are declining:\n{quote(delegation.task, 2700)}",
        question=TextQuestion(
            block_id=BlockId.DECLINE_REASON,
            action_id=ActionId.DECLINE_REASON,
            label="Reason (optional)",
            max_length=MAX_REASON_LENGTH,
            placeholder="Why not, or who might be better placed?",
        ),
        footnote="The person who delegated this will see your reason.",
    )


def delegate_modal(*, channel_id: str | None) -> View:
    return View(
        type="modal",
        callback_id=CallbackId.DELEGATE_MODAL,
        private_metadata=channel_id or "",
        title="Delegate a task",
        submit="Offer",
        close="Cancel",
        blocks=[
            InputBlock(
                block_id=BlockId.NEW_ASSIGNEE,
                label="Who should do it?",
                element=UserSelectElement(action_id=ActionId.NEW_ASSIGNEE),
            ),
            InputBlock(
                block_id=BlockId.NEW_TASK,
                label="Task",
                element=PlainTextInputElement(
                    action_id=ActionId.NEW_TASK, multiline=True, max_length=MAX_TASK_LENGTH
                ),
            ),
            InputBlock(
                block_id=BlockId.NEW_DUE,
                label="Due (optional)",
                optional=True,
                hint='In your timezone, e.g. "friday", "tomorrow 17:00", "in 3 days".',
                element=PlainTextInputElement(action_id=ActionId.NEW_DUE, max_length=100),
            ),
        ],
    )
