"""Block Kit as HTML for the sandbox's page, which draws it as a minimal Slack.

Every interactive element carries ``data-action-id``, ``data-block-id`` and
``data-element-type``; the page turns a click or a change into the ``block_actions`` payload
Slack would send, and reads a modal's fields back by the same attributes. Buttons add
``data-value`` (and ``data-confirm``, the confirm dialog as JSON); selects outside input
blocks add ``data-dispatch`` (they act as soon as they change). All text is escaped: nothing
a person typed can become markup.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from html import escape
from typing import Any

from sandbox.mrkdwn import EMOJI, mrkdwn_to_html, unescape

Block = Mapping[str, Any]


@dataclass(frozen=True)
class _Place:
    """Where an element is drawn: its block, and whether that block is an input."""

    block_id: str
    names: Mapping[str, str]
    in_input: bool = False
    optional: bool = False


def blocks_to_html(
    blocks: Sequence[Block], *, names: Mapping[str, str], errors: Mapping[str, str] | None = None
) -> str:
    """Each block in order; an unknown type shows as a visible "unsupported" box."""
    return "".join(
        _block(block, index, names=names, errors=errors or {}) for index, block in enumerate(blocks)
    )


def message_to_html(message: Mapping[str, Any], *, names: Mapping[str, str]) -> str:
    """A message's blocks, or its text when it has none."""
    blocks = message.get("blocks")
    if blocks:
        return blocks_to_html(blocks, names=names)
    text = str(message.get("text") or "")
    shown = mrkdwn_to_html(text, names=names) if message.get("mrkdwn", True) else plain(text)
    return f'<div class="bk-text">{shown}</div>'


def view_to_html(
    view: Mapping[str, Any], *, names: Mapping[str, str], errors: Mapping[str, str] | None = None
) -> str:
    """A modal (title, blocks, a footer with close and submit) or a Home tab (blocks only).
    Both carry ``data-view-id`` so the page can tell Slack which view a click came from."""
    body = blocks_to_html(view.get("blocks") or [], names=names, errors=errors)
    ids = _attributes({"data-view-id": view.get("id"), "data-callback-id": view.get("callback_id")})
    if view.get("type") == "home":
        return f'<div class="bk-view bk-home"{ids}>{body}</div>'
    title = _text_object(view.get("title"), names)
    close = _text_object(view.get("close"), names) or "Cancel"
    footer = f'<button type="button" class="bk-close">{close}</button>'
    if view.get("submit"):
        submit = _text_object(view.get("submit"), names)
        footer += f'<button type="button" class="bk-submit">{submit}</button>'
    return (
        f'<div class="bk-view bk-modal"{ids}><div class="bk-view-title">{title}</div>'
        f'<div class="bk-view-body">{body}</div><footer class="bk-footer">{footer}</footer></div>'
    )


def plain(text: str) -> str:
    """A plain_text object's text: Slack's three entities read as characters, then escaped;
    emoji shortcodes shown as emoji, as Slack does by default."""
    escaped = escape(unescape(text), quote=True)
    for code, emoji in EMOJI.items():
        escaped = escaped.replace(f":{code}:", emoji)
    return escaped


def _text_object(obj: Any, names: Mapping[str, str]) -> str:
    if isinstance(obj, str):
        return plain(obj)
    if not isinstance(obj, Mapping):
        return ""
    text = str(obj.get("text") or "")
    if obj.get("type") == "mrkdwn":
        return mrkdwn_to_html(text, names=names)
    return plain(text) if obj.get("emoji", True) else escape(unescape(text), quote=True)


def _attributes(values: Mapping[str, Any]) -> str:
    """` name="value"` for each value that is set (just ` name` for True), values escaped."""
    return "".join(
        f" {name}" if value is True else f' {name}="{escape(str(value), quote=True)}"'
        for name, value in values.items()
        if value is not None and value is not False
    )


def _unsupported(what: str, kind: Any, tag: str = "div") -> str:
    return f'<{tag} class="bk-unsupported">[unsupported {what}: {escape(str(kind))}]</{tag}>'


# ----- blocks --------------------------------------------------------------------------------


def _block(block: Block, index: int, *, names: Mapping[str, str], errors: Mapping[str, str]) -> str:
    kind = block.get("type")
    block_id = str(block.get("block_id") or f"b{index}")
    if kind == "input":
        return _input_block(block, block_id, names=names, error=errors.get(block_id))
    draw = _BLOCKS.get(str(kind))
    if draw is None:
        return _unsupported("block", kind)
    return draw(block, _Place(block_id=block_id, names=names))


