"""The App Home on a real database: what each person sees delegated to them, by them, and
escalated to them; in which order, how many, and the last check-in answer of each."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Engine

from bot.domain import delegations as d
from bot.domain.checkins import answer_checkin, send_checkin
from bot.domain.escalation import acknowledge, climb, escalate_manually
from bot.domain.home import SHOWN, Home, Section, home_for
from bot.domain.offer_limits import OfferLimits
from bot.domain.ports import Person
from bot.domain.supervision import SupervisionPolicy, Supervisor
from storage.db import reading, unit_of_work
from storage.delegations import get_delegation
from storage.enums import CheckinStatus
from storage.models import Escalation
from tests.fakes import RecordingNotifier, StaticDirectory, work_in

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)  # a Monday
DAY, MINUTE = timedelta(days=1), timedelta(minutes=1)
LEAD, ALICE, BOB, CAROL, DAVE = (
    Person(f"U0{name}", tz="UTC") for name in ("LEAD", "ALICE", "BOB", "CAROL", "DAVE")
)
POLICY = SupervisionPolicy(
    chain={ALICE.user_id: CAROL.user_id, BOB.user_id: CAROL.user_id, CAROL.user_id: DAVE.user_id},
    offer_limits=OfferLimits(new_per_hour=1000, open_per_assignee=1000),  # long Homes and lists
)
SUPERVISOR = Supervisor(policy=POLICY, directory=StaticDirectory(LEAD, ALICE, BOB, CAROL, DAVE))


def offer(
    engine: Engine,
    *,
    delegator: Person = LEAD,
    assignee: Person = ALICE,
    due: datetime | None = NOW + DAY,
) -> int:
    with unit_of_work(engine) as session:
        item = d.create_delegation(
            work_in(session, now=NOW, notifier=RecordingNotifier(), supervisor=SUPERVISOR),
            delegator=delegator,
            assignee=assignee,
            task="Prepare the Q3 report",
            due_at=due,
            origin_channel_id="C0GENERAL",
        )
        assert item.id is not None
        return item.id


def act(
    engine: Engine, command: Callable[..., Any], actor: Person, *, at: datetime = NOW, **kw: Any
) -> Any:
    with unit_of_work(engine) as session:
        work = work_in(session, now=at, notifier=RecordingNotifier(), supervisor=SUPERVISOR)
        return command(work, actor=actor.user_id, **kw)


def escalate(engine: Engine, delegation_id: int, *, at: datetime) -> Escalation:
    return act(engine, escalate_manually, LEAD, at=at, delegation_id=delegation_id, note="help")


def home(engine: Engine, person: Person) -> Home:
    with reading(engine) as session:
        return home_for(session, user_id=person.user_id)


def ids(section: Section) -> list[int | None]:
    return [item.id for item in section.items]


def test_each_person_sees_the_open_items_to_them_and_by_them(engine: Engine) -> None:
    offered = offer(engine, due=NOW + 2 * DAY)
    accepted = offer(engine, due=NOW + DAY)
    act(engine, d.accept, ALICE, delegation_id=accepted)
    declined, completed, cancelled = offer(engine), offer(engine), offer(engine)
    act(engine, d.decline, ALICE, delegation_id=declined, reason="busy")
    act(engine, d.accept, ALICE, delegation_id=completed)
    act(engine, d.complete, ALICE, delegation_id=completed)
    act(engine, d.cancel, LEAD, delegation_id=cancelled)
    back = offer(engine, delegator=ALICE, assignee=LEAD)
    offer(engine, delegator=BOB, assignee=CAROL)  # nothing to do with either of them

    alice = home(engine, ALICE)
    assert ids(alice.to_me) == [accepted, offered] and alice.to_me.total == 2
    assert ids(alice.by_me) == [back] and alice.by_me.total == 1
    assert alice.escalated_to_me == Section(items=[], total=0) and alice.escalations == {}
    lead = home(engine, LEAD)
    assert ids(lead.to_me) == [back] and lead.to_me.total == 1
    assert ids(lead.by_me) == [accepted, offered] and lead.by_me.total == 2
    dave = home(engine, DAVE)
    assert (dave.to_me.total, dave.by_me.total, dave.escalated_to_me.total) == (0, 0, 0)
    assert dave.to_me.items == dave.by_me.items == dave.escalated_to_me.items == []


def test_items_come_soonest_due_first_undated_last_then_oldest_first(engine: Engine) -> None:
    dues = [NOW + 3 * DAY, None, NOW + DAY, NOW + 2 * DAY, None, NOW + DAY]
    made = [offer(engine, due=due) for due in dues]
    expected = [made[2], made[5], made[3], made[0], made[1], made[4]]
    assert ids(home(engine, ALICE).to_me) == expected
    assert ids(home(engine, LEAD).by_me) == expected


def test_a_section_shows_the_soonest_few_and_counts_them_all(engine: Engine) -> None:
    count = SHOWN + 3
    made = [offer(engine, due=NOW + timedelta(hours=count - i)) for i in range(count)]
    soonest_first = made[::-1]
    alice, lead = home(engine, ALICE), home(engine, LEAD)
    assert ids(alice.to_me) == soonest_first[:SHOWN] and alice.to_me.total == count
    assert ids(lead.by_me) == soonest_first[:SHOWN] and lead.by_me.total == count
    for delegation_id in soonest_first[:3]:  # closing three brings the rest into view
        act(engine, d.cancel, LEAD, delegation_id=delegation_id)
    alice = home(engine, ALICE)
    assert ids(alice.to_me) == soonest_first[3:] and alice.to_me.total == SHOWN


def test_escalations_show_to_their_current_level_oldest_first(engine: Engine) -> None:
    to_alice, to_bob = offer(engine), offer(engine, assignee=BOB)
    to_carol = offer(engine, assignee=CAROL)  # CAROL reports to DAVE
    later = escalate(engine, to_alice, at=NOW + 2 * MINUTE)
    sooner = escalate(engine, to_bob, at=NOW + MINUTE)
    above = escalate(engine, to_carol, at=NOW + 3 * MINUTE)

    carol = home(engine, CAROL)
    assert ids(carol.escalated_to_me) == [to_bob, to_alice]  # by start, not by id
    assert carol.escalated_to_me.total == 2
    assert {key: e.id for key, e in carol.escalations.items()} == {
        to_bob: sooner.id,
        to_alice: later.id,
    }
    assert ids(carol.to_me) == [to_carol] and carol.by_me.total == 0
    dave = home(engine, DAVE)
    assert ids(dave.escalated_to_me) == [to_carol] and dave.escalations[to_carol].id == above.id
    for person in (LEAD, ALICE, BOB):  # the people on the items are not its current level
        assert home(engine, person).escalated_to_me.total == 0


def test_an_escalation_leaves_when_picked_up_passed_on_or_its_item_closes(
    engine: Engine,
) -> None:
    picked, passed, closed = offer(engine), offer(engine), offer(engine, assignee=BOB)
    first = escalate(engine, picked, at=NOW + MINUTE)
    second = escalate(engine, passed, at=NOW + 2 * MINUTE)
    escalate(engine, closed, at=NOW + 3 * MINUTE)
    assert ids(home(engine, CAROL).escalated_to_me) == [picked, passed, closed]

    act(engine, acknowledge, CAROL, at=NOW + 4 * MINUTE, escalation_id=first.id)
    assert ids(home(engine, CAROL).escalated_to_me) == [passed, closed]

    assert second.next_step_at is not None  # nobody picked it up in time: DAVE is next
    with unit_of_work(engine) as session:
        work = work_in(session, now=second.next_step_at, supervisor=SUPERVISOR)
        assert climb(work, escalation_id=second.id or 0, expected_step_at=second.next_step_at)
    carol, dave = home(engine, CAROL), home(engine, DAVE)
    assert ids(carol.escalated_to_me) == [closed] and carol.escalated_to_me.total == 1
    assert ids(dave.escalated_to_me) == [passed] and dave.escalations[passed].level == 2

    act(engine, d.cancel, LEAD, delegation_id=closed)
    carol = home(engine, CAROL)
    assert carol.escalated_to_me == Section(items=[], total=0) and carol.escalations == {}


def test_escalations_are_capped_like_the_other_sections(engine: Engine) -> None:
    count = SHOWN + 2
    made = [offer(engine) for _ in range(count)]
    for minutes, delegation_id in enumerate(reversed(made), start=1):  # newest item first
        escalate(engine, delegation_id, at=NOW + minutes * MINUTE)
    carol = home(engine, CAROL)
    oldest = made[::-1][:SHOWN]
    assert ids(carol.escalated_to_me) == oldest and carol.escalated_to_me.total == count
    assert set(carol.escalations) == set(oldest)


def answered(engine: Engine, delegation_id: int, answers: list[CheckinStatus | None]) -> None:
    """Accept the item, then send it one check-in per answer, answering those not None."""
    act(engine, d.accept, ALICE, delegation_id=delegation_id)
    for answer in answers:
        with unit_of_work(engine) as session:
            item = get_delegation(session, delegation_id=delegation_id)
            slot = item.next_checkin_at if item else None
            assert slot is not None
            checkin = send_checkin(
                work_in(session, now=slot, supervisor=SUPERVISOR),
                delegation_id=delegation_id,
                slot=slot,
            )
            assert checkin is not None and checkin.id is not None
        if answer is not None:
            act(
                engine,
                answer_checkin,
                ALICE,
                at=slot,
                checkin_id=checkin.id,
                status=answer,
                note="",
            )


def test_the_last_answer_of_each_item_shown(engine: Engine) -> None:
    changed, unanswered_last, never = offer(engine), offer(engine), offer(engine)
    answered(engine, changed, [CheckinStatus.ON_TRACK, CheckinStatus.AT_RISK])
    answered(engine, unanswered_last, [CheckinStatus.ON_TRACK, None])
    answered(engine, never, [None])
    escalate(engine, changed, at=NOW + 5 * DAY)

    for person in (ALICE, LEAD):  # to the assignee, by the delegator
        last = home(engine, person).last_answers
        assert set(last) == {changed, unanswered_last}
        assert last[changed].status == CheckinStatus.AT_RISK
        assert last[unanswered_last].status == CheckinStatus.ON_TRACK
    carol = home(engine, CAROL)  # only through the escalation
    assert {key: answer.status for key, answer in carol.last_answers.items()} == {
        changed: CheckinStatus.AT_RISK
    }
    assert home(engine, DAVE).last_answers == {}
