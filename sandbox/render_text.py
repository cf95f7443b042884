"""Block Kit as plain text, for the sandbox's terminal transcript: what each person would read
in Slack, with buttons as ``[Accept]`` and form fields as ``Label: ____``."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from sandbox.mrkdwn import mrkdwn_to_text, unescape

Block = Mapping[str, Any]
FIELD_INDENT = "  "
CONTEXT_PREFIX = "  · "
EMPTY_FIELD = "____"


def blocks_to_text(blocks: Sequence[Block], *, names: Mapping[str, str]) -> str:
    """One or more lines per block, in order."""
    return "\n".join(_block(block, names) for block in blocks)


def message_to_text(message: Mapping[str, Any], *, names: Mapping[str, str]) -> str:
    """A message's blocks, or its text when it has none."""
    blocks = message.get("blocks")
    if blocks:
        return blocks_to_text(blocks, names=names)
    return mrkdwn_to_text(str(message.get("text") or ""), names=names)


def _text(obj: Any, names: Mapping[str, str]) -> str:
    if not isinstance(obj, Mapping):
        return unescape(obj) if isinstance(obj, str) else ""
    text = str(obj.get("text") or "")
    return mrkdwn_to_text(text, names=names) if obj.get("type") == "mrkdwn" else unescape(text)


def _block(block: Block, names: Mapping[str, str]) -> str:
    draw = _BLOCKS.get(str(block.get("type")))
    return draw(block, names) if draw else f"[unsupported block: {block.get('type')}]"


def _header(block: Block, names: Mapping[str, str]) -> str:
    text = _text(block.get("text"), names)
    return f"{text}\n{'=' * len(text)}"


def _section(block: Block, names: Mapping[str, str]) -> str:
    lines = _text(block.get("text"), names).splitlines() if block.get("text") else []
    for field in block.get("fields") or []:
        lines += [FIELD_INDENT + line for line in _field(_text(field, names))]
    accessory = block.get("accessory")
    if accessory:
        control = _element(accessory, names)
        if lines:
            lines[-1] += f"  {control}"
        else:
            lines.append(control)
    return "\n".join(lines)


def _field(text: str) -> list[str]:
    """A field's "Label\\nvalue" reads as "Label: value"; longer values go on indented lines."""
    head, *rest = text.splitlines() or [""]
    if not rest:
        return [head]
    joiner = " " if head.endswith(":") else ": "
    return [f"{head}{joiner}{rest[0]}", *(FIELD_INDENT + line for line in rest[1:])]


def _context(block: Block, names: Mapping[str, str]) -> str:
    text = " ".join(_context_element(element, names) for element in block.get("elements") or [])
    return "\n".join(CONTEXT_PREFIX + line for line in text.splitlines() or [""])


def _context_element(element: Block, names: Mapping[str, str]) -> str:
    if element.get("type") == "image":
        return _image(element)
    if element.get("type") in ("mrkdwn", "plain_text"):
        return _text(element, names)
    return f"[unsupported element: {element.get('type')}]"


def _actions(block: Block, names: Mapping[str, str]) -> str:
    return " ".join(_element(element, names) for element in block.get("elements") or [])


def _divider(block: Block, names: Mapping[str, str]) -> str:
    return "----"


def _image_block(block: Block, names: Mapping[str, str]) -> str:
    return _image(block)


def _image(image: Block) -> str:
    return f"[image: {unescape(str(image.get('alt_text') or ''))}]"


def _input(block: Block, names: Mapping[str, str]) -> str:
    label = _text(block.get("label"), names)
    if block.get("optional"):
        label += " (optional)"
    lines = [f"{label}: {_field_value(block.get('element') or {}, names)}"]
    if block.get("hint"):
        lines.append(f"{FIELD_INDENT}{_text(block['hint'], names)}")
    return "\n".join(lines)


def _field_value(element: Block, names: Mapping[str, str]) -> str:
    """What a form field shows: its initial value, the choices, or a blank to fill in."""
    kind = element.get("type")
    if kind == "static_select":
        chosen = element.get("initial_option")
        if chosen:
            return _text(chosen.get("text"), names)
        return "[" + " | ".join(_text(o.get("text"), names) for o in _options(element)) + "]"
    if kind == "users_select":
        user = element.get("initial_user")
        return f"@{names.get(user, user)}" if user else f"{EMPTY_FIELD} (a person)"
    initial = {
        "plain_text_input": "initial_value",
        "datepicker": "initial_date",
        "timepicker": "initial_time",
    }.get(str(kind))
    if initial is None:
        return f"[unsupported element: {kind}]"
    value = str(element.get(initial) or "")
    return value.replace("\n", " / ") if value else _blank(kind)


def _blank(kind: Any) -> str:
    return {"datepicker": "____-__-__", "timepicker": "__:__"}.get(str(kind), EMPTY_FIELD)


def _options(element: Block) -> list[Block]:
    options = list(element.get("options") or [])
    for group in element.get("option_groups") or []:
        options += group.get("options") or []
    return options


def _element(element: Block, names: Mapping[str, str]) -> str:
    """A control outside a form: ``[Label]`` for a button, ``[Pick…]`` for the others."""
    kind = element.get("type")
    if kind == "button":
        return f"[{_text(element.get('text'), names)}]"
    if kind == "image":
        return _image(element)
    if kind in ("static_select", "users_select", "datepicker", "timepicker"):
        placeholder = _text(element.get("placeholder"), names) or "Pick"
        return f"[{placeholder}…]"
    return f"[unsupported element: {kind}]"


_BLOCKS: dict[str, Callable[[Block, Mapping[str, str]], str]] = {
    "header": _header,
    "section": _section,
    "context": _context,
    "actions": _actions,
    "divider": _divider,
    "input": _input,
    "image": _image_block,
}
