"""The App Home tab: what is delegated to the viewer, by them, and escalated to them, each
item with the buttons that make sense for this viewer. Always under Slack's 100 blocks."""

from __future__ import annotations

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    DividerBlock,
    HeaderBlock,
    MarkdownTextObject,
    SectionBlock,
)
from slack_sdk.models.views import View

from bot.domain.home import Home, Section
from bot.slack.blocks.common import context, task_title
from bot.slack.blocks.notices import delegator_buttons
from bot.slack.ids import ActionId
from bot.slack.mrkdwn import local_time, mention
from storage.enums import CheckinStatus, DelegationStatus
from storage.models import Delegation, Escalation

MAX_BLOCKS = 100


def home_view(home: Home, *, viewer_tz: str | None) -> View:
    blocks: list[Block] = [
        HeaderBlock(text="Your delegations"),
        context("Type `/delegate @someone what to do by when` anywhere to hand over a task."),
    ]
    sections = (
        ("Delegated to you", home.to_me, "to_me"),
        ("Delegated by you", home.by_me, "by_me"),
        ("Escalated to you", home.escalated_to_me, "escalated"),
    )
    for title, section, role in sections:
        blocks += [DividerBlock(), _title(title, section)]
        for item in section.items:
            blocks.append(_item(item, home, role=role, tz=viewer_tz))
            buttons = _buttons(item, role=role, escalation=home.escalations.get(item.id or 0))
            if buttons:
                blocks.append(ActionsBlock(elements=buttons))
        if section.total > len(section.items):
            more = section.total - len(section.items)
            blocks.append(context(f"…and {more} more, soonest due first. `/delegate list`"))
    return View(type="home", blocks=blocks[:MAX_BLOCKS])


def _title(title: str, section: Section) -> SectionBlock:
    if not section.total:
        return SectionBlock(text=MarkdownTextObject(text=f"*{title}*\n_Nothing here._"))
    return SectionBlock(text=MarkdownTextObject(text=f"*{title}* ({section.total})"))


def _item(item: Delegation, home: Home, *, role: str, tz: str | None) -> SectionBlock:
    other = (
        f"from {mention(item.delegator_id)}"
        if role == "to_me"
        else f"to {mention(item.assignee_id)}"
    )
    state = (
        ":hourglass_flowing_sand: waiting for acceptance"
        if item.status == DelegationStatus.OFFERED
        else ":white_check_mark: accepted"
    )
    if item.overdue_at is not None:
        state = ":rotating_light: *overdue*"
    details = [state, f"due {local_time(item.due_at, tz)}"]
    answer = home.last_answers.get(item.id or 0)
    if answer is not None and answer.status:
        details.append(f"last check-in: {CheckinStatus(answer.status).label}")
    text = f"*{task_title(item.task, 120)}* {other} · #{item.id}\n" + " · ".join(details)
    return SectionBlock(text=MarkdownTextObject(text=text))


def _buttons(item: Delegation, *, role: str, escalation: Escalation | None) -> list[ButtonElement]:
    value = str(item.id)
    offered = item.status == DelegationStatus.OFFERED
    if role == "to_me" and offered:
        return [
            ButtonElement(text="Accept", action_id=ActionId.ACCEPT, value=value, style="primary"),
            ButtonElement(text="Decline", action_id=ActionId.DECLINE, value=value),
            ButtonElement(text="Ask a question", action_id=ActionId.ASK_QUESTION, value=value),
        ]
    if role == "to_me":
        return [
            ButtonElement(text="Done", action_id=ActionId.DONE, value=value, style="primary"),
            ButtonElement(text="Escalate", action_id=ActionId.ESCALATE, value=value),
            ButtonElement(text="Propose a new date", action_id=ActionId.PROPOSE_DUE, value=value),
        ]
    if role == "by_me":
        return delegator_buttons(item)
    if escalation is not None:
        return [
            ButtonElement(
                text="Acknowledge",
                action_id=ActionId.ACKNOWLEDGE,
                value=str(escalation.id),
                style="primary",
            ),
            ButtonElement(text="Details", action_id=ActionId.ITEM_DETAILS, value=value),
        ]
    return []
