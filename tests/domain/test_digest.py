"""Every digest figure against a hand-computed fixture, on both databases."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, time
from typing import Any

import pytest
from sqlalchemy import Engine

from bot.domain.digest import DayCount, compute_digest, window_ending
from bot.domain.digest_schedule import last_scheduled
from storage.db import make_engine, unit_of_work, upgrade
from storage.events import record_event
from storage.models import Delegation

ALICE, BOB, LEAD = "U0ALICE", "U0BOB", "U0LEAD"


def at(day: int, hour: int = 0, month: int = 11) -> datetime:
    return datetime(2026, month, day, hour, 0, tzinfo=UTC)


def iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


class Log:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def item(
        self,
        number: int,
        created: datetime,
        *,
        assignee: str = ALICE,
        due: datetime | None = None,
        delegator: str = LEAD,
    ) -> None:
        with unit_of_work(self.engine) as session:
            session.add(
                Delegation(
                    id=number,
                    delegator_id=delegator,
                    assignee_id=assignee,
                    task=f"Item {number}",
                    status="offered",
                    created_at=created,
                    updated_at=created,
                    due_at=due,
                )
            )
            session.flush()
            record_event(
                session,
                delegation_id=number,
                type="created",
                actor=delegator,
                at=created,
                data={
                    "delegator": delegator,
                    "assignee": assignee,
                    "text": f"Item {number}",
                    "due": iso(due) if due else None,
                },
            )

    def event(
        self, number: int, kind: str, moment: datetime, actor: str = ALICE, **data: Any
    ) -> None:
        with unit_of_work(self.engine) as session:
            record_event(
                session, delegation_id=number, type=kind, actor=actor, at=moment, data=data
            )


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    engine = make_engine(database_url)
    upgrade(engine)
    log = Log(engine)
    # 1: accepted in 1 h, done on time
    log.item(1, at(16, 10), due=at(18, 18))
    log.event(1, "accepted", at(16, 11))
    log.event(1, "completed", at(18, 12))
    # 2: accepted in 3 h, went overdue and was escalated, acknowledged in 2 h, done late
    log.item(2, at(16, 12), due=at(17, 18))
    log.event(2, "accepted", at(16, 15))
    log.event(2, "overdue", at(17, 18), actor="system")
    log.event(
        2,
        "escalated",
        at(17, 18),
        actor="system",
        level=1,
        to="U0CAROL",
        reason="overdue",
        escalation_id=1,
    )
    log.event(2, "acknowledged", at(17, 20), actor="U0CAROL", level=1, escalation_id=1)
    log.event(2, "completed", at(19, 9))
    # 3: declined
    log.item(3, at(17, 9))
    log.event(3, "declined", at(17, 10), reason=None)
    # 4 (Bob): accepted in 10 h, one check-in answered, one not, escalated twice, now overdue
    log.item(4, at(18, 9), assignee=BOB, due=at(20, 18))
    log.event(4, "accepted", at(18, 19), actor=BOB)
    log.event(4, "checkin_sent", at(19, 9), actor="system", slot=iso(at(19, 9)))
    log.event(4, "checkin_answered", at(19, 10), actor=BOB, status="on_track", slot=iso(at(19, 9)))
    log.event(4, "checkin_sent", at(20, 9), actor="system", slot=iso(at(20, 9)))
    log.event(
        4,
        "escalated",
        at(20, 13),
        actor="system",
        level=1,
        to="U0DAVE",
        reason="checkin_unanswered",
        escalation_id=2,
    )
    log.event(
        4,
        "escalated",
        at(20, 15),
        actor="system",
        level=2,
        to="U0ERIN",
        reason="unacknowledged",
        escalation_id=2,
    )
    # 5: from the week before, accepted in 1 h, untouched since: stalled
    log.item(5, at(10, 9))
    log.event(5, "accepted", at(10, 10))
    # 6: offered two days ago, waiting
    log.item(6, at(22, 10))
    yield engine
    engine.dispose()


def test_every_figure(engine: Engine) -> None:
    with unit_of_work(engine) as session:
        digest = compute_digest(session, end=at(23), days=7, tz="UTC", shows_tasks=True)
    now = digest.current
    assert (now.start, now.end) == (at(16), at(23))
    assert (now.created, now.accepted, now.declined) == (5, 3, 1)
    assert now.acceptance_rate == 0.75
    assert (now.accept_p50_s, now.accept_p90_s) == (3 * 3600, 10 * 3600)
    assert (now.checkins_sent, now.checkins_answered, now.response_rate) == (2, 1, 0.5)
    assert (now.completed, now.completed_on_time, now.on_time_rate) == (2, 1, 0.5)
    assert now.complete_p50_s == 49 * 3600
    assert now.escalations == 2  # started in the window; one of them climbed a level
    assert now.escalations_by_reason == {"overdue": 1, "checkin_unanswered": 1}
    assert now.escalations_by_level == {1: 2, 2: 1}
    assert (now.acknowledged, now.acknowledge_p50_s) == (1, 2 * 3600)
    assert (now.open_items, now.overdue_items, now.stalled_items) == (3, 1, 2)
    assert [item.delegation_id for item in now.oldest] == [5, 4, 6]
    assert now.oldest[1].task == "Item 4" and now.oldest[1].assignee == BOB
    assert now.load == [(ALICE, 2, 0), (BOB, 1, 1)]
    assert now.daily == [
        DayCount(date(2026, 11, 16), 2, 0, 0),
        DayCount(date(2026, 11, 17), 1, 0, 1),
        DayCount(date(2026, 11, 18), 1, 1, 0),
        DayCount(date(2026, 11, 19), 0, 1, 0),
        DayCount(date(2026, 11, 20), 0, 0, 2),
        DayCount(date(2026, 11, 21), 0, 0, 0),
        DayCount(date(2026, 11, 22), 1, 0, 0),
    ]
    before = digest.previous
    assert (before.start, before.end) == (at(9), at(16))
    assert (before.created, before.accepted, before.accept_p50_s) == (1, 1, 3600)
    assert (before.completed, before.on_time_rate) == (0, None)


def test_an_empty_first_week(engine: Engine) -> None:
    with unit_of_work(engine) as session:
        digest = compute_digest(session, end=at(1), days=7, tz="UTC")
    assert digest.current.empty and digest.previous.empty
    assert digest.current.acceptance_rate is None and digest.current.accept_p50_s is None
    assert digest.current.open_items == 0 and len(digest.current.daily) == 7


def test_week_boundaries_in_the_digest_timezone(engine: Engine) -> None:
    # Monday 09:00 in Auckland (UTC+13) is Sunday 20:00 UTC
    end = last_scheduled(at(23, 3), weekday=0, at=time(9), tz="Pacific/Auckland")
    assert end == at(22, 20)
    assert last_scheduled(at(22, 19), weekday=0, at=time(9), tz="Pacific/Auckland") == at(15, 20)
    with unit_of_work(engine) as session:
        digest = compute_digest(session, end=end, days=7, tz="Pacific/Auckland")
    assert digest.current.start == at(15, 20)
    # item 6 was created at 10:00 UTC on the 22nd, before Monday began in Auckland
    assert digest.current.created == 5
    assert digest.current.daily[0].day == date(2026, 11, 16)
    assert sum(d.created for d in digest.current.daily) == digest.current.created


def test_a_window_across_a_dst_change_is_seven_calendar_days() -> None:
    # London leaves summer time on 25 Oct 2026
    start, end = window_ending(datetime(2026, 10, 26, 9, 0, tzinfo=UTC), days=7, tz="Europe/London")
    assert end - start == (
        datetime(2026, 10, 26, 9, tzinfo=UTC) - datetime(2026, 10, 19, 8, tzinfo=UTC)
    )


def test_an_item_someone_escalated_by_hand_is_not_stalled(engine: Engine) -> None:
    Log(engine).event(
        5, "escalated", at(21), actor=LEAD, level=1, to="U0CAROL", reason="manual", escalation_id=3
    )
    with unit_of_work(engine) as session:
        digest = compute_digest(session, end=at(23), days=7, tz="UTC")
    assert digest.current.stalled_items == 1  # only item 4 now; item 5 was just escalated
    assert digest.current.escalations_by_reason["manual"] == 1


def test_a_leads_digest_counts_only_what_their_team_delegated(engine: Engine) -> None:
    log = Log(engine)
    log.item(7, at(18, 9), assignee=ALICE, delegator=BOB, due=at(19, 18))  # Bob's, done late
    log.event(7, "accepted", at(18, 10))
    log.event(7, "completed", at(20, 9))
    log.item(8, at(19, 9), assignee=LEAD, delegator="U0OTHER")  # outside every team: open
    with unit_of_work(engine) as session:
        everyone = compute_digest(session, end=at(23), days=7, tz="UTC")
        leads = compute_digest(session, end=at(23), days=7, tz="UTC", lead=LEAD, team=None)
        team = compute_digest(
            session, end=at(23), days=7, tz="UTC", lead=LEAD, team=frozenset({LEAD, BOB})
        )
        bobs = compute_digest(session, end=at(23), days=7, tz="UTC", lead=BOB, team=None)
    assert (everyone.current.created, everyone.current.open_items) == (7, 4)
    assert leads.lead == LEAD and everyone.lead is None
    # the lead alone: exactly the figures of the fixture's items 1-6
    assert (leads.current.created, leads.current.completed, leads.current.open_items) == (5, 2, 3)
    assert leads.current.escalations_by_level == {1: 2, 2: 1}
    assert (team.current.created, team.current.completed) == (6, 3)
    assert (team.current.completed_on_time, team.current.accept_p50_s) == (1, 3600.0)
    now = bobs.current
    assert (now.created, now.accepted, now.completed, now.completed_on_time) == (1, 1, 1, 0)
    assert (now.accept_p50_s, now.complete_p50_s, now.open_items, now.oldest) == (
        3600.0,
        47 * 3600.0,
        0,
        [],
    )
    assert sum(day.created for day in now.daily) == 1 and now.escalations == 0
    assert [item.delegation_id for item in leads.current.oldest] == [5, 4, 6]


def test_the_load_follows_a_reassignment(engine: Engine) -> None:
    Log(engine).event(6, "reassigned", at(22, 12), actor=LEAD, to=BOB, **{"from": ALICE})
    with unit_of_work(engine) as session:
        before = compute_digest(session, end=at(22, 11), days=7, tz="UTC").current
        after = compute_digest(session, end=at(23), days=7, tz="UTC").current
    assert before.load == [(ALICE, 2, 0), (BOB, 1, 1)]  # item 6 was still Alice's
    assert after.load == [(BOB, 2, 1), (ALICE, 1, 0)]


def test_how_escalations_ended(engine: Engine) -> None:
    """December: one acknowledged in 1 h, one resolved by its cause in 3 h, one passed up
    and still open, one picked up after the window's end (still open at its end)."""
    log = Log(engine)
    for number in (11, 12, 13, 14):
        log.item(number, at(1, 9, month=12))

    def started(number: int, hour: int, reason: str, escalation: int, level: int = 1) -> None:
        log.event(
            number,
            "escalated",
            at(1, hour, month=12),
            actor="system",
            level=level,
            to="U0CAROL",
            reason=reason,
            escalation_id=escalation,
        )

    started(11, 10, "blocked", 11)
    log.event(11, "acknowledged", at(1, 11, month=12), actor="U0CAROL", level=1, escalation_id=11)
    started(12, 10, "checkin_unanswered", 12)
    log.event(
        12, "escalation_resolved", at(1, 13, month=12), escalation_id=12, cause="checkin_answered"
    )
    started(13, 10, "overdue", 13)
    started(13, 11, "passed_up", 13, level=2)
    started(14, 10, "not_accepted", 14)
    log.event(14, "acknowledged", at(9, 9, month=12), actor="U0CAROL", level=1, escalation_id=14)
    with unit_of_work(engine) as session:
        figures = compute_digest(session, end=at(8, month=12), days=7, tz="UTC").current
    assert figures.escalations == 4
    assert figures.escalations_by_reason["passed_up"] == 1
    assert figures.resolved_by_cause == {"checkin_answered": 1}
    assert (figures.acknowledged, figures.still_open) == (1, 2)
    assert figures.ending_p50_s == 3600  # 1 h and 3 h: the lower middle
