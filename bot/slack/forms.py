"""The only reader of interaction payloads' values: view state, private_metadata, button
values. Everything comes out typed, or as None when it is missing or malformed."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bot.domain.errors import NotFound
from bot.slack.ids import ActionId, BlockId


@dataclass(frozen=True)
class DelegateForm:
    assignee_id: str | None
    task: str
    due_phrase: str | None
    channel_id: str | None


def _state(body: dict[str, Any]) -> dict[str, Any]:
    view = body.get("view")
    state = view.get("state") if isinstance(view, dict) else None
    values = state.get("values") if isinstance(state, dict) else None
    return values if isinstance(values, dict) else {}


def _input(body: dict[str, Any], block_id: str, action_id: str) -> dict[str, Any]:
    block = _state(body).get(block_id)
    element = block.get(action_id) if isinstance(block, dict) else None
    return element if isinstance(element, dict) else {}


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def private_metadata(body: dict[str, Any]) -> str:
    view = body.get("view")
    metadata = view.get("private_metadata") if isinstance(view, dict) else None
    return metadata if isinstance(metadata, str) else ""


def delegation_id_from_metadata(body: dict[str, Any]) -> int | None:
    return _positive_int(private_metadata(body))


def clicked_in(body: dict[str, Any]) -> str | None:
    """The channel of the message whose button was pressed."""
    container = body.get("container")
    channel = container.get("channel_id") if isinstance(container, dict) else None
    return channel if isinstance(channel, str) else None


def button_id(action: dict[str, Any], *, of: str) -> int:
    """The id a button carries (a delegation, check-in or escalation); a forged or stale
    value is refused in words."""
    number = _positive_int(action.get("value"))
    if number is None:
        raise NotFound(f"That button doesn't belong to {of} I know.")
    return number


def checkin_note_metadata(body: dict[str, Any]) -> tuple[int, str] | None:
    """(check-in id, status) from the note form's private_metadata."""
    checkin_id, _, status = private_metadata(body).partition(":")
    number = _positive_int(checkin_id)
    return (number, status) if number is not None and status else None


def checkin_note(body: dict[str, Any]) -> str | None:
    return _text(_input(body, BlockId.CHECKIN_NOTE, ActionId.CHECKIN_NOTE).get("value"))


def escalate_reason(body: dict[str, Any]) -> str | None:
    return _text(_input(body, BlockId.ESCALATE_REASON, ActionId.ESCALATE_REASON).get("value"))


def decline_reason(body: dict[str, Any]) -> str | None:
    return _text(_input(body, BlockId.DECLINE_REASON, ActionId.DECLINE_REASON).get("value"))


def delegate_form(body: dict[str, Any]) -> DelegateForm:
    assignee = _input(body, BlockId.NEW_ASSIGNEE, ActionId.NEW_ASSIGNEE).get("selected_user")
    task = _text(_input(body, BlockId.NEW_TASK, ActionId.NEW_TASK).get("value")) or ""
    due = _text(_input(body, BlockId.NEW_DUE, ActionId.NEW_DUE).get("value"))
    return DelegateForm(
        assignee_id=_text(assignee),
        task=task,
        due_phrase=due.strip() if due and due.strip() else None,
        channel_id=private_metadata(body) or None,
    )


def block_for_field(field: str | None) -> str:
    """Where on the delegate form an error about ``field`` is shown."""
    return {"assignee": BlockId.NEW_ASSIGNEE, "due": BlockId.NEW_DUE}.get(
        field or "", BlockId.NEW_TASK
    )


def _positive_int(value: Any) -> int | None:
    if isinstance(value, str) and value.isdigit() and len(value) < 19:
        number = int(value)
        return number if number > 0 else None
    return None
