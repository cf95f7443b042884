"""Escalation: how risk moves up the reporting chain before it becomes unrecoverable.

``rules`` is the table (what starts each reason, what clears it); ``triggers`` starts
escalations, ``climb`` moves them up a frozen chain, ``endings`` ends them (picked up, or
resolved when the cause clears) and watches what was picked up.
"""

from bot.domain.escalation.climb import (
    MAX_NOTE_LENGTH,
    OPEN_ITEM,
    check_can_pass_up,
    climb,
    pass_up,
    start_escalation,
)
from bot.domain.escalation.endings import acknowledge, escalation_step, resolve, still_on_it
from bot.domain.escalation.triggers import (
    check_can_escalate,
    escalate_manually,
    note_overdue,
    on_accept_deadline,
    on_answer_deadline,
    on_checkin_answered,
)

__all__ = [
    "MAX_NOTE_LENGTH",
    "OPEN_ITEM",
    "acknowledge",
    "check_can_escalate",
    "check_can_pass_up",
    "climb",
    "escalate_manually",
    "escalation_step",
    "note_overdue",
    "on_accept_deadline",
    "on_answer_deadline",
    "on_checkin_answered",
    "pass_up",
    "resolve",
    "start_escalation",
    "still_on_it",
]
