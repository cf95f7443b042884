"""What every builder returns: a message's fallback text and its blocks."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from slack_sdk.models.blocks import Block, ContextBlock, MarkdownTextObject

from bot.slack.blocks import serialize
from bot.slack.mrkdwn import escaped_clip


@dataclass(frozen=True)
class Rendered:
    text: str  # the notification and accessibility fallback; always sent
    blocks: list[Block] = field(default_factory=list)

    def payload(self) -> dict[str, Any]:
        return {"text": self.text, "blocks": [serialize.to_dict(block) for block in self.blocks]}


def task_title(task: str, limit: int = 80) -> str:
    """A task's first line, escaped and short, for fallback texts and headlines."""
    first_line = task.strip().splitlines()[0] if task.strip() else ""
    return escaped_clip(first_line, limit)


def chunked(lines: list[str], *, limit: int) -> list[str]:
    """``lines`` joined into as few texts of at most ``limit`` characters as they fill, a line
    never split (each must fit on its own), for one section each."""
    chunks: list[str] = []
    current = ""
    for line in lines:
        if current and len(current) + 1 + len(line) > limit:
            chunks.append(current)
            current = ""
        current = f"{current}\n{line}" if current else line
    if current:
        chunks.append(current)
    return chunks


def context(text: str) -> ContextBlock:
    return ContextBlock(elements=[MarkdownTextObject(text=text)])
