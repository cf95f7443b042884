"""Modals: the delegate form and the decline form."""

from __future__ import annotations

from slack_sdk.models.blocks import (
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


def decline_modal(delegation: Delegation) -> View:
    return View(
        type="modal",
        callback_id=CallbackId.DECLINE_MODAL,
        private_metadata=str(delegation.id),
        title="Decline delegation",
        submit="Decline",
        close="Cancel",
        blocks=[
            SectionBlock(
                text=MarkdownTextObject(text=f"You are declining:\n{quote(delegation.task, 2700)}")
            ),
            InputBlock(
                block_id=BlockId.DECLINE_REASON,
                label="Reason (optional)",
                optional=True,
                element=PlainTextInputElement(
                    action_id=ActionId.DECLINE_REASON,
                    multiline=True,
                    max_length=MAX_REASON_LENGTH,
                    placeholder="Why not, or who might be better placed?",
                ),
            ),
            context("The person who delegated this will see your reason."),
        ],
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
