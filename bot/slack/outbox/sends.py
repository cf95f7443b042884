"""The message keys that name what landed: the notifier sets them, delivery records them."""

from __future__ import annotations

from datetime import datetime

from storage.models import Checkin, Delegation, Escalation


def offer_key(delegation: Delegation) -> str:
    return f"delegation:{delegation.id}:offer:{delegation.assignee_id}"


def checkin_key(checkin: Checkin) -> str:
    return f"checkin:{checkin.id}"


def escalation_key(escalation: Escalation, target: str) -> str:
    return f"escalation:{escalation.id}:to:{target}"


def reminder_key(escalation: Escalation, reminded_at: datetime) -> str:
    """The "still on it?" reminder sent at ``reminded_at`` (one at a time per escalation)."""
    return f"escalation:{escalation.id}:reminder:{int(reminded_at.timestamp())}"