def _header(block: Block, place: _Place) -> str:
    text = _text_object(block.get("text"), place.names)
    return f'<div class="bk-header"{_block_id(place)}>{text}</div>'


def _section(block: Block, place: _Place) -> str:
    body = ""
    if block.get("text"):
        body += f'<div class="bk-text">{_text_object(block["text"], place.names)}</div>'
    fields = block.get("fields") or []
    if fields:
        body += '<div class="bk-fields">'
        body += "".join(
            f'<div class="bk-field">{_text_object(field, place.names)}</div>' for field in fields
        )
        body += "</div>"
    accessory = block.get("accessory")
    if accessory:
        body = f'<div class="bk-section-body">{body}</div>'
        body += f'<div class="bk-accessory">{_element(accessory, place)}</div>'
    return f'<div class="bk-section"{_block_id(place)}>{body}</div>'


def _context(block: Block, place: _Place) -> str:
    parts = [_context_element(element, place) for element in block.get("elements") or []]
    return f'<div class="bk-context"{_block_id(place)}>{"".join(parts)}</div>'


def _context_element(element: Block, place: _Place) -> str:
    if element.get("type") in ("mrkdwn", "plain_text"):
        return f'<span class="bk-text">{_text_object(element, place.names)}</span>'
    if element.get("type") == "image":
        return _image_element(element, place)
    return _unsupported("element", element.get("type"), "span")


def _actions(block: Block, place: _Place) -> str:
    elements = "".join(_element(element, place) for element in block.get("elements") or [])
    return f'<div class="bk-actions"{_block_id(place)}>{elements}</div>'


def _divider(block: Block, place: _Place) -> str:
    return f'<hr class="bk-divider"{_block_id(place)}>'


def _image_block(block: Block, place: _Place) -> str:
    image = _image_tag(block)
    caption = ""
    if block.get("title"):
        caption = f"<figcaption>{_text_object(block['title'], place.names)}</figcaption>"
    return f'<figure class="bk-image"{_block_id(place)}>{image}{caption}</figure>'


def _input_block(
    block: Block, block_id: str, *, names: Mapping[str, str], error: str | None
) -> str:
    optional = bool(block.get("optional"))
    place = _Place(block_id=block_id, names=names, in_input=True, optional=optional)
    label = _text_object(block.get("label"), names)
    if optional:
        label += ' <span class="bk-optional">(optional)</span>'
    parts = [f"<label>{label}</label>", _element(block.get("element") or {}, place)]
    if block.get("hint"):
        parts.append(f'<div class="bk-hint">{_text_object(block["hint"], names)}</div>')
    if error:
        parts.append(f'<div class="bk-error">{escape(error, quote=True)}</div>')
    attributes = _attributes({"data-block-id": block_id, "data-optional": optional and "1"})
    return f'<div class="bk-input"{attributes}>{"".join(parts)}</div>'


def _block_id(place: _Place) -> str:
    return _attributes({"data-block-id": place.block_id})


_BLOCKS: dict[str, Callable[[Block, _Place], str]] = {
    "header": _header,
    "section": _section,
    "context": _context,
    "actions": _actions,
    "divider": _divider,
    "image": _image_block,
}
SUPPORTED_BLOCKS: frozenset[str] = frozenset({*_BLOCKS, "input"})


# ----- elements ------------------------------------------------------------------------------


def _element(element: Block, place: _Place) -> str:
    draw = _ELEMENTS.get(str(element.get("type")))
    if draw is None:
        return _unsupported("element", element.get("type"), "span")
    return draw(element, place)


def _interactive(element: Block, place: _Place) -> dict[str, Any]:
    """The attributes the page relies on, for any element a person can use."""
    return {
        "data-action-id": element.get("action_id") or "",
        "data-block-id": place.block_id,
        "data-element-type": element.get("type"),
    }


def _button(element: Block, place: _Place) -> str:
    style = element.get("style")
    classes = "bk-button" + (f" bk-{style}" if style in ("primary", "danger") else "")
    attributes = _attributes({**_interactive(element, place), "data-value": element.get("value")})
    confirm = element.get("confirm")
    if confirm:
        attributes += f" data-confirm='{escape(json.dumps(confirm), quote=True)}'"
    label = _text_object(element.get("text"), place.names)
    return f'<button type="button" class="{classes}"{attributes}>{label}</button>'


