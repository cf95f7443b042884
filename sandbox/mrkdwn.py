"""Slack's mrkdwn, read the way a Slack client reads it, for the sandbox's page and transcript.

Text arrives Slack-escaped: ``&amp;``, ``&lt;`` and ``&gt;`` are characters, and a real ``<``
only opens a special token (a mention, a channel, a link, ``<!here>``…). Everything a person
typed is therefore text, and the HTML built here escapes it again, so no text can add tags or
attributes to the page.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

from bot.slack.mrkdwn import unescape  # Slack's three entities, nothing else

SAFE_URL_SCHEMES = ("http://", "https://", "mailto:")
# the shortcodes Steward's messages use, shown as Slack shows them; others stay as text
EMOJI = {
    "alarm_clock": "⏰",
    "arrows_counterclockwise": "🔄",
    "bell": "🔔",
    "calendar": "📆",
    "grey_question": "❔",
    "handshake": "🤝",
    "hourglass_flowing_sand": "⏳",
    "large_green_circle": "🟢",
    "large_yellow_circle": "🟡",
    "lock": "🔒",
    "no_entry_sign": "🚫",
    "red_circle": "🔴",
    "rotating_light": "🚨",
    "sparkles": "✨",
    "speech_balloon": "💬",
    "tada": "🎉",
    "warning": "⚠️",
    "wastebasket": "🗑️",
    "white_check_mark": "✅",
    "zipper_mouth_face": "🤐",
}

_PRE = re.compile(r"```(.*?)```", re.DOTALL)
_CODE = re.compile(r"`([^`\n]+)`")
_TOKEN = re.compile(r"<([^<>\n]*)>")
_EMOJI = re.compile(r":([a-z0-9_+\-]+):")
# a placeholder for a piece already rendered, so emphasis never looks inside it
_HOLE_OPEN, _HOLE_CLOSE = "\ue000", "\ue001"
_HOLE = re.compile(f"{_HOLE_OPEN}(\\d+){_HOLE_CLOSE}")
_EMPHASIS = {
    "b": re.compile(r"(?<![\w*])\*(?=\S)([^*\n]+?)(?<=\S)\*(?![\w*])"),
    "i": re.compile(r"(?<![\w])_(?=\S)([^_\n]+?)(?<=\S)_(?![\w])"),
    "s": re.compile(r"(?<![\w~])~(?=\S)([^~\n]+?)(?<=\S)~(?![\w~])"),
}
_BROADCASTS = {"here": "@here", "channel": "@channel", "everyone": "@everyone"}


def is_safe_url(url: str) -> bool:
    return url.lower().startswith(SAFE_URL_SCHEMES)


@dataclass(frozen=True)
class _Token:
    """What one ``<…>`` token means: the text shown, a link target, and how it is styled."""

    label: str
    url: str | None = None
    kind: str = "text"  # "mention", "link" or "text"


def read_token(inner: str, names: Mapping[str, str]) -> _Token:
    """The meaning of ``<inner>``; inner is still Slack-escaped."""
    target, _, label = inner.partition("|")
    target, label = unescape(target), unescape(label)
    if target.startswith("@"):
        return _Token(f"@{names.get(target[1:]) or label or target[1:]}", kind="mention")
    if target.startswith("#"):
        return _Token(f"#{label or names.get(target[1:]) or target[1:]}", kind="mention")
    if target.startswith("!date^"):
        return _Token(label or _date(target) or target)
    if target.startswith("!"):
        return _Token(_special(target[1:], label), kind="mention")
    if is_safe_url(target):
        return _Token(label or target, url=target, kind="link")
    return _Token(label or target)


def _special(command: str, label: str) -> str:
    """``<!here>``, ``<!subteam^S1|@team>`` and the like, as inert text."""
    name, _, rest = command.partition("^")
    if name in _BROADCASTS:
        return _BROADCASTS[name]
    if label:
        return label
    return f"@{rest or name}"


def _date(target: str) -> str | None:
    """``!date^1700000000^{date_short}`` without a fallback: the moment, in UTC."""
    stamp = target.split("^")[1]
    try:
        return f"{datetime.fromtimestamp(int(stamp), UTC):%a %d %b %Y, %H:%M} UTC"
    except (ValueError, OverflowError):
        return None


@dataclass(frozen=True)
class _Flavour:
    """How each piece of mrkdwn is written out: as HTML, or as plain text."""

    text: Callable[[str], str]  # characters (already unescaped) -> output
    token: Callable[[_Token], str]
    code: Callable[[str], str]
    pre: Callable[[str], str]
    emphasis: Mapping[str, str]  # "b"/"i"/"s" -> a template around {0}
    quote: Callable[[list[str]], str]
    line_break: str


def _html_text(text: str) -> str:
    escaped = html.escape(text, quote=True)
    return _EMOJI.sub(lambda found: EMOJI.get(found[1], found[0]), escaped)


def _html_token(token: _Token) -> str:
    label = html.escape(token.label, quote=True)
    if token.kind == "link" and token.url is not None:
        href = html.escape(token.url, quote=True)
        return f'<a href="{href}" target="_blank" rel="noopener">{label}</a>'
    if token.kind == "mention":
        return f'<span class="bk-mention">{label}</span>'
    return label


def _text_token(token: _Token) -> str:
    if token.url is not None and token.label != token.url:
        return f"{token.label} ({token.url})"
    return token.label


_HTML = _Flavour(
    text=_html_text,
    token=_html_token,
    code=lambda code: f"<code>{html.escape(code, quote=True)}</code>",
    pre=lambda code: f"<pre>{html.escape(code, quote=True)}</pre>",
    emphasis={"b": "<b>{0}</b>", "i": "<i>{0}</i>", "s": "<s>{0}</s>"},
    quote=lambda lines: "<blockquote>" + "<br>".join(lines) + "</blockquote>",
    line_break="<br>",
)
_TEXT = _Flavour(
    text=lambda text: text,
    token=_text_token,
    code=lambda code: f"`{code}`",
    pre=lambda code: "\n" + code.strip("\n") + "\n",
    emphasis={"b": "{0}", "i": "{0}", "s": "{0}"},
    quote=lambda lines: "\n".join(f"> {line}" for line in lines),
    line_break="\n",
)


def mrkdwn_to_html(text: str, *, names: Mapping[str, str]) -> str:
    """Slack-escaped mrkdwn as safe HTML: emphasis, code, quotes, line breaks, mentions shown
    by name, links only to http(s) and mailto addresses."""
    return _render(text, names, _HTML)


def mrkdwn_to_text(text: str, *, names: Mapping[str, str]) -> str:
    """The same, as plain text for a terminal: no markers, links as "label (url)"."""
    return _render(text, names, _TEXT).strip("\n")


def _render(text: str, names: Mapping[str, str], flavour: _Flavour) -> str:
    cleaned = text.replace(_HOLE_OPEN, "\ufffd").replace(_HOLE_CLOSE, "\ufffd")
    parts: list[str] = []
    position = 0
    for found in _PRE.finditer(cleaned):
        before = cleaned[position : found.start()].removesuffix("\n")
        parts.append(_lines(before, names, flavour))
        parts.append(flavour.pre(_plain(found[1], names)))
        position = found.end()
        if cleaned.startswith("\n", position):
            position += 1
    parts.append(_lines(cleaned[position:], names, flavour))
    return "".join(part for part in parts if part)


def _plain(text: str, names: Mapping[str, str]) -> str:
    """Code's characters: tokens as their label, entities as characters, nothing formatted."""
    return unescape(_TOKEN.sub(lambda found: read_token(found[1], names).label, text))


