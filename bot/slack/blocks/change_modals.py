"""Modals for the conversation around an item: a question, its answer, a new due date,
and a new assignee."""

from __future__ import annotations

from slack_sdk.models.blocks import (
    DatePickerElement,
    InputBlock,
    MarkdownTextObject,
    PlainTextInputElement,
    SectionBlock,
    TimePickerElement,
    UserSelectElement,
)
from slack_sdk.models.views import View

from bot.domain.delegations import MAX_REASON_LENGTH
from bot.domain.questions import MAX_QUESTION_LENGTH
from bot.slack.blocks.common import context
from bot.slack.blocks.modals import TextQuestion, question_modal
from bot.slack.ids import ActionId, BlockId, CallbackId
from bot.slack.mrkdwn import quote
from storage.models import Delegation, Event


def ask_modal(delegation: Delegation) -> View:
    return question_modal(
        callback_id=CallbackId.QUESTION_MODAL,
        metadata=str(delegation.id),
        title="Ask a question",
        submit="Ask",
        about=f"Before you accept:\n{quote(delegation.task, 2700)}",
        question=TextQuestion(
            block_id=BlockId.QUESTION,
            action_id=ActionId.QUESTION_INPUT,
            label="Your question",
            max_length=MAX_QUESTION_LENGTH,
            optional=False,
        ),
        footnote="It goes to the person who delegated this. The acceptance clock pauses "
        "until they answer.",
    )


def answer_modal(delegation: Delegation, asked: Event) -> View:
    question = str(asked.data.get("question") or "")
    return question_modal(
        callback_id=CallbackId.ANSWER_MODAL,
        metadata=str(asked.id),
        title="Answer the question",
        submit="Answer",
        about=f"About:\n{quote(delegation.task, 1200)}\n*Question*\n{quote(question, 1400)}",
        question=TextQuestion(
            block_id=BlockId.ANSWER,
            action_id=ActionId.ANSWER_INPUT,
            label="Your answer",
            max_length=MAX_QUESTION_LENGTH,
            optional=False,
        ),
        footnote="Your answer goes straight back to them.",
    )


def propose_due_modal(delegation: Delegation) -> View:
    return _form(
        delegation,
        callback_id=CallbackId.PROPOSE_DUE_MODAL,
        title="Propose a new date",
        submit="Propose",
        inputs=[
            InputBlock(
                block_id=BlockId.DUE_DATE,
                label="New due date",
                element=DatePickerElement(action_id=ActionId.DUE_DATE_INPUT),
            ),
            InputBlock(
                block_id=BlockId.DUE_TIME,
                label="Time",
                optional=True,
                element=TimePickerElement(action_id=ActionId.DUE_TIME_INPUT),
            ),
            InputBlock(
                block_id=BlockId.DUE_REASON,
                label="Why",
                optional=True,
                element=PlainTextInputElement(
                    action_id=ActionId.DUE_REASON_INPUT,
                    multiline=True,
                    max_length=MAX_REASON_LENGTH,
                ),
            ),
        ],
        footnote="In your timezone. The person who delegated this approves or keeps the date.",
    )


def reassign_modal(delegation: Delegation) -> View:
    return _form(
        delegation,
        callback_id=CallbackId.REASSIGN_MODAL,
        title="Reassign",
        submit="Reassign",
        inputs=[
            InputBlock(
                block_id=BlockId.REASSIGN_TO,
                label="Who should do it instead?",
                element=UserSelectElement(action_id=ActionId.REASSIGN_INPUT),
            )
        ],
        footnote="They get a fresh offer to accept; the current assignee is told.",
    )


def _form(
    delegation: Delegation,
    *,
    callback_id: CallbackId,
    title: str,
    submit: str,
    inputs: list[InputBlock],
    footnote: str,
) -> View:
    """A form about one item: its task quoted on top, the inputs, a footnote."""
    return View(
        type="modal",
        callback_id=callback_id,
        private_metadata=str(delegation.id),
        title=title,
        submit=submit,
        close="Cancel",
        blocks=[
            SectionBlock(text=MarkdownTextObject(text=quote(delegation.task, 2900))),
            *inputs,
            context(footnote),
        ],
    )
