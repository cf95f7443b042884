"""The only reader of interaction payloads' values: view state, private_metadata, button
values. Everything comes out typed, or as None when it is missing or malformed."""

from __future__ import annotations

from datetime import date, time
from typing import Any

from bot.domain.errors import BadInput, NotFound
from bot.domain.intake import DelegateForm
from bot.observability.logs import bind_log_ids
from bot.slack.blocks.modals import CADENCES
from bot.slack.ids import ActionId, BlockId, CallbackId
from storage.enums import CheckinStatus


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
    """A string value; NUL removed (it means nothing in a message, and PostgreSQL cannot
    store it in a text column)."""
    return value.replace("\x00", "") if isinstance(value, str) else None


def private_metadata(body: dict[str, Any]) -> str:
    view = body.get("view")
    metadata = view.get("private_metadata") if isinstance(view, dict) else None
    return metadata if isinstance(metadata, str) else ""


def clicked_in(body: dict[str, Any]) -> str | None:
    """The channel of the message whose button was pressed."""
    container = body.get("container")
    channel = container.get("channel_id") if isinstance(container, dict) else None
    return channel if isinstance(channel, str) else None


def checkin_note_form(body: dict[str, Any]) -> tuple[int, CheckinStatus]:
    """(check-in, the answer being explained) from the note form's private_metadata, also
    naming the check-in on every log line from here on."""
    checkin_id, _, status = private_metadata(body).partition(":")
    number = positive_int(checkin_id)
    if number is None or status not in set(CheckinStatus):
        raise NotFound("This form no longer points at a check-in.")
    bind_log_ids(checkin_id=number)
    return number, CheckinStatus(status)


def checkin_note(body: dict[str, Any]) -> str | None:
    return _text(_input(body, BlockId.CHECKIN_NOTE, ActionId.CHECKIN_NOTE).get("value"))


def escalate_reason(body: dict[str, Any]) -> str | None:
    return _text(_input(body, BlockId.ESCALATE_REASON, ActionId.ESCALATE_REASON).get("value"))


def pass_up_reason(body: dict[str, Any]) -> str | None:
    return _text(_input(body, BlockId.PASS_UP_REASON, ActionId.PASS_UP_REASON).get("value"))


def decline_reason(body: dict[str, Any]) -> str | None:
    return _text(_input(body, BlockId.DECLINE_REASON, ActionId.DECLINE_REASON).get("value"))


def delegate_form(body: dict[str, Any]) -> tuple[str, DelegateForm]:
    """Who the new item is for, and the rest of the form; choosing nobody is refused."""
    assignee = _text(_input(body, BlockId.NEW_ASSIGNEE, ActionId.NEW_ASSIGNEE).get("selected_user"))
    if assignee is None:
        raise BadInput("Choose who should do it.", field="assignee")
    task = _text(_input(body, BlockId.NEW_TASK, ActionId.NEW_TASK).get("value")) or ""
    cadence = _input(body, BlockId.NEW_CADENCE, ActionId.NEW_CADENCE).get("selected_option")
    cadence_key = _text(cadence.get("value")) if isinstance(cadence, dict) else None
    context = written(body, BlockId.NEW_CONTEXT, ActionId.NEW_CONTEXT)
    return assignee, DelegateForm(
        task=task,
        context=context.strip() if context and context.strip() else None,
        due_day=picked_date(body, BlockId.NEW_DUE, ActionId.NEW_DUE),
        due_time=picked_time(body, BlockId.NEW_DUE_TIME, ActionId.NEW_DUE_TIME),
        checkin_every=CADENCES[cadence_key][1] if cadence_key in CADENCES else None,
        origin_channel_id=private_metadata(body) or None,
    )


def written(body: dict[str, Any], block_id: BlockId, action_id: ActionId) -> str | None:
    """A plain-text input's value."""
    return _text(_input(body, block_id, action_id).get("value"))


def picked_user(body: dict[str, Any], block_id: BlockId, action_id: ActionId) -> str | None:
    return _text(_input(body, block_id, action_id).get("selected_user"))


def reassign_to(body: dict[str, Any]) -> str:
    """Who the reassign form hands the item to; choosing nobody is refused."""
    chosen = picked_user(body, BlockId.REASSIGN_TO, ActionId.REASSIGN_INPUT)
    if chosen is None:
        raise BadInput("Choose who should do it instead.", field="assignee")
    return chosen


def picked_date(body: dict[str, Any], block_id: BlockId, action_id: ActionId) -> date | None:
    value = _text(_input(body, block_id, action_id).get("selected_date"))
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


def picked_time(body: dict[str, Any], block_id: BlockId, action_id: ActionId) -> time | None:
    value = _text(_input(body, block_id, action_id).get("selected_time"))
    try:
        return time.fromisoformat(value) if value else None
    except ValueError:
        return None


# Where each form shows an error: one block, or by the field the error names.
_ERROR_BLOCKS: dict[str, dict[str, BlockId]] = {
    CallbackId.DECLINE_MODAL: {"": BlockId.DECLINE_REASON},
    CallbackId.CHECKIN_NOTE_MODAL: {"": BlockId.CHECKIN_NOTE},
    CallbackId.ESCALATE_MODAL: {"": BlockId.ESCALATE_REASON},
    CallbackId.PASS_UP_MODAL: {"": BlockId.PASS_UP_REASON},
    CallbackId.QUESTION_MODAL: {"": BlockId.QUESTION},
    CallbackId.ANSWER_MODAL: {"": BlockId.ANSWER},
    CallbackId.REASSIGN_MODAL: {"": BlockId.REASSIGN_TO},
    CallbackId.PROPOSE_DUE_MODAL: {"": BlockId.DUE_DATE, "reason": BlockId.DUE_REASON},
    CallbackId.DELEGATE_MODAL: {
        "": BlockId.NEW_TASK,
        "assignee": BlockId.NEW_ASSIGNEE,
        "due": BlockId.NEW_DUE,
        "context": BlockId.NEW_CONTEXT,
    },
}


def block_for_error(callback_id: str | None, field: str | None) -> str:
    """Where on the form ``callback_id`` an error about ``field`` is shown."""
    blocks = _ERROR_BLOCKS.get(callback_id or "", _ERROR_BLOCKS[CallbackId.DELEGATE_MODAL])
    return blocks.get(field or "", blocks[""])


def positive_int(value: Any) -> int | None:
    """A positive id as written in a button value or private_metadata, else None."""
    if isinstance(value, str) and value.isdigit() and len(value) < 19:
        number = int(value)
        return number if number > 0 else None
    return None
