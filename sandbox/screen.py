"""What one person sees in the sandbox's Slack: their conversations with the messages they
can read (ephemeral ones only for them), threads, their open modal, their Home tab and the
clock, as JSON with each message and view already rendered to HTML."""

from __future__ import annotations

from datetime import datetime
from html import escape
from typing import Any
from zoneinfo import ZoneInfo

from sandbox import team
from sandbox.render_html import message_to_html, view_to_html
from sandbox.session import Sandbox

Entry = dict[str, Any]


def screen(sandbox: Sandbox, viewer: str) -> dict[str, Any]:
    member = sandbox.members[viewer]
    now = sandbox.clock.now()
    return {
        "version": sandbox.version,
        "viewer": viewer,
        "clock": {"utc": now.isoformat(), "label": _moment(now, member.tz)},
        "people": [
            {
                "id": person.user_id,
                "name": person.name,
                "title": person.title,
                "tz": person.tz,
                "local": _moment(now, person.tz),
            }
            for person in team.MEMBERS
        ],
        "conversations": [
            {**conversation, "messages": conversation_entries(sandbox, viewer, conversation["id"])}
            for conversation in conversations(sandbox, viewer)
        ],
        "modal": _modal(sandbox, viewer),
        "home": _home(sandbox, viewer),
    }


def conversations(sandbox: Sandbox, viewer: str) -> list[dict[str, str]]:
    channels = [
        {"id": channel.channel_id, "name": f"#{channel.name}", "purpose": channel.purpose}
        for channel in team.CHANNELS
    ]
    direct = {
        "id": sandbox.emulator.dm_channel_for(viewer),
        "name": "Steward",
        "purpose": "your direct messages with the bot",
    }
    return [direct, *channels]


def conversation_entries(sandbox: Sandbox, viewer: str, channel: str) -> list[Entry]:
    """Top-level messages and ephemerals in ts order, each with its thread's replies."""
    names = sandbox.names
    tz = sandbox.members[viewer].tz
    top: list[Entry] = []
    replies: dict[str, list[Entry]] = {}
    for message in sandbox.emulator.messages_in(channel):
        entry = {
            "ts": message["ts"],
            "html": message_to_html(message, names=names),
            "at": _posted(sandbox, message["ts"], tz),
        }
        thread = message.get("thread_ts")
        if thread and thread != message["ts"]:
            replies.setdefault(thread, []).append(entry)
        else:
            top.append(entry)
    for upload in sandbox.emulator.uploads:
        if upload["channel_id"] == channel:
            entry = {"ts": upload["thread_ts"] or "", "html": _upload_html(upload)}
            if upload["thread_ts"]:
                replies.setdefault(upload["thread_ts"], []).append(entry)
            else:
                top.append(entry)
    top += [
        {
            "ts": ts,
            "html": message_to_html(message, names=names),
            "ephemeral": True,
            "author": names.get(author) if author else None,
            "at": _posted(sandbox, ts, tz),
        }
        for ts, message, author in ephemerals_for(sandbox, viewer, channel)
    ]
    top.sort(key=lambda entry: entry["ts"])
    for entry in top:
        entry["replies"] = replies.get(entry["ts"], [])
        entry.setdefault("ephemeral", False)
    return top


def ephemerals_for(
    sandbox: Sandbox, viewer: str, channel: str
) -> list[tuple[str, dict[str, Any], str | None]]:
    """What only ``viewer`` sees in ``channel`` (ts, message, author if not the bot): their
    typed commands and the answers, response_url posts and chat.postEphemeral messages."""
    found = [
        (shown.ts, shown.message, shown.author)
        for shown in sandbox.shown.ephemerals()
        if shown.user == viewer and shown.channel == channel
    ]
    found += [
        (posted["message_ts"], posted, None)
        for posted in list(sandbox.emulator.ephemerals)
        if posted["user"] == viewer and posted["channel"] == channel
    ]
    found += [
        (posted["_ts"], posted, None)
        for posted in list(sandbox.emulator.responses)
        if sandbox.shown.response_owner(posted["_token"]) == (viewer, channel)
    ]
    return found


def _modal(sandbox: Sandbox, viewer: str) -> dict[str, str] | None:
    view_id = sandbox.modals.top(viewer)
    view = sandbox.emulator.views.get(view_id) if view_id else None
    if view is None or view_id is None:
        return None
    errors = sandbox.modals.errors(view_id)
    return {"view_id": view_id, "html": view_to_html(view, names=sandbox.names, errors=errors)}


def _home(sandbox: Sandbox, viewer: str) -> dict[str, str] | None:
    view = sandbox.emulator.home_view(viewer)
    if view is None:
        return None
    return {"view_id": view["id"], "html": view_to_html(view, names=sandbox.names)}


def _upload_html(upload: dict[str, Any]) -> str:
    title = escape(str(upload.get("title") or upload.get("filename") or "file"))
    return (
        f'<figure class="sb-file"><img src="/files/{escape(upload["file_id"])}" alt="{title}">'
        f"<figcaption>{title}</figcaption></figure>"
    )


def _posted(sandbox: Sandbox, ts: str, tz: str) -> str | None:
    at = sandbox.shown.posted_at(ts)
    return f"{at.astimezone(ZoneInfo(tz)):%a %H:%M}" if at else None


def _moment(now: datetime, tz: str) -> str:
    local = now.astimezone(ZoneInfo(tz))
    return f"{local:%a %d %b, %H:%M} ({tz.split('/')[-1].replace('_', ' ')})"
