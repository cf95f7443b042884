"""The rules of escalation, in one table: for each reason, what starts it and what clears
it; for each change to an item, which causes it brings; and what counts as the item moving
after someone picked an escalation up.

``triggers`` starts escalations as the table says, ``endings`` ends them, ``climb`` moves
them up the chain. Nothing else decides either.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from storage.enums import Action, CheckinStatus, EscalationReason, EventType, ResolveCause
from storage.enums import ResolveCause as C
from storage.models import Checkin, Delegation, Escalation

R = EscalationReason


@dataclass(frozen=True)
class Rule:
    starts: str  # what starts an escalation for this reason (documentation: triggers does it)
    cleared_by: frozenset[ResolveCause]  # the causes that end it without an acknowledgement
    # about a check-in: an answer clears it only if that check-in was sent once it stalled
    # or later, not an older one still open
    about_a_checkin: bool = False


RULES: dict[EscalationReason, Rule] = {
    R.NOT_ACCEPTED: Rule(
        "still offered accept_timeout (assignee's working time) after it was offered",
        frozenset({C.ACCEPTED, C.DECLINED, C.QUESTION_ASKED, C.REASSIGNED, C.CLOSED}),
    ),
    R.CHECKIN_UNANSWERED: Rule(
        "a check-in unanswered checkin_timeout (assignee's working time) after it was sent",
        frozenset({C.CHECKIN_ANSWERED, C.REASSIGNED, C.CLOSED}),
        about_a_checkin=True,
    ),
    R.OVERDUE: Rule(
        "the due date passed while the item was open",
        frozenset({C.DUE_CHANGED, C.REASSIGNED, C.CLOSED}),
    ),
    R.BLOCKED: Rule(
        "a check-in answered Blocked",
        frozenset({C.UNBLOCKED, C.REASSIGNED, C.CLOSED}),
        about_a_checkin=True,
    ),
    R.MANUAL: Rule("Escalate pressed, with what help is needed", frozenset({C.CLOSED})),
}

# The climb itself: why a later level is told. It stops when the escalation ends (an
# acknowledgement, or a cause from the table above).
CLIMB_RULES: dict[EscalationReason, str] = {
    R.UNACKNOWLEDGED: "the level's escalation_timeout (recipient's working time) passed",
    R.PASSED_UP: "the person it reached pressed Pass up and said why",
    R.STALE_AFTER_ACK: "nothing moved reacknowledge_after an acknowledgement, and the "
    "reminder got no Still on it within escalation_timeout",
}

# What each change to an item brings, in order of preference: an escalation ends with the
# first of them its reason is cleared by.
CAUSES_OF_ACTION: dict[Action, tuple[ResolveCause, ...]] = {
    Action.ACCEPT: (C.ACCEPTED,),
    Action.DECLINE: (C.DECLINED, C.CLOSED),
    Action.ASK: (C.QUESTION_ASKED,),
    Action.COMPLETE: (C.CLOSED,),
    Action.CANCEL: (C.CLOSED,),
    Action.REASSIGN: (C.REASSIGNED,),
    Action.APPROVE_DUE: (C.DUE_CHANGED,),
}

CAUSES_OF_ANSWER: dict[CheckinStatus, tuple[ResolveCause, ...]] = {
    CheckinStatus.ON_TRACK: (C.CHECKIN_ANSWERED, C.UNBLOCKED),
    CheckinStatus.AT_RISK: (C.CHECKIN_ANSWERED, C.UNBLOCKED),
    CheckinStatus.BLOCKED: (C.CHECKIN_ANSWERED,),
    CheckinStatus.DONE: (C.CHECKIN_ANSWERED,),  # and then the item closes
}

# After an acknowledgement, any of these on the item means it is in hand: no reminder.
MOVEMENT: frozenset[EventType] = frozenset(
    {
        EventType.CHECKIN_ANSWERED,
        EventType.COMPLETED,
        EventType.CANCELLED,
        EventType.DUE_CHANGED,
        EventType.REASSIGNED,
        EventType.QUESTION_ANSWERED,
    }
)


def causes_of_action(action: Action, delegation: Delegation, now: datetime) -> tuple[C, ...]:
    """The causes a change brings. A new due date clears "overdue" only if it is ahead."""
    causes = CAUSES_OF_ACTION.get(action, ())
    if action is Action.APPROVE_DUE and delegation.due_at is not None and delegation.due_at <= now:
        return ()
    return causes


def ending_cause(
    escalation: Escalation, causes: tuple[ResolveCause, ...], *, answered: Checkin | None = None
) -> ResolveCause | None:
    """The cause, of those a change brings, that ends ``escalation``; ``answered`` is the
    check-in whose answer brought them, if an answer did."""
    rule = RULES.get(EscalationReason(escalation.reason))
    if rule is None:
        return None
    older = answered is not None and answered.sent_at < escalation.stalled_since
    if rule.about_a_checkin and older:  # an answer to an older check-in, still open
        return None
    return next((cause for cause in causes if cause in rule.cleared_by), None)
