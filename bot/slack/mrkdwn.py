"""Safe rendering of text into Slack's mrkdwn."""

from __future__ import annotations

from datetime import datetime

from bot.domain.due_dates import zone

ELLIPSIS = "…"


def escape(text: str) -> str:
    """Escape exactly what Slack asks: &, < and >. This alone turns <!channel>, <!here>,
    <@U…> and links typed by a user into literal text."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def unescape(text: str) -> str:
    """Text as its author typed it: Slack sends &, < and > escaped, in messages and in slash
    command text alike. Undo ``escape`` only; real mentions and links stay as Slack sent them."""
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def mention(user_id: str) -> str:
    """A real mention of a user id Steward itself resolved (never of user-typed text)."""
    return f"<@{user_id}>"


def local_time(moment: datetime | None, tz: str | None, *, empty: str = "no due date") -> str:
    """``moment`` on the reader's own clock: "Fri 27 Nov 2026, 18:00 (Europe/Paris)"."""
    if moment is None:
        return empty
    reader_zone = zone(tz)
    local = moment.astimezone(reader_zone)
    return f"{local:%a %d %b %Y, %H:%M} ({reader_zone.key})"


def escaped_clip(text: str, limit: int) -> str:
    """``text`` escaped, fitting in ``limit`` characters: whole when it fits, else as many
    of its characters as fit beside an ellipsis, each whole (never a cut ``&am``)."""
    escaped = escape(text)
    if len(escaped) <= limit:
        return escaped
    budget = limit - len(ELLIPSIS)
    # the longest prefix whose escaped form fits; escaping never shortens, so at most budget
    fits, too_long = 0, min(len(text), max(budget, 0)) + 1
    while too_long - fits > 1:
        middle = (fits + too_long) // 2
        if len(escape(text[:middle])) <= budget:
            fits = middle
        else:
            too_long = middle
    return escape(text[:fits]) + ELLIPSIS


def quote(text: str, limit: int = 2500) -> str:
    """User text as a mrkdwn block quote, escaped, and clipped so that the quote, with its
    ">" on every line, is at most ``limit`` characters."""
    budget = limit
    while True:
        lines = escaped_clip(text, budget).splitlines() or [""]
        quoted = "\n".join(f">{line}" for line in lines)
        if len(quoted) <= limit:
            return quoted
        budget -= len(quoted) - limit
