"""The assignee's copy of a delegation: the offer, then where it stands."""

from __future__ import annotations

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    MarkdownTextObject,
    SectionBlock,
)

from bot.slack.blocks.common import Rendered, context, task_title
from bot.slack.ids import ActionId, BlockId
from bot.slack.mrkdwn import escaped_clip, local_time, mention, quote
from storage.enums import DelegationStatus
from storage.models import Delegation


def offer_message(delegation: Delegation, *, assignee_tz: str | None) -> Rendered:
    headline = f"{mention(delegation.delegator_id)} would like to hand you a task."
    blocks: list[Block] = [
        SectionBlock(text=MarkdownTextObject(text=f"{headline}\n{quote(delegation.task)}")),
        _due_fields(delegation, assignee_tz),
        ActionsBlock(
            block_id=BlockId.OFFER_ACTIONS,
            elements=[
                _button("Accept", ActionId.ACCEPT, delegation, style="primary"),
                _button("Decline", ActionId.DECLINE, delegation, style="danger"),
                _button("Ask a question", ActionId.ASK_QUESTION, delegation),
                _button("Propose a new date", ActionId.PROPOSE_DUE, delegation),
            ],
        ),
        context(
            "It only counts as yours once you accept. Declining asks for a reason; a question "
            "pauses the acceptance clock until it is answered."
        ),
    ]
    text = f"{mention(delegation.delegator_id)} delegated to you: {task_title(delegation.task)}"
    return Rendered(text=text, blocks=blocks)


def settled_message(delegation: Delegation, *, assignee_tz: str | None) -> Rendered:
    """The offer after it was answered: the outcome, and only the buttons still meaningful."""
    status = DelegationStatus(delegation.status)
    headline = f"From {mention(delegation.delegator_id)}:"
    blocks: list[Block] = [
        SectionBlock(text=MarkdownTextObject(text=f"{headline}\n{quote(delegation.task)}")),
        _due_fields(delegation, assignee_tz),
    ]
    outcome = {
        DelegationStatus.ACCEPTED: ":white_check_mark: You accepted this.",
        DelegationStatus.DECLINED: ":no_entry_sign: You declined this.",
        DelegationStatus.COMPLETED: ":tada: Done. Thank you!",
        DelegationStatus.CANCELLED: ":wastebasket: This delegation was cancelled.",
        DelegationStatus.OFFERED: "Waiting for your answer.",
    }[status]
    if status is DelegationStatus.DECLINED and delegation.decline_reason:
        outcome += f" Reason: {escaped_clip(delegation.decline_reason, 500)}"
    blocks.append(context(outcome))
    if status is DelegationStatus.ACCEPTED:
        blocks.append(
            ActionsBlock(
                block_id=BlockId.OFFER_ACTIONS,
                elements=[
                    _button("Done", ActionId.DONE, delegation, style="primary"),
                    _button("Escalate", ActionId.ESCALATE, delegation),
                    _button("Propose a new date", ActionId.PROPOSE_DUE, delegation),
                ],
            )
        )
    text = f"{outcome} Task: {task_title(delegation.task)}"
    return Rendered(text=text, blocks=blocks)


def _due_fields(delegation: Delegation, tz: str | None) -> SectionBlock:
    return SectionBlock(
        fields=[
            MarkdownTextObject(text=f"*Due*\n{local_time(delegation.due_at, tz)}"),
            MarkdownTextObject(text=f"*From*\n{mention(delegation.delegator_id)}"),
        ]
    )


def _button(
    label: str, action_id: ActionId, delegation: Delegation, *, style: str | None = None
) -> ButtonElement:
    return ButtonElement(text=label, action_id=action_id, value=str(delegation.id), style=style)
