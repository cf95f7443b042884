"""One item's details and history, for the people entitled to see them: those on it (the
delegator, the assignee, whoever it was escalated to) and everyone above them in the chain."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from sqlmodel import Session, col, select

from bot.domain.chain import chain_for
from bot.domain.errors import NotAllowed, NotFound
from storage.delegations import get_delegation
from storage.models import Delegation, Escalation, Event

HISTORY_SHOWN = 15


@dataclass(frozen=True)
class ItemDetails:
    delegation: Delegation
    history: Sequence[Event]  # the latest events, oldest first
    earlier: int  # how many older events are not shown


def item_details(
    session: Session, *, delegation_id: int, viewer: str, chain: Mapping[str, str]
) -> ItemDetails:
    delegation = get_delegation(session, delegation_id=delegation_id)
    if delegation is None:
        raise NotFound(f"There is no delegation #{delegation_id}.")
    if viewer not in _entitled(session, delegation, chain):
        raise NotAllowed(
            f"Only the people on #{delegation_id} and those above them in the chain can see "
            "its details."
        )
    events = session.exec(
        select(Event)
        .where(col(Event.delegation_id) == delegation_id)
        .order_by(col(Event.at).desc(), col(Event.id).desc())
    ).all()
    shown = list(reversed(events[:HISTORY_SHOWN]))
    return ItemDetails(delegation=delegation, history=shown, earlier=len(events) - len(shown))


def _entitled(session: Session, delegation: Delegation, chain: Mapping[str, str]) -> set[str]:
    people = {delegation.delegator_id, delegation.assignee_id}
    targets = session.exec(
        select(Escalation.chain).where(col(Escalation.delegation_id) == delegation.id)
    ).all()
    for climb in targets:
        people.update(climb)
    for person in list(people):
        people.update(chain_for(assignee=person, delegator=person, chain=chain, fallback=None))
    return people
