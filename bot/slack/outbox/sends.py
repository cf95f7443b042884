"""The message keys that name what landed: the notifier sets them, delivery records them."""

from __future__ import annotations

from storage.models import Checkin, Delegation, Escalation


def offer_key(delegation: Delegation) -> str:
    return f"delegation:{delegation.id}:offer:{delegation.assignee_id}"


def checkin_key(checkin: Checkin) -> str:
    return f"checkin:{checkin.id}"


def escalation_key(escalation: Escalation, target: str) -> str:
    return f"escalation:{escalation.id}:to:{target}"
