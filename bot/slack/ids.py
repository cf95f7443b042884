"""Every action_id, block_id and callback_id Steward uses. Builders, listeners and tests
all name them through these enums."""

from __future__ import annotations

from enum import StrEnum


class ActionId(StrEnum):
    ACCEPT = "delegation_accept"
    DECLINE = "delegation_decline"
    DONE = "delegation_done"
    DECLINE_REASON = "decline_reason_input"
    NEW_ASSIGNEE = "new_assignee_input"
    NEW_TASK = "new_task_input"
    NEW_DUE = "new_due_input"


class BlockId(StrEnum):
    OFFER_ACTIONS = "offer_actions"
    DECLINE_REASON = "decline_reason"
    NEW_ASSIGNEE = "new_assignee"
    NEW_TASK = "new_task"
    NEW_DUE = "new_due"


class CallbackId(StrEnum):
    DECLINE_MODAL = "decline_modal"
    DELEGATE_MODAL = "delegate_modal"


class Command(StrEnum):
    DELEGATE = "/delegate"
