"""The reports-to chain: who an escalation climbs through, loops, teams, and `/delegate chain`."""

from __future__ import annotations

from itertools import pairwise

import pytest

from bot.domain.chain import chain_for, chain_of_person, find_loops, may_see_chain, teams_of
from bot.domain.errors import NotAllowed

LEAD, ALICE, BOB, CAROL, DAVE, ERIN = "U0LEAD", "U0ALICE", "U0BOB", "U0CAROL", "U0DAVE", "U0ERIN"
FALLBACK = "C0FALLBACK"
CHAIN = {ALICE: CAROL, BOB: CAROL, CAROL: DAVE}  # DAVE is at the top: he reports to nobody


@pytest.mark.parametrize(
    ("assignee", "delegator", "chain", "fallback", "expected"),
    [
        # managers climbed in order, nearest first, the fallback channel last
        (ALICE, LEAD, CHAIN, FALLBACK, [CAROL, DAVE, FALLBACK]),
        (ALICE, LEAD, CHAIN, None, [CAROL, DAVE]),
        (CAROL, LEAD, CHAIN, FALLBACK, [DAVE, FALLBACK]),  # starting half-way up
        # the map names managers: the delegator is not added
        (ALICE, ERIN, {ALICE: CAROL}, FALLBACK, [CAROL, FALLBACK]),
        # the map says nothing about the assignee: the delegator, then the channel
        (ERIN, LEAD, CHAIN, FALLBACK, [LEAD, FALLBACK]),
        (ERIN, LEAD, {}, None, [LEAD]),
        (DAVE, LEAD, CHAIN, FALLBACK, [LEAD, FALLBACK]),  # a manager, but reports to nobody
        (ERIN, ERIN, CHAIN, FALLBACK, [FALLBACK]),  # the delegator is the assignee
        (ERIN, ERIN, {}, None, []),
        (ERIN, LEAD, {}, "", [LEAD]),  # an empty fallback is no fallback
        # loops are cut where they would repeat
        (ALICE, LEAD, {ALICE: CAROL, CAROL: ALICE}, None, [CAROL]),
        (ALICE, LEAD, {ALICE: CAROL, CAROL: DAVE, DAVE: ALICE}, FALLBACK, [CAROL, DAVE, FALLBACK]),
        (ALICE, LEAD, {ALICE: CAROL, CAROL: DAVE, DAVE: CAROL}, None, [CAROL, DAVE]),
        (ALICE, LEAD, {ALICE: ALICE}, FALLBACK, [LEAD, FALLBACK]),  # only themselves: none
        # the delegator already on the climb is not named twice
        (ALICE, CAROL, CHAIN, FALLBACK, [CAROL, DAVE, FALLBACK]),
        (ALICE, DAVE, CHAIN, None, [CAROL, DAVE]),
    ],
)
def test_chain_for(
    assignee: str,
    delegator: str,
    chain: dict[str, str],
    fallback: str | None,
    expected: list[str],
) -> None:
    climb = chain_for(assignee=assignee, delegator=delegator, chain=chain, fallback=fallback)
    assert climb == expected
    assert len(set(climb)) == len(climb)  # nobody is told twice
    assert assignee not in climb  # an escalation never climbs to the person it is about


def test_chain_for_does_not_change_the_map() -> None:
    chain = {ALICE: CAROL, CAROL: ALICE}
    chain_for(assignee=ALICE, delegator=LEAD, chain=chain, fallback=FALLBACK)
    assert chain == {ALICE: CAROL, CAROL: ALICE}


def test_a_long_chain_is_climbed_to_the_top() -> None:
    people = [f"U0P{index:03}" for index in range(200)]
    chain = dict(pairwise(people))
    climb = chain_for(assignee=people[0], delegator=LEAD, chain=chain, fallback=FALLBACK)
    assert climb == [*people[1:], FALLBACK]


