"""`/delegate list` on a real database: a person's open items both ways, soonest due first,
one limit over both directions, and the last check-in answer of each item listed."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import Engine

from bot.domain import delegations as d
from bot.domain.listing import LIST_LIMIT, OpenItems, open_items
from bot.domain.ports import Person
from storage.db import reading
from storage.enums import CheckinStatus
from storage.models import Delegation

# the same people, items and check-ins as the Home's tests
from tests.domain.test_home import ALICE, BOB, CAROL, DAY, LEAD, NOW, act, answered, offer

HOUR = timedelta(hours=1)


def listed(engine: Engine, person: Person) -> OpenItems:
    with reading(engine) as session:
        return open_items(session, user_id=person.user_id)


def ids(rows: list[Delegation]) -> list[int | None]:
    return [row.id for row in rows]


def test_open_items_both_ways_and_only_open_ones(engine: Engine) -> None:
    offered = offer(engine, due=NOW + 2 * DAY)
    accepted = offer(engine, due=NOW + DAY)
    act(engine, d.accept, ALICE, delegation_id=accepted)
    declined, completed, cancelled = offer(engine), offer(engine), offer(engine)
    act(engine, d.decline, ALICE, delegation_id=declined, reason="busy")
    act(engine, d.accept, ALICE, delegation_id=completed)
    act(engine, d.complete, ALICE, delegation_id=completed)
    act(engine, d.cancel, LEAD, delegation_id=cancelled)
    back = offer(engine, delegator=ALICE, assignee=LEAD, due=NOW + 3 * DAY)
    offer(engine, delegator=BOB, assignee=CAROL)  # nothing to do with either of them

    alice = listed(engine, ALICE)
    assert ids(alice.to_me) == [accepted, offered] and ids(alice.by_me) == [back]
    assert not alice.truncated
    assert all(row.assignee_id == ALICE.user_id for row in alice.to_me)
    assert all(row.delegator_id == ALICE.user_id for row in alice.by_me)
    lead = listed(engine, LEAD)
    assert ids(lead.to_me) == [back] and ids(lead.by_me) == [accepted, offered]
    assert {row.status for row in lead.by_me} == {"offered", "accepted"}
    nobody = listed(engine, Person("U0NOBODY"))
    assert nobody == OpenItems(to_me=[], by_me=[], truncated=False, last_answers={})


def test_soonest_due_first_undated_last_then_oldest_first(engine: Engine) -> None:
    dues = [NOW + 3 * DAY, None, NOW + DAY, NOW + 2 * DAY, None, NOW + DAY]
    to_her = [offer(engine, due=due) for due in dues]
    by_her = [offer(engine, delegator=ALICE, assignee=BOB, due=due) for due in dues]
    order = [2, 5, 3, 0, 1, 4]
    alice = listed(engine, ALICE)
    assert ids(alice.to_me) == [to_her[i] for i in order]
    assert ids(alice.by_me) == [by_her[i] for i in order]


def test_one_limit_over_both_directions_keeping_the_soonest_due(engine: Engine) -> None:
    # alternately to her and by her, each due an hour after the one before
    made = [
        offer(engine, due=NOW + (i + 1) * HOUR)
        if i % 2 == 0
        else offer(engine, delegator=ALICE, assignee=BOB, due=NOW + (i + 1) * HOUR)
        for i in range(LIST_LIMIT)
    ]
    alice = listed(engine, ALICE)  # exactly the limit: everything, nothing hidden
    assert ids(alice.to_me) == made[0::2] and ids(alice.by_me) == made[1::2]
    assert not alice.truncated

    undated = offer(engine, due=None)  # one more, due last: it is the one left out
    alice = listed(engine, ALICE)
    assert alice.truncated
    assert ids(alice.to_me) == made[0::2] and ids(alice.by_me) == made[1::2]
    assert undated not in ids(alice.to_me)

    urgent = offer(engine, delegator=ALICE, assignee=CAROL, due=NOW + HOUR / 2)
    alice = listed(engine, ALICE)  # the soonest due pushes the latest dated one out
    assert alice.truncated and len(alice.to_me) + len(alice.by_me) == LIST_LIMIT
    assert ids(alice.by_me) == [urgent, *made[1:-1:2]]
    assert ids(alice.to_me) == made[0::2]

    act(engine, d.cancel, ALICE, delegation_id=urgent)  # back to the limit plus one
    act(engine, d.cancel, LEAD, delegation_id=undated)  # and to the limit
    alice = listed(engine, ALICE)
    assert not alice.truncated and ids(alice.by_me) == made[1::2]


def test_other_peoples_items_never_count_against_the_limit(engine: Engine) -> None:
    for _ in range(LIST_LIMIT + 1):
        offer(engine, delegator=BOB, assignee=CAROL)
    mine = offer(engine)
    alice = listed(engine, ALICE)
    assert ids(alice.to_me) == [mine] and alice.by_me == [] and not alice.truncated
    carol = listed(engine, CAROL)
    assert carol.truncated and len(carol.to_me) == LIST_LIMIT and carol.by_me == []


def test_the_last_answer_of_each_item_listed(engine: Engine) -> None:
    changed = offer(engine, due=NOW + 3 * DAY)  # listed last
    unanswered_last, never, closed = (offer(engine) for _ in range(3))
    answered(engine, changed, [CheckinStatus.ON_TRACK, CheckinStatus.BLOCKED])
    answered(engine, unanswered_last, [CheckinStatus.AT_RISK, None])
    answered(engine, never, [None])
    answered(engine, closed, [CheckinStatus.ON_TRACK])
    act(engine, d.complete, ALICE, delegation_id=closed, at=NOW + 5 * DAY)

    for person in (ALICE, LEAD):  # the assignee's list and the delegator's
        items = listed(engine, person)
        assert {row.id for row in [*items.to_me, *items.by_me]} == {
            changed,
            unanswered_last,
            never,
        }
        assert {key: answer.status for key, answer in items.last_answers.items()} == {
            changed: CheckinStatus.BLOCKED,
            unanswered_last: CheckinStatus.AT_RISK,
        }
    assert listed(engine, BOB).last_answers == {}
