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
    NEW_DUE_TIME = "new_due_time_input"
    NEW_CADENCE = "new_cadence_input"
    NEW_CONTEXT = "new_context_input"
    CHECKIN_ON_TRACK = "checkin_on_track"
    CHECKIN_AT_RISK = "checkin_at_risk"
    CHECKIN_BLOCKED = "checkin_blocked"
    CHECKIN_DONE = "checkin_done"
    CHECKIN_NOTE = "checkin_note_input"
    ESCALATE = "delegation_escalate"
    ESCALATE_REASON = "escalate_reason_input"
    ACKNOWLEDGE = "escalation_acknowledge"
    PASS_UP = "escalation_pass_up"
    PASS_UP_REASON = "pass_up_reason_input"
    STILL_ON_IT = "escalation_still_on_it"
    ITEM_DETAILS = "item_details"
    ASK_QUESTION = "delegation_ask"
    QUESTION_INPUT = "question_input"
    ANSWER_QUESTION = "question_answer"
    ANSWER_INPUT = "answer_input"
    PROPOSE_DUE = "delegation_propose_due"
    DUE_DATE_INPUT = "due_date_input"
    DUE_TIME_INPUT = "due_time_input"
    DUE_REASON_INPUT = "due_reason_input"
    APPROVE_DUE = "due_approve"
    REJECT_DUE = "due_reject"
    REASSIGN = "delegation_reassign"
    REASSIGN_INPUT = "reassign_input"
    CANCEL = "delegation_cancel"


class BlockId(StrEnum):
    OFFER_ACTIONS = "offer_actions"
    DECLINE_REASON = "decline_reason"
    NEW_ASSIGNEE = "new_assignee"
    NEW_TASK = "new_task"
    NEW_DUE = "new_due"
    NEW_DUE_TIME = "new_due_time"
    NEW_CADENCE = "new_cadence"
    NEW_CONTEXT = "new_context"
    CHECKIN_ACTIONS = "checkin_actions"
    CHECKIN_NOTE = "checkin_note"
    ESCALATION_ACTIONS = "escalation_actions"
    ESCALATE_REASON = "escalate_reason"
    PASS_UP_REASON = "pass_up_reason"
    NOTICE_ACTIONS = "notice_actions"
    QUESTION = "question"
    ANSWER = "answer"
    ANSWER_ACTIONS = "answer_actions"
    DUE_DATE = "due_date"
    DUE_TIME = "due_time"
    DUE_REASON = "due_reason"
    DUE_ACTIONS = "due_actions"
    REASSIGN_TO = "reassign_to"


class CallbackId(StrEnum):
    DECLINE_MODAL = "decline_modal"
    DELEGATE_MODAL = "delegate_modal"
    CHECKIN_NOTE_MODAL = "checkin_note_modal"
    ESCALATE_MODAL = "escalate_modal"
    PASS_UP_MODAL = "pass_up_modal"
    QUESTION_MODAL = "question_modal"
    ANSWER_MODAL = "answer_modal"
    PROPOSE_DUE_MODAL = "propose_due_modal"
    REASSIGN_MODAL = "reassign_modal"


class ShortcutId(StrEnum):
    DELEGATE = "delegate_task"  # global: "Delegate a task"
    DELEGATE_MESSAGE = "delegate_message"  # on a message: "Delegate this message"


class Command(StrEnum):
    DELEGATE = "/delegate"