@pytest.mark.parametrize(
    ("chain", "expected"),
    [
        ({}, []),
        (CHAIN, []),
        ({DAVE: DAVE}, [[DAVE, DAVE]]),
        ({ALICE: CAROL, CAROL: ALICE}, [[ALICE, CAROL, ALICE]]),
        ({ALICE: CAROL, CAROL: DAVE, DAVE: ALICE}, [[ALICE, CAROL, DAVE, ALICE]]),
        # a line leading into a loop is not part of it; the loop is reported once
        ({ALICE: CAROL, CAROL: ALICE, DAVE: ALICE}, [[ALICE, CAROL, ALICE]]),
        ({DAVE: ALICE, ALICE: CAROL, CAROL: ALICE}, [[ALICE, CAROL, ALICE]]),
        ({BOB: ALICE, ERIN: CAROL, ALICE: CAROL, CAROL: ALICE}, [[ALICE, CAROL, ALICE]]),
        # separate loops, each once, in the order the map first reaches them
        (
            {ALICE: CAROL, CAROL: ALICE, DAVE: ERIN, ERIN: DAVE, BOB: BOB},
            [[ALICE, CAROL, ALICE], [DAVE, ERIN, DAVE], [BOB, BOB]],
        ),
        # a loop above a sound line
        ({LEAD: ALICE, ALICE: CAROL, CAROL: DAVE, DAVE: CAROL}, [[CAROL, DAVE, CAROL]]),
    ],
)
def test_find_loops(chain: dict[str, str], expected: list[list[str]]) -> None:
    assert find_loops(chain) == expected


def test_every_loop_found_closes_on_itself_and_follows_the_map() -> None:
    chain = {ALICE: CAROL, CAROL: DAVE, DAVE: ALICE, BOB: ERIN, ERIN: LEAD, LEAD: ERIN}
    loops = find_loops(chain)
    assert len(loops) == 2
    for loop in loops:
        assert loop[0] == loop[-1]
        assert all(chain[person] == manager for person, manager in pairwise(loop))
    assert {frozenset(loop) for loop in loops} == {
        frozenset({ALICE, CAROL, DAVE}),
        frozenset({ERIN, LEAD}),
    }


@pytest.mark.parametrize(
    ("chain", "expected"),
    [
        ({}, {}),
        ({ALICE: CAROL}, {CAROL: {ALICE, CAROL}}),
        # everyone below a lead, directly or through others, and the lead themselves
        (CHAIN, {CAROL: {ALICE, BOB, CAROL}, DAVE: {ALICE, BOB, CAROL, DAVE}}),
        (
            {ALICE: CAROL, BOB: DAVE},
            {CAROL: {ALICE, CAROL}, DAVE: {BOB, DAVE}},
        ),
        # loops are cut: each member of a loop leads the others, nobody twice
        ({ALICE: CAROL, CAROL: ALICE}, {ALICE: {ALICE, CAROL}, CAROL: {ALICE, CAROL}}),
        ({DAVE: DAVE}, {}),  # reporting to oneself makes nobody a lead
        (
            {BOB: ALICE, ALICE: CAROL, CAROL: ALICE},
            {ALICE: {ALICE, BOB, CAROL}, CAROL: {ALICE, BOB, CAROL}},
        ),
    ],
)
def test_teams_of(chain: dict[str, str], expected: dict[str, set[str]]) -> None:
    teams = teams_of(chain)
    assert teams == {lead: frozenset(team) for lead, team in expected.items()}
    assert all(isinstance(team, frozenset) for team in teams.values())


def test_a_lead_is_anyone_somebody_reports_to() -> None:
    chain = {ALICE: CAROL, BOB: CAROL, CAROL: DAVE, ERIN: LEAD}
    teams = teams_of(chain)
    assert set(teams) == set(chain.values())
    for lead, team in teams.items():
        assert lead in team
        for member in team - {lead}:  # every member climbs to their lead
            assert lead in chain_for(assignee=member, delegator=member, chain=chain, fallback=None)


