"""Who may open an item's details: the people on it and everyone above them in the chain."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.domain.details import HISTORY_SHOWN, item_details
from bot.domain.errors import NotAllowed, NotFound
from storage.db import make_engine, unit_of_work, upgrade
from storage.events import record_event
from storage.models import Delegation

LEAD, ALICE, CAROL, DAVE, BOB = "U0LEAD", "U0ALICE", "U0CAROL", "U0DAVE", "U0BOB"
CHAIN = {ALICE: CAROL, CAROL: DAVE}
NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


def test_the_people_on_an_item_and_their_managers_see_it(database_url: str) -> None:
    engine = make_engine(database_url)
    upgrade(engine)
    with unit_of_work(engine) as session:
        item = Delegation(
            delegator_id=LEAD,
            assignee_id=ALICE,
            task="Q3",
            status="accepted",
            created_at=NOW,
            updated_at=NOW,
        )
        session.add(item)
        session.flush()
        for _ in range(HISTORY_SHOWN + 3):
            record_event(
                session, delegation_id=item.id, type="checkin_sent", actor="system", at=NOW
            )
        item_id = item.id or 0
    with unit_of_work(engine) as session:
        for viewer in (LEAD, ALICE, CAROL, DAVE):
            details = item_details(session, delegation_id=item_id, viewer=viewer, chain=CHAIN)
            assert len(details.history) == HISTORY_SHOWN and details.earlier == 3
        with pytest.raises(NotAllowed):
            item_details(session, delegation_id=item_id, viewer=BOB, chain=CHAIN)
        with pytest.raises(NotFound):
            item_details(session, delegation_id=item_id + 1, viewer=LEAD, chain=CHAIN)
    engine.dispose()
