"""The notifier renders times in each person's timezone, taken from the directory's memory
when the request path has just looked them up, and from the database otherwise."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import event
from sqlmodel import select

from bot.app.clocks import ManualClock
from bot.app.wiring import Steward, assemble
from bot.domain.delegations import create_delegation
from bot.domain.ports import Person
from sandbox.emulator import SlackEmulator
from storage.models import OutboxMessage
from tests.conftest import ALICE, LEAD, settings_for
from tests.fakes import work_in


def offer_and_watch(
    steward: Steward, clock: ManualClock, lead: Person, alice: Person
) -> tuple[list[str], str]:
    """Offer an item to Alice through the runtime's notifier: the statements that read the
    people table, and the offer DM's text."""
    people_reads: list[str] = []

    def watch(_conn: Any, _cursor: Any, statement: str, *_rest: Any) -> None:
        if "slack_users" in statement and statement.lstrip().upper().startswith("SELECT"):
            people_reads.append(statement)

    event.listen(steward.engine, "before_cursor_execute", watch)
    try:
        with steward.runtime.work() as work:
            delegation = create_delegation(
                work_in(work.session, now=work.now, notifier=work.notifier),
                delegator=lead,
                assignee=alice,
                task="Prepare the Q3 report",
                due_at=clock.now() + timedelta(days=3),
                origin_channel_id="C0GENERAL",
            )
            [offer] = work.session.exec(
                select(OutboxMessage)
                .where(OutboxMessage.delegation_id == delegation.id)
                .where(OutboxMessage.recipient == ALICE)
            ).all()
    finally:
        event.remove(steward.engine, "before_cursor_execute", watch)
    return people_reads, str(offer.payload)


@pytest.fixture
def steward(slack: SlackEmulator, clock: ManualClock, database_url: str) -> Iterator[Steward]:
    steward = assemble(settings_for(slack, database_url), clock=clock)
    yield steward
    steward.engine.dispose()


def look_up_both(steward: Steward) -> tuple[Person, Person]:
    """The delegator and Alice, as /delegate looks them up (users.info, then remembered)."""
    directory = steward.runtime.directory
    lead, alice = directory.lookup(LEAD), directory.lookup(ALICE)
    assert lead is not None and alice is not None
    return lead, alice


def test_people_just_looked_up_cost_the_notifier_no_query(
    steward: Steward, clock: ManualClock
) -> None:
    lead, alice = look_up_both(steward)
    people_reads, offer = offer_and_watch(steward, clock, lead, alice)
    assert people_reads == []
    assert "(Europe/London)" in offer  # Alice's own clock, from the directory's memory


def test_people_looked_up_long_ago_are_read_from_the_database(
    steward: Steward, clock: ManualClock
) -> None:
    lead, alice = look_up_both(steward)
    clock.advance(timedelta(minutes=11))  # past the directory's memory, within the cache
    people_reads, offer = offer_and_watch(steward, clock, lead, alice)
    assert len(people_reads) == 1  # Alice's timezone, for the offer
    assert "(Europe/London)" in offer