@pytest.mark.parametrize(
    ("person", "chain", "fallback", "expected"),
    [
        (ALICE, CHAIN, FALLBACK, ([CAROL, DAVE, FALLBACK], True)),
        (ALICE, CHAIN, None, ([CAROL, DAVE], True)),
        (CAROL, CHAIN, FALLBACK, ([DAVE, FALLBACK], True)),
        # not named (a top manager, or someone the chain does not know): no delegator added
        (DAVE, CHAIN, FALLBACK, ([FALLBACK], False)),
        (ERIN, CHAIN, FALLBACK, ([FALLBACK], False)),
        (ERIN, {}, None, ([], False)),
        # named, but only in a loop back to themselves
        (ALICE, {ALICE: ALICE}, FALLBACK, ([FALLBACK], True)),
        (ALICE, {ALICE: CAROL, CAROL: ALICE}, None, ([CAROL], True)),
    ],
)
def test_chain_of_person(
    person: str,
    chain: dict[str, str],
    fallback: str | None,
    expected: tuple[list[str], bool],
) -> None:
    shown = chain_of_person(person, viewer=person, admin=False, chain=chain, fallback=fallback)
    assert shown == expected


@pytest.mark.parametrize(
    ("viewer", "person", "admin", "allowed"),
    [
        (ALICE, ALICE, False, True),  # one's own
        (CAROL, ALICE, False, True),  # a direct report
        (DAVE, ALICE, False, True),  # through Carol
        (ALICE, CAROL, False, False),  # one's manager is not below one
        (ERIN, ALICE, False, False),  # a stranger
        (ERIN, ERIN, False, True),  # not in the chain at all: still one's own
        (ERIN, ALICE, True, True),  # an admin: anyone's
        (ALICE, "U0NOBODY", True, True),
    ],
)
def test_whose_chain_one_may_see(viewer: str, person: str, admin: bool, allowed: bool) -> None:
    assert may_see_chain(viewer, person, chain=CHAIN, admin=admin) is allowed
    if not allowed:
        with pytest.raises(NotAllowed, match="your own chain"):
            chain_of_person(person, viewer=viewer, admin=admin, chain=CHAIN, fallback=FALLBACK)


def test_a_loop_makes_nobody_see_more_than_the_loop() -> None:
    looped = {ALICE: CAROL, CAROL: ALICE}
    assert may_see_chain(CAROL, ALICE, chain=looped, admin=False)
    assert not may_see_chain(DAVE, ALICE, chain=looped, admin=False)


CHAIN = {ALICE: CAROL, CAROL: DAVE}


def test_chain_for_a_chain_of_three() -> None:
    assert chain_for(assignee=ALICE, delegator=LEAD, chain=CHAIN, fallback=FALLBACK) == [
        CAROL,
        DAVE,
        FALLBACK,
    ]
    # nothing configured for the assignee: the delegator, then the channel
    assert chain_for(assignee="U0BOB", delegator=LEAD, chain=CHAIN, fallback=FALLBACK) == [
        LEAD,
        FALLBACK,
    ]
    assert chain_for(assignee="U0BOB", delegator=LEAD, chain={}, fallback=None) == [LEAD]
    # a loop is cut where it would repeat, never followed forever
    looping = {ALICE: CAROL, CAROL: DAVE, DAVE: ALICE}
    assert chain_for(assignee=ALICE, delegator=LEAD, chain=looping, fallback=None) == [CAROL, DAVE]
    assert chain_for(assignee=CAROL, delegator=LEAD, chain={CAROL: CAROL}, fallback=None) == [LEAD]


def test_find_loops_in_a_small_map() -> None:
    assert find_loops(CHAIN) == []
    assert find_loops({ALICE: CAROL, CAROL: ALICE, DAVE: ALICE}) == [[ALICE, CAROL, ALICE]]
    assert find_loops({DAVE: DAVE}) == [[DAVE, DAVE]]


def test_teams_are_everyone_below_a_lead_with_loops_cut() -> None:
    assert teams_of({ALICE: CAROL, LEAD: CAROL, CAROL: DAVE}) == {
        CAROL: {CAROL, ALICE, LEAD},
        DAVE: {DAVE, CAROL, ALICE, LEAD},
    }
    assert teams_of({ALICE: CAROL, CAROL: ALICE}) == {CAROL: {CAROL, ALICE}, ALICE: {ALICE, CAROL}}
    assert teams_of({}) == {}
