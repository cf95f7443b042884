"""Direct messages to the delegator about a change of state."""

from __future__ import annotations

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ConfirmObject,
    MarkdownTextObject,
    SectionBlock,
)

from bot.slack.blocks.common import Rendered, context, task_title
from bot.slack.blocks.serialize import rendered_once
from bot.slack.ids import ActionId, BlockId
from bot.slack.mrkdwn import escaped_clip, local_time, mention, quote
from storage.enums import EventType
from storage.models import Delegation

_VERBS: dict[str, str] = {
    EventType.ACCEPTED: ":white_check_mark: {who} *accepted* your delegation.",
    EventType.DECLINED: ":no_entry_sign: {who} *declined* your delegation.",
    EventType.COMPLETED: ":tada: {who} marked your delegation *done*.",
    EventType.CANCELLED: ":wastebasket: {who} cancelled this delegation.",
}


def delegator_notice(
    delegation: Delegation, *, what: str, actor: str, delegator_tz: str | None
) -> Rendered:
    headline = _VERBS[what].format(who=mention(actor))
    body = f"{headline}\n{quote(delegation.task)}"
    blocks: list[Block] = [SectionBlock(text=MarkdownTextObject(text=body))]
    if what == EventType.DECLINED:
        reason = delegation.decline_reason
        said = f"*Reason:* {escaped_clip(reason, 2000)}" if reason else "_No reason given._"
        blocks.append(SectionBlock(text=MarkdownTextObject(text=said)))
    blocks += [
        context(f"Due {local_time(delegation.due_at, delegator_tz)} · item #{delegation.id}"),
    ]
    if what == EventType.ACCEPTED:
        blocks.append(
            ActionsBlock(
                block_id=BlockId.NOTICE_ACTIONS,
                elements=[
                    ButtonElement(
                        text="Escalate", action_id=ActionId.ESCALATE, value=str(delegation.id)
                    ),
                    *delegator_buttons(delegation),
                ],
            )
        )
    text = f"{_VERBS[what].format(who=mention(actor))} Task: {task_title(delegation.task)}"
    return Rendered(text=text.replace("*", ""), blocks=blocks)


CANCEL_CONFIRM = rendered_once(
    ConfirmObject(
        title="Cancel this delegation?",
        text="The assignee is told and its buttons stop working.",
        confirm="Cancel it",
        deny="Keep it",
    )
)


def delegator_buttons(delegation: Delegation) -> list[ButtonElement]:
    """What the delegator can do to an open item: hand it to someone else, or take it back."""
    return [
        ButtonElement(text="Reassign", action_id=ActionId.REASSIGN, value=str(delegation.id)),
        ButtonElement(
            text="Cancel",
            action_id=ActionId.CANCEL,
            value=str(delegation.id),
            style="danger",
            confirm=CANCEL_CONFIRM,
        ),
    ]
