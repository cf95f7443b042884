"""Messages of the conversation around an offer: questions and answers, due-date proposals
and their outcome, reassignment and cancellation."""

from __future__ import annotations

from datetime import datetime

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    MarkdownTextObject,
    SectionBlock,
)

from bot.slack.blocks.common import Rendered, context, task_title
from bot.slack.ids import ActionId, BlockId
from bot.slack.mrkdwn import local_time, mention, quote
from storage.models import Delegation, Event


def _section(text: str) -> SectionBlock:
    return SectionBlock(text=MarkdownTextObject(text=text))


def _said(label: str, text: str | None) -> SectionBlock:
    return _section(f"*{label}*\n{quote(text or '', 2800)}" if text else f"_{label}: none given._")


def _moment(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text.replace("Z", "+00:00")) if text else None


def question_message(delegation: Delegation, asked: Event, *, answered: str | None) -> Rendered:
    """To the delegator: the assignee's question, with an Answer button until answered."""
    who = mention(delegation.assignee_id)
    blocks: list[Block] = [
        _section(
            f":grey_question: {who} has a question before accepting:\n{quote(delegation.task, 600)}"
        ),
        _said("Question", asked.data.get("question")),
    ]
    if answered is None:
        blocks.append(
            ActionsBlock(
                block_id=BlockId.ANSWER_ACTIONS,
                elements=[
                    ButtonElement(
                        text="Answer",
                        action_id=ActionId.ANSWER_QUESTION,
                        value=str(asked.id),
                        style="primary",
                    )
                ],
            )
        )
        blocks.append(context("The acceptance clock is paused until you answer."))
    else:
        blocks.append(_said("You answered", answered))
    text = f"{who} asked about: {task_title(delegation.task)}"
    return Rendered(text=text, blocks=blocks)


def answer_message(delegation: Delegation, asked: Event, answered: Event) -> Rendered:
    """To the assignee: the delegator's answer; the offer's buttons are still on the offer."""
    who = mention(delegation.delegator_id)
    blocks: list[Block] = [
        _section(
            f":speech_balloon: {who} answered your question about:\n{quote(delegation.task, 600)}"
        ),
        _said("You asked", asked.data.get("question")),
        _said("Answer", answered.data.get("answer")),
    ]
    if delegation.status == "offered":
        blocks.append(context("Accept or decline on the offer; the clock is running again."))
    return Rendered(text=f"{who} answered your question", blocks=blocks)


def due_proposal_message(
    delegation: Delegation, proposal: Event, *, tz: str | None, outcome: str | None = None
) -> Rendered:
    """To the delegator: a proposed due date, with Approve / Reject until decided."""
    who = mention(delegation.assignee_id)
    proposed = local_time(_moment(proposal.data.get("due")), tz)
    was = local_time(_moment(proposal.data.get("previous")), tz)
    blocks: list[Block] = [
        _section(f":calendar: {who} proposes a new due date for:\n{quote(delegation.task, 600)}"),
        SectionBlock(
            fields=[
                MarkdownTextObject(text=f"*Proposed*\n{proposed}"),
                MarkdownTextObject(text=f"*Now*\n{was}"),
            ]
        ),
        _said("Reason", proposal.data.get("reason")),
    ]
    if outcome is None:
        blocks.append(
            ActionsBlock(
                block_id=BlockId.DUE_ACTIONS,
                elements=[
                    ButtonElement(
                        text="Approve",
                        action_id=ActionId.APPROVE_DUE,
                        value=str(proposal.id),
                        style="primary",
                    ),
                    ButtonElement(
                        text="Keep the date", action_id=ActionId.REJECT_DUE, value=str(proposal.id)
                    ),
                ],
            )
        )
    else:
        blocks.append(context(outcome))
    return Rendered(text=f"{who} proposes a new due date: {proposed}", blocks=blocks)


def due_decided_message(delegation: Delegation, *, approved: bool, tz: str | None) -> Rendered:
    """To the assignee: what became of their proposal."""
    who = mention(delegation.delegator_id)
    due = local_time(delegation.due_at, tz)
    if approved:
        head = f":white_check_mark: {who} *approved* your new due date: {due}."
    else:
        head = f":no_entry_sign: {who} kept the due date: {due}."
    return Rendered(
        text=head.replace("*", ""),
        blocks=[_section(f"{head}\n{quote(delegation.task, 600)}")],
    )


def reassigned_notice(delegation: Delegation) -> Rendered:
    """To the person it was taken from (also replaces their offer)."""
    head = (
        f":arrows_counterclockwise: {mention(delegation.delegator_id)} reassigned this to "
        f"{mention(delegation.assignee_id)}. Nothing more is needed from you."
    )
    return Rendered(text=head, blocks=[_section(f"{head}\n{quote(delegation.task, 600)}")])


def cancelled_notice(delegation: Delegation, *, actor: str) -> Rendered:
    head = f":wastebasket: {mention(actor)} cancelled this delegation. You can let it go."
    return Rendered(text=head, blocks=[_section(f"{head}\n{quote(delegation.task, 600)}")])