def _static_select(element: Block, place: _Place) -> str:
    chosen = (element.get("initial_option") or {}).get("value")
    groups = element.get("option_groups")
    if groups:
        options = "".join(
            f"<optgroup{_attributes({'label': _label(group)})}>"
            f"{_options(group.get('options') or [], chosen, place)}</optgroup>"
            for group in groups
        )
    else:
        options = _options(element.get("options") or [], chosen, place)
    return _select(element, place, options, chosen=chosen, placeholder="Select an item")


def _users_select(element: Block, place: _Place) -> str:
    chosen = element.get("initial_user")
    people = sorted(place.names.items(), key=lambda person: (person[1].casefold(), person[0]))
    options = "".join(
        f"<option{_attributes({'value': user_id, 'selected': user_id == chosen})}>"
        f"{plain(name)}</option>"
        for user_id, name in people
    )
    return _select(element, place, options, chosen=chosen, placeholder="Select a user")


def _options(options: Sequence[Block], chosen: Any, place: _Place) -> str:
    return "".join(_option(option, chosen, place) for option in options)


def _option(option: Block, chosen: Any, place: _Place) -> str:
    value = option.get("value")
    attributes = _attributes({"value": value, "selected": chosen is not None and value == chosen})
    return f"<option{attributes}>{_text_object(option.get('text'), place.names)}</option>"


def _label(group: Block) -> str:
    """An option group's label, as characters for an attribute (it is plain_text)."""
    label = group.get("label")
    return unescape(str(label.get("text") or "")) if isinstance(label, Mapping) else ""


def _select(element: Block, place: _Place, options: str, *, chosen: Any, placeholder: str) -> str:
    """A select whose first option is the placeholder: chosen until something else is, and
    chosen again only in an optional input (outside an input there is nothing to clear)."""
    shown = _text_object(element.get("placeholder"), place.names) or placeholder
    blank = _attributes(
        {"value": "", "disabled": not (place.in_input and place.optional), "selected": not chosen}
    )
    attributes = _attributes(
        {
            "class": "bk-select",
            **_interactive(element, place),
            "data-dispatch": None if place.in_input else "1",
        }
    )
    return f"<select{attributes}><option{blank}>{shown}</option>{options}</select>"


def _plain_text_input(element: Block, place: _Place) -> str:
    attributes = _interactive(element, place) | {
        "maxlength": element.get("max_length"),
        "placeholder": _placeholder(element),
    }
    initial = str(element.get("initial_value") or "")
    if element.get("multiline"):
        return f"<textarea{_attributes(attributes)}>{escape(initial)}</textarea>"
    return f"<input{_attributes({'type': 'text', 'value': initial or None, **attributes})}>"


def _placeholder(element: Block) -> str | None:
    """A placeholder attribute holds characters, not markup: Slack's entities are decoded and
    _attributes escapes the rest."""
    placeholder = element.get("placeholder")
    return unescape(str(placeholder.get("text") or "")) if placeholder else None


def _datepicker(element: Block, place: _Place) -> str:
    values = {"type": "date", "value": element.get("initial_date"), **_interactive(element, place)}
    return f"<input{_attributes(values)}>"


def _timepicker(element: Block, place: _Place) -> str:
    values = {"type": "time", "value": element.get("initial_time"), **_interactive(element, place)}
    return f"<input{_attributes(values)}>"


def _image_element(element: Block, place: _Place) -> str:
    return _image_tag(element)


def _image_tag(image: Block) -> str:
    """An image from an http(s) address; anything else shows its alt text instead."""
    alt = str(image.get("alt_text") or "")
    url = str(image.get("image_url") or "")
    if not url.lower().startswith(("http://", "https://")):
        return f'<span class="bk-image-alt">{plain(alt)}</span>'
    return f"<img{_attributes({'class': 'bk-image', 'src': url, 'alt': unescape(alt)})}>"


_ELEMENTS: dict[str, Callable[[Block, _Place], str]] = {
    "button": _button,
    "static_select": _static_select,
    "users_select": _users_select,
    "plain_text_input": _plain_text_input,
    "datepicker": _datepicker,
    "timepicker": _timepicker,
    "image": _image_element,
}
SUPPORTED_ELEMENTS: frozenset[str] = frozenset(_ELEMENTS)
