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
    CHECKIN_ON_TRACK = "checkin_on_track"
    CHECKIN_AT_RISK = "checkin_at_risk"
    CHECKIN_BLOCKED = "checkin_blocked"
    CHECKIN_DONE = "checkin_done"
    CHECKIN_NOTE = "checkin_note_input"
    ESCALATE = "delegation_escalate"
    ESCALATE_REASON = "escalate_reason_input"
    ACKNOWLEDGE = "escalation_acknowledge"
    ITEM_DETAILS = "item_details"


class BlockId(StrEnum):
    OFFER_ACTIONS = "offer_actions"
    DECLINE_REASON = "decline_reason"
    NEW_ASSIGNEE = "new_assignee"
    NEW_TASK = "new_task"
    NEW_DUE = "new_due"
    CHECKIN_ACTIONS = "checkin_actions"
    CHECKIN_NOTE = "checkin_note"
    ESCALATION_ACTIONS = "escalation_actions"
    ESCALATE_REASON = "escalate_reason"
    NOTICE_ACTIONS = "notice_actions"


class CallbackId(StrEnum):
    DECLINE_MODAL = "decline_modal"
    DELEGATE_MODAL = "delegate_modal"
    CHECKIN_NOTE_MODAL = "checkin_note_modal"
    ESCALATE_MODAL = "escalate_modal"


class Command(StrEnum):
    DELEGATE = "/delegate"
