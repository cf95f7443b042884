"""The digest for a terminal (`steward digest`): plain, aligned text."""

from __future__ import annotations

from bot.domain.digest import Digest
from bot.render.digest_format import age, escalation_breakdown, headline_figures, span, title


def digest_text(digest: Digest) -> str:
    now = digest.current
    lines = [title(digest, reader=digest.lead or ""), span(digest), ""]
    width = max(len(label) for label, _ in headline_figures(digest))
    lines += [f"  {label:<{width}}  {value}" for label, value in headline_figures(digest)]
    breakdown = escalation_breakdown(now)
    if breakdown:
        lines += ["", "Escalations", *(f"  {line}" for line in breakdown.splitlines())]
    if now.oldest:
        lines += ["", "Oldest open items"]
        lines += [
            f"  #{item.delegation_id}{_task(item.task)}"
            f" ({item.assignee}, open {age(item.created_at, now.end)})"
            for item in now.oldest
        ]
    if now.load:
        lines += ["", "Load per person"]
        lines += [
            f"  {person}: {open_count} open" + (f", {overdue} overdue" if overdue else "")
            for person, open_count, overdue in now.load
        ]
    if now.empty and not now.open_items:
        lines += ["", "A quiet week: nothing was delegated, accepted, finished or escalated."]
    return "\n".join(lines) + "\n"


def _task(task: str | None) -> str:
    """The task's first line after the item's number; nothing when the digest names none."""
    if task is None:
        return ""
    return f" {task.splitlines()[0][:70] if task else ''}"
