"""A modal's ``state.values`` as Slack sends them, from what the page's form fields hold.

The page sends each input's raw string (or null) keyed by block_id and action_id; the view
itself says which element each one is, so the shapes (``selected_date``, ``selected_option``
with its text, ``selected_user``…) are built here, the way Slack builds them.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

RawValues = Mapping[str, Mapping[str, str | None]]


def input_elements(view: Mapping[str, Any]) -> dict[tuple[str, str], dict[str, Any]]:
    """(block_id, action_id) -> element, for every input block of the view."""
    found: dict[tuple[str, str], dict[str, Any]] = {}
    for index, block in enumerate(view.get("blocks") or []):
        if block.get("type") != "input" or not isinstance(block.get("element"), dict):
            continue
        element = block["element"]
        block_id = str(block.get("block_id") or f"b{index}")
        found[(block_id, str(element.get("action_id") or ""))] = element
    return found


def state_values(view: Mapping[str, Any], raw: RawValues) -> dict[str, dict[str, Any]]:
    """Every input of the view gets an entry, as on Slack; raw values for inputs the view
    doesn't have are ignored."""
    values: dict[str, dict[str, Any]] = {}
    for (block_id, action_id), element in input_elements(view).items():
        given = (raw.get(block_id) or {}).get(action_id)
        text = given.strip() if isinstance(given, str) and given.strip() else None
        values.setdefault(block_id, {})[action_id] = element_value(element, text)
    return values


def element_value(element: Mapping[str, Any], text: str | None) -> dict[str, Any]:
    kind = str(element.get("type"))
    if kind == "datepicker":
        return {"type": kind, "selected_date": text}
    if kind == "timepicker":
        return {"type": kind, "selected_time": text}
    if kind == "users_select":
        return {"type": kind, "selected_user": text}
    if kind == "static_select":
        return {"type": kind, "selected_option": chosen_option(element, text)}
    return {"type": kind, "value": text}


def chosen_option(element: Mapping[str, Any], value: str | None) -> dict[str, Any] | None:
    options = list(element.get("options") or [])
    for group in element.get("option_groups") or []:
        options += group.get("options") or []
    for option in options:
        if option.get("value") == value:
            return {"text": option.get("text"), "value": value}
    return None