def _lines(text: str, names: Mapping[str, str], flavour: _Flavour) -> str:
    """Lines of text outside code blocks; consecutive ``>`` lines make one quote."""
    if not text:
        return ""
    out: list[str] = []
    quoted: list[str] = []
    for line in text.split("\n"):
        if line.startswith(">"):
            quoted.append(_inline(line[1:].removeprefix(" "), names, flavour))
            continue
        if quoted:
            out.append(flavour.quote(quoted))
            quoted = []
        out.append(_inline(line, names, flavour))
    if quoted:
        out.append(flavour.quote(quoted))
    return _join(out, flavour)


def _join(pieces: list[str], flavour: _Flavour) -> str:
    """Pieces joined by line breaks, except around an HTML quote (a block of its own)."""
    joined = ""
    for index, piece in enumerate(pieces):
        if index and not (flavour is _HTML and _is_quote(pieces[index - 1], piece)):
            joined += flavour.line_break
        joined += piece
    return joined


def _is_quote(before: str, after: str) -> bool:
    return before.startswith("<blockquote>") or after.startswith("<blockquote>")


def _inline(line: str, names: Mapping[str, str], flavour: _Flavour) -> str:
    """One line: code spans and tokens set aside, the rest escaped, then emphasis."""
    holes: list[str] = []

    def hole(rendered: str) -> str:
        holes.append(rendered)
        return f"{_HOLE_OPEN}{len(holes) - 1}{_HOLE_CLOSE}"

    line = _CODE.sub(lambda found: hole(flavour.code(_plain(found[1], names))), line)
    line = _TOKEN.sub(lambda found: hole(flavour.token(read_token(found[1], names))), line)
    pieces = _HOLE.split(line)  # text, hole number, text, hole number, … text
    line = "".join(
        flavour.text(unescape(piece)) if index % 2 == 0 else _hole_mark(piece)
        for index, piece in enumerate(pieces)
    )
    for style, pattern in _EMPHASIS.items():
        template = flavour.emphasis[style]
        line = pattern.sub(lambda found, template=template: template.format(found[1]), line)
    return _HOLE.sub(lambda found: holes[int(found[1])], line)


def _hole_mark(number: str) -> str:
    return f"{_HOLE_OPEN}{number}{_HOLE_CLOSE}"
