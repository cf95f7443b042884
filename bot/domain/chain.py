"""The reports-to chain an escalation climbs: who comes after whom, with loops cut."""

from __future__ import annotations

from collections.abc import Mapping

from bot.domain.errors import NotAllowed

CHAIN_NOT_YOURS = (
    "You can see your own chain and those of the people who report to you, directly or "
    "through others, in the [chain] table; an admin can see anyone's."
)


def chain_for(
    *, assignee: str, delegator: str, chain: Mapping[str, str], fallback: str | None
) -> list[str]:
    """Who an escalation for this assignee climbs through, level 1 first.

    Managers from the reports-to map, cut where it would loop; the delegator when the map
    says nothing about the assignee; the fallback channel last.
    """
    climb: list[str] = []
    seen = {assignee}
    person = assignee
    while person in chain and chain[person] not in seen:
        person = chain[person]
        climb.append(person)
        seen.add(person)
    if not climb and delegator != assignee:
        climb.append(delegator)
    if fallback:
        climb.append(fallback)
    return climb


def find_loops(chain: Mapping[str, str]) -> list[list[str]]:
    """Every cycle in a reports-to map, each once (for `steward check` and start-up)."""
    loops: list[list[str]] = []
    reported: set[str] = set()
    for start in chain:
        path: list[str] = []
        person = start
        while person in chain and person not in path:
            path.append(person)
            person = chain[person]
        if person in path and person not in reported:
            loop = path[path.index(person) :]
            reported.update(loop)
            loops.append([*loop, person])
    return loops


def teams_of(chain: Mapping[str, str]) -> dict[str, frozenset[str]]:
    """Each lead (anyone somebody reports to) and their team: themselves and everyone whose
    reports-to line climbs to them, directly or through others (loops cut)."""
    teams: dict[str, set[str]] = {}
    for person in chain:
        for manager in chain_for(assignee=person, delegator=person, chain=chain, fallback=None):
            teams.setdefault(manager, {manager}).add(person)
    return {lead: frozenset(team) for lead, team in teams.items()}


def may_see_chain(viewer: str, person: str, *, chain: Mapping[str, str], admin: bool) -> bool:
    """Whose reporting line a person may look up: their own, of anyone below them in the
    chain (directly or through others), and anyone's for an admin."""
    if admin or viewer == person:
        return True
    return viewer in chain_for(assignee=person, delegator=person, chain=chain, fallback=None)


def chain_of_person(
    user_id: str, *, viewer: str, admin: bool, chain: Mapping[str, str], fallback: str | None
) -> tuple[list[str], bool]:
    """What ``/delegate chain @person`` shows ``viewer``: who an escalation about their work
    climbs through (the delegator is not known, so none is added), and whether the chain
    names them at all. Raises NotAllowed when it is not the viewer's to see."""
    if not may_see_chain(viewer, user_id, chain=chain, admin=admin):
        raise NotAllowed(CHAIN_NOT_YOURS)
    climb = chain_for(assignee=user_id, delegator=user_id, chain=chain, fallback=fallback)
    return climb, user_id in chain
