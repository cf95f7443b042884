"""Block Kit checks used by the Slack double (limits from shared/SLACK_FACTS.md).

Errors read like Slack's: "must be less than 3001 characters [json-pointer:/blocks/0/text/text]".
Only the standard library is imported.
"""

from __future__ import annotations

import json
from typing import Any

MAX_MESSAGE_BLOCKS = 50
MAX_VIEW_BLOCKS = 100
MAX_VIEW_BYTES = 250_000
MAX_MESSAGE_TEXT = 40_000  # a message's top-level text (msg_too_long beyond)
TEXT_TYPES = ("plain_text", "mrkdwn")
# Per block type: (key of its element list, most elements allowed).
_ELEMENT_LIMITS = {"actions": ("elements", 25), "context": ("elements", 10)}
# A confirmation dialog's texts, and an option's.
_CONFIRM_LIMITS = {"title": 100, "text": 300, "confirm": 30, "deny": 30}
MAX_OPTIONS = 100
MAX_OPTION_TEXT = 75
MAX_OPTION_VALUE = 150
MAX_PLACEHOLDER = 150
MAX_LABEL = 2000  # an input block's label and hint
MAX_INPUT_LENGTH = 3000  # a plain-text input's max_length and initial value


class _Checker:
    def __init__(self) -> None:
        self.errors: list[str] = []

    def fail(self, path: list[str | int], what: str) -> None:
        pointer = "/".join(str(part) for part in path)
        self.errors.append(f"{what} [json-pointer:/{pointer}]")

    def max_len(self, value: Any, limit: int, path: list[str | int]) -> None:
        if isinstance(value, str) and len(value) > limit:
            self.fail(path, f"must be less than {limit + 1} characters")

    def text_object(self, obj: Any, limit: int, path: list[str | int], plain: bool = False) -> None:
        """Extra limits on a text object (its type and the 3,000 cap are checked by walk())."""
        if not isinstance(obj, dict):
            return
        self.max_len(obj.get("text"), limit, [*path, "text"])
        if plain and obj.get("type") != "plain_text":
            self.fail([*path, "type"], "must be plain_text")

    def blocks(self, blocks: Any, limit: int, path: list[str | int]) -> None:
        if not isinstance(blocks, list):
            self.fail(path, "must be an array")
            return
        if len(blocks) > limit:
            self.fail(path, f"must contain no more than {limit} items")
        seen: set[Any] = set()
        for index, block in enumerate(blocks):
            here = [*path, index]
            if not isinstance(block, dict):
                self.fail(here, "must be an object")
                continue
            if not block.get("type"):
                self.fail([*here, "type"], "missing required field: type")
            block_id = block.get("block_id")
            if block_id is not None:
                if block_id in seen:
                    self.fail([*here, "block_id"], f"duplicate block_id {block_id!r}")
                seen.add(block_id)
            self.block(block, here)
            self.walk(block, here, is_block=True)

    def block(self, block: dict[str, Any], path: list[str | int]) -> None:
        kind = block.get("type")
        if kind == "section":
            fields = block.get("fields")
            if not block.get("text") and not fields:
                self.fail(path, "must provide text or fields")
            if fields is not None and not isinstance(fields, list):
                self.fail([*path, "fields"], "must be an array")
            elif isinstance(fields, list):
                if len(fields) > 10:
                    self.fail([*path, "fields"], "must contain no more than 10 items")
                for index, item in enumerate(fields):
                    self.text_object(item, 2000, [*path, "fields", index])
        elif kind == "header":
            self.text_object(block.get("text"), 150, [*path, "text"], plain=True)
        elif kind in _ELEMENT_LIMITS:
            key, limit = _ELEMENT_LIMITS[kind]
            elements = block.get(key)
            if isinstance(elements, list) and len(elements) > limit:
                self.fail([*path, key], f"must contain no more than {limit} items")
        elif kind == "input":
            for key in ("label", "hint"):
                self.text_object(block.get(key), MAX_LABEL, [*path, key], plain=True)

    def walk(self, node: Any, path: list[str | int], is_block: bool = False) -> None:
        """Checks every text object, id and button in node (rich text follows other rules)."""
        if isinstance(node, list):
            for index, item in enumerate(node):
                self.walk(item, [*path, index])
            return
        if not isinstance(node, dict) or node.get("type") == "rich_text":
            return
        kind = node.get("type")
        text = node.get("text")
        if isinstance(text, str) and not (is_block and kind == "markdown"):  # a text object
            if kind not in TEXT_TYPES:
                self.fail([*path, "type"], f"text object type must be one of {TEXT_TYPES}")
            if text == "":
                self.fail([*path, "text"], "must be more than 0 characters")
            self.max_len(text, 3000, [*path, "text"])
        for key in ("action_id", "block_id"):
            self.max_len(node.get(key), 255, [*path, key])
        if kind == "button":
            self.text_object(text, 75, [*path, "text"], plain=True)
            self.max_len(node.get("value"), 2000, [*path, "value"])
        self.element(node, path)
        for key, value in node.items():
            if isinstance(value, (dict, list)):
                self.walk(value, [*path, key])

    def element(self, node: dict[str, Any], path: list[str | int]) -> None:
        """Limits of interactive elements: placeholders, options, confirmations, inputs."""
        self.text_object(node.get("placeholder"), MAX_PLACEHOLDER, [*path, "placeholder"])
        options = node.get("options")
        if isinstance(options, list):
            if len(options) > MAX_OPTIONS:
                self.fail([*path, "options"], f"must contain no more than {MAX_OPTIONS} items")
            for index, option in enumerate(options):
                if isinstance(option, dict):
                    here = [*path, "options", index]
                    self.text_object(option.get("text"), MAX_OPTION_TEXT, [*here, "text"])
                    self.max_len(option.get("value"), MAX_OPTION_VALUE, [*here, "value"])
        confirm = node.get("confirm")
        if isinstance(confirm, dict):
            for key, limit in _CONFIRM_LIMITS.items():
                self.text_object(confirm.get(key), limit, [*path, "confirm", key])
        if node.get("type") == "plain_text_input":
            most = node.get("max_length")
            if isinstance(most, int) and most > MAX_INPUT_LENGTH:
                self.fail([*path, "max_length"], f"must be at most {MAX_INPUT_LENGTH}")
            longest = most if isinstance(most, int) else MAX_INPUT_LENGTH
            self.max_len(node.get("initial_value"), longest, [*path, "initial_value"])


