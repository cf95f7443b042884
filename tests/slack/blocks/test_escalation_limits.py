"""Escalation messages stay inside Block Kit's limits with every text at its longest."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.domain.delegations import MAX_TASK_LENGTH
from bot.domain.escalation import MAX_NOTE_LENGTH
from bot.slack.blocks.escalations import MOST_IN_ONE_MESSAGE, Listed, escalation_list
from sandbox.block_checks import payload_errors
from storage.models import Checkin, Delegation, Escalation, EscalationNotice

NOW = datetime(2026, 12, 3, 9, 0, tzinfo=UTC)
LONGEST_ZONE = "America/Argentina/ComodRivadavia"
HOSTILE = "Finance & legal <urgent> " * 200  # long, with characters that escape


def listed(number: int, status: str = "open") -> Listed:
    chain = ["U0AAAAAAAAAAAAAAAAAAAAAAAA", "U0BBBBBBBBBBBBBBBBBBBBBBBBB", "C0FALLBACK"]
    escalation = Escalation(
        id=number,
        delegation_id=number,
        reason="blocked",
        chain=chain,
        level=2,
        target=chain[1],
        status=status,
        started_at=NOW - timedelta(days=9),
        stalled_since=NOW - timedelta(days=9),
        level_started_at=NOW,
        note=HOSTILE[:MAX_NOTE_LENGTH],
        climb_reason="passed_up",
        climb_note=HOSTILE[:MAX_NOTE_LENGTH],
        acknowledged_by=chain[1] if status != "open" else None,
        resolved_cause="unblocked" if status == "resolved" else None,
    )
    item = Delegation(
        id=number,
        delegator_id="U0CCCCCCCCCCCCCCCCCCCCCCCCC",
        assignee_id="U0DDDDDDDDDDDDDDDDDDDDDDDDD",
        task=("Ω" * 50 + "\n") * (MAX_TASK_LENGTH // 51),
        status="accepted",
        created_at=NOW,
        updated_at=NOW,
        due_at=NOW + timedelta(days=1),
    )
    answer = Checkin(
        delegation_id=number,
        slot=NOW,
        sent_at=NOW,
        answered_at=NOW,
        status="blocked",
        note=HOSTILE[:MAX_NOTE_LENGTH],
    )
    notice = EscalationNotice(
        escalation_id=number, level=2, recipient=chain[1], message_key="k", sent_at=NOW
    )
    return Listed(notice, escalation, item, answer)


@pytest.mark.parametrize("status", ["open", "acknowledged", "resolved"])
def test_one_escalation_at_its_longest_fits(status: str) -> None:
    payload = escalation_list([listed(1, status)], tz=LONGEST_ZONE, now=NOW).payload()
    assert payload_errors(payload) == []


def test_a_full_shared_message_fits() -> None:
    many = [listed(number) for number in range(1, MOST_IN_ONE_MESSAGE + 1)]
    payload = escalation_list(many, tz=LONGEST_ZONE, now=NOW).payload()
    assert payload_errors(payload) == []  # 50 blocks at most, block ids unique among them
