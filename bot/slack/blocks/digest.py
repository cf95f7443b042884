"""The weekly digest as Block Kit: a header, figures as fields, the oldest open items and
the load per person, inside Slack's limits whatever the numbers."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from slack_sdk.models.blocks import (
    Block,
    ButtonElement,
    DividerBlock,
    HeaderBlock,
    MarkdownTextObject,
    SectionBlock,
)

from bot.domain.digest import Digest, OpenItem
from bot.render.digest_format import age, escalation_breakdown, headline_figures, span, title
from bot.slack.blocks.common import Rendered, context
from bot.slack.ids import ActionId
from bot.slack.mrkdwn import escaped_clip, mention

TASKS_KEPT_PRIVATE = (
    "Tasks are not quoted here: *Details* shows an item to the people on it and those "
    "above them in the chain."
)


def first_line(text: str) -> str:
    return text.strip().splitlines()[0] if text.strip() else ""


def digest_message(digest: Digest, *, names: Mapping[str, str] | None = None) -> Rendered:
    """``names``: people's Slack names, shown as plain text instead of mentions, so a
    channel's weekly digest notifies nobody it lists; without one, mentions (a lead's own
    digest is a DM, where a mention notifies no one)."""
    now = digest.current

    def who(person: str) -> str:
        return (
            escaped_clip(f"@{names[person]}", 80) if names and person in names else mention(person)
        )

    heading = title(digest)
    blocks: list[Block] = [HeaderBlock(text=heading)]
    if now.empty and not now.open_items:
        blocks.append(
            SectionBlock(
                text=MarkdownTextObject(
                    text="A quiet week: nothing was delegated, accepted, finished or escalated."
                )
            )
        )
    else:
        fields = [
            MarkdownTextObject(text=f"*{label}*\n{value}")
            for label, value in headline_figures(digest)
        ]
        blocks.append(SectionBlock(fields=fields[:10]))
        breakdown = escalation_breakdown(now)
        if breakdown:
            blocks.append(SectionBlock(text=MarkdownTextObject(text=f"*Escalations*\n{breakdown}")))
        if now.oldest:
            blocks.append(DividerBlock())
            blocks.append(SectionBlock(text=MarkdownTextObject(text="*Oldest open items*")))
            blocks += [_open_item(item, now.end, who(item.assignee)) for item in now.oldest]
            if any(item.task is None for item in now.oldest):
                blocks.append(context(TASKS_KEPT_PRIVATE))
        if now.load:
            load = [
                MarkdownTextObject(
                    text=f"{who(person)}\n{open_count} open"
                    + (f" · {overdue} overdue" if overdue else "")
                )
                for person, open_count, overdue in now.load[:10]
            ]
            blocks.append(
                SectionBlock(text=MarkdownTextObject(text="*Load per person*"), fields=load)
            )
    scope = " · items delegated by you and the people below you" if digest.lead else ""
    blocks.append(context(f'{span(digest)}{scope} · "was" is the window before.'))
    text = (
        f"{heading}: {now.created} delegated, {now.completed} completed, "
        f"{now.escalations} escalations, {now.open_items} open"
    )
    return Rendered(text=text, blocks=blocks)


def _open_item(item: OpenItem, end: datetime, assignee: str) -> SectionBlock:
    """One old item, with a button that opens its details and history."""
    task = "" if item.task is None else f" {escaped_clip(first_line(item.task), 80)}"
    return SectionBlock(
        text=MarkdownTextObject(
            text=f"#{item.delegation_id}{task} · {assignee} · open {age(item.created_at, end)}"
        ),
        accessory=ButtonElement(
            text="Details", action_id=ActionId.ITEM_DETAILS, value=str(item.delegation_id)
        ),
    )