def message_block_errors(blocks: Any) -> list[str]:
    """Problems Slack would report as invalid_blocks for a message's blocks (empty = valid)."""
    checker = _Checker()
    checker.blocks(blocks, MAX_MESSAGE_BLOCKS, ["blocks"])
    return checker.errors


def view_errors(view: Any, *, kind: str | None = None) -> list[str]:
    """Problems Slack would report as invalid_arguments for a view; kind = "modal" or "home"."""
    checker = _Checker()
    path: list[str | int] = ["view"]
    if not isinstance(view, dict):
        checker.fail(path, "must be an object")
        return checker.errors
    view_type = view.get("type")
    if view_type not in ("modal", "home") or (kind is not None and view_type != kind):
        checker.fail([*path, "type"], f"must be {kind or 'modal or home'}")
    if view_type == "modal" and not view.get("title"):
        checker.fail([*path, "title"], "missing required field: title")
    for key in ("title", "submit", "close"):
        if key in view and not isinstance(view[key], dict):
            checker.fail([*path, key], "must be a text object")
        elif key in view:
            checker.walk(view[key], [*path, key])
            checker.text_object(view[key], 24, [*path, key], plain=True)
    checker.max_len(view.get("private_metadata"), 3000, [*path, "private_metadata"])
    for key in ("callback_id", "external_id"):
        checker.max_len(view.get(key), 255, [*path, key])
    blocks = view.get("blocks")
    checker.blocks(blocks, MAX_VIEW_BLOCKS, [*path, "blocks"])
    has_input = isinstance(blocks, list) and any(
        isinstance(block, dict) and block.get("type") == "input" for block in blocks
    )
    if view_type == "modal" and has_input and not view.get("submit"):
        checker.fail([*path, "submit"], "must provide submit when the view has input blocks")
    if len(json.dumps(view, default=str)) > MAX_VIEW_BYTES:
        checker.fail(path, f"must be smaller than {MAX_VIEW_BYTES} bytes")
    return checker.errors


def payload_errors(payload: Any) -> list[str]:
    """Everything Slack would refuse in what a builder renders: a view (``type`` modal or
    home), or a message's ``{"text", "blocks"}``, whose text fallback must be there and fit."""
    if isinstance(payload, dict) and payload.get("type") in ("modal", "home"):
        return view_errors(payload)
    if not isinstance(payload, dict):
        return ["must be an object [json-pointer:/]"]
    checker = _Checker()
    text = payload.get("text")
    if not isinstance(text, str) or not text.strip():
        checker.fail(["text"], "a message needs a text fallback")
    checker.max_len(text, MAX_MESSAGE_TEXT, ["text"])
    checker.blocks(payload.get("blocks", []), MAX_MESSAGE_BLOCKS, ["blocks"])
    return checker.errors
