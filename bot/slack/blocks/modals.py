"""Modals: the delegate form and the decline form."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from slack_sdk.models.blocks import (
    Block,
    DatePickerElement,
    InputBlock,
    MarkdownTextObject,
    Option,
    PlainTextInputElement,
    SectionBlock,
    StaticSelectElement,
    TimePickerElement,
    UserSelectElement,
)
from slack_sdk.models.views import View

from bot.domain.delegations import MAX_REASON_LENGTH, MAX_TASK_LENGTH
from bot.slack.blocks.common import context
from bot.slack.ids import ActionId, BlockId, CallbackId
from bot.slack.mrkdwn import quote
from storage.models import Delegation

MAX_CONTEXT_LENGTH = 1000


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
            label="Reason",
            max_length=MAX_REASON_LENGTH,
            placeholder="Why not, or who might be better placed?",
        ),
        footnote="The person who delegated this will see your reason.",
    )


# the delegate form's check-in choices: option value -> (label, interval; zero asks for none)
CADENCES: dict[str, tuple[str, timedelta]] = {
    "1d": ("Daily", timedelta(days=1)),
    "2d": ("Every 2 days", timedelta(days=2)),
    "7d": ("Weekly", timedelta(days=7)),
    "none": ("No check-ins", timedelta(0)),
}


def delegate_modal(*, channel_id: str | None, task: str = "", context_text: str = "") -> View:
    """The delegate form; a message shortcut fills in the message and a link back to it."""
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
                    action_id=ActionId.NEW_TASK,
                    multiline=True,
                    max_length=MAX_TASK_LENGTH,
                    initial_value=task[:MAX_TASK_LENGTH] or None,
                ),
            ),
            InputBlock(
                block_id=BlockId.NEW_DUE,
                label="Due date",
                optional=True,
                hint="In your timezone.",
                element=DatePickerElement(action_id=ActionId.NEW_DUE),
            ),
            InputBlock(
                block_id=BlockId.NEW_DUE_TIME,
                label="Due time",
                optional=True,
                hint="Without a time, the end of the working day.",
                element=TimePickerElement(action_id=ActionId.NEW_DUE_TIME),
            ),
            InputBlock(
                block_id=BlockId.NEW_CADENCE,
                label="Check-ins",
                optional=True,
                hint="Without a choice, the team's usual cadence.",
                element=StaticSelectElement(
                    action_id=ActionId.NEW_CADENCE,
                    options=[
                        Option(value=value, label=label) for value, (label, _) in CADENCES.items()
                    ],
                ),
            ),
            InputBlock(
                block_id=BlockId.NEW_CONTEXT,
                label="Context",
                optional=True,
                element=PlainTextInputElement(
                    action_id=ActionId.NEW_CONTEXT,
                    multiline=True,
                    max_length=MAX_CONTEXT_LENGTH,
                    initial_value=context_text[:MAX_CONTEXT_LENGTH] or None,
                ),
            ),
        ],
    )
