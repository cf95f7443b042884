"""The kinds of Slack call the outbox holds, and the message keys that name what landed.

The notifier queues them; delivery, pacing and the metrics tell them apart by kind.
"""

from __future__ import annotations

from storage.models import Checkin, Delegation, Escalation

POST = "post"
UPDATE = "update"
RESPOND = "respond"
UPLOAD = "upload"
HOME = "home"  # publish the recipient's App Home as it is when delivered
HOME_QUEUE = "home:"  # + a person: their Home's own queue, never holding up their DMs


def offer_key(delegation: Delegation) -> str:
    return f"delegation:{delegation.id}:offer:{delegation.assignee_id}"


def checkin_key(checkin: Checkin) -> str:
    return f"checkin:{checkin.id}"


def escalation_key(escalation: Escalation, target: str) -> str:
    return f"escalation:{escalation.id}:to:{target}"
