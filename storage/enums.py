"""The vocabulary of the domain, kept beside the tables that store it. Imports nothing."""

from __future__ import annotations

from enum import StrEnum


class DelegationStatus(StrEnum):
    OFFERED = "offered"  # waiting for the assignee to accept or decline
    ACCEPTED = "accepted"
    DECLINED = "declined"
    COMPLETED = "completed"
    CANCELLED = "cancelled"

    @property
    def is_open(self) -> bool:
        return self in (DelegationStatus.OFFERED, DelegationStatus.ACCEPTED)


class Action(StrEnum):
    """What someone can do to a delegation; each is one row of the transition table."""

    ACCEPT = "accept"
    DECLINE = "decline"
    COMPLETE = "complete"
    CANCEL = "cancel"
    REASSIGN = "reassign"
    ASK = "ask"  # a question before accepting
    ANSWER = "answer"
    PROPOSE_DUE = "propose_due"  # the assignee asks for another due date
    APPROVE_DUE = "approve_due"
    REJECT_DUE = "reject_due"


class EventType(StrEnum):
    CREATED = "created"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    CHECKIN_SENT = "checkin_sent"
    CHECKIN_ANSWERED = "checkin_answered"
    ESCALATED = "escalated"
    ACKNOWLEDGED = "acknowledged"
    COMPLETED = "completed"
    CANCELLED = "cancelled"
    REASSIGNED = "reassigned"
    DUE_CHANGED = "due_changed"
    # added by Steward beyond the interface's list
    OVERDUE = "overdue"
    REMINDER_SENT = "reminder_sent"
    QUESTION_ASKED = "question_asked"
    QUESTION_ANSWERED = "question_answered"
    DUE_PROPOSED = "due_proposed"
    DUE_REJECTED = "due_rejected"
    ESCALATION_RESOLVED = "escalation_resolved"


class CheckinStatus(StrEnum):
    ON_TRACK = "on_track"
    AT_RISK = "at_risk"
    BLOCKED = "blocked"
    DONE = "done"

    @property
    def label(self) -> str:
        return {"on_track": "On track", "at_risk": "At risk", "blocked": "Blocked", "done": "Done"}[
            self.value
        ]


SYSTEM_ACTOR = "system"


class EscalationReason(StrEnum):
    NOT_ACCEPTED = "not_accepted"
    CHECKIN_UNANSWERED = "checkin_unanswered"
    OVERDUE = "overdue"
    BLOCKED = "blocked"
    MANUAL = "manual"
    # the climb itself: why a later level was told
    UNACKNOWLEDGED = "unacknowledged"
    PASSED_UP = "passed_up"
    STALE_AFTER_ACK = "stale_after_ack"

    @property
    def describe(self) -> str:
        return {
            "not_accepted": "it was not accepted in time",
            "checkin_unanswered": "a check-in went unanswered",
            "overdue": "it is past its due date",
            "blocked": "the assignee reported it blocked",
            "manual": "someone asked for help with it",
            "unacknowledged": "nobody picked up the escalation in time",
            "passed_up": "it was passed up the chain",
            "stale_after_ack": "nothing moved after it was picked up",
        }[self.value]


class EscalationStatus(StrEnum):
    OPEN = "open"  # climbing, waiting for an acknowledgement
    ACKNOWLEDGED = "acknowledged"
    EXHAUSTED = "exhausted"  # the fallback channel was told; nowhere left to climb
    RESOLVED = "resolved"  # its cause cleared (``resolved_cause`` says how)
    CLOSED = "closed"  # the item closed while it was escalated (before causes were kept)


class ResolveCause(StrEnum):
    """What made an escalation's cause go away (``escalation_resolved``'s ``cause``)."""

    CHECKIN_ANSWERED = "checkin_answered"
    UNBLOCKED = "unblocked"
    DUE_CHANGED = "due_changed"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    QUESTION_ASKED = "question_asked"
    REASSIGNED = "reassigned"
    CLOSED = "closed"

    @property
    def describe(self) -> str:
        return {
            "checkin_answered": "the check-in was answered",
            "unblocked": "the assignee is no longer blocked",
            "due_changed": "the due date moved",
            "accepted": "the assignee accepted it",
            "declined": "the assignee declined it",
            "question_asked": "the assignee asked a question about it",
            "reassigned": "it was reassigned",
            "closed": "the item closed",
        }[self.value]
