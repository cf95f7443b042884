"""When the weekly digests go, and that each period is posted once: the channel's, and each
lead's by DM. Claims are rows in the real database; what is posted is what the domain asked
the notifier to tell."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from bot.domain import delegations as d
from bot.domain.digest import Digest
from bot.domain.digest_schedule import (
    DigestPolicy,
    last_scheduled,
    post_lead_digest,
    post_weekly_digest,
)
from bot.domain.ports import Person
from storage.db import unit_of_work
from storage.models import PostedDigest
from tests.fakes import RecordingNotifier, work_in

MONDAY_9 = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
LEAD, BOB, ALICE, OTHER = (Person(u) for u in ("U0LEAD", "U0BOB", "U0ALICE", "U0OTHER"))
CHANNEL = "C0DIGEST"
POLICY = DigestPolicy(channel=CHANNEL, teams={LEAD.user_id: frozenset({LEAD.user_id, BOB.user_id})})


def utc(month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=UTC)


@pytest.mark.parametrize(
    ("now", "weekday", "at", "tz", "expected"),
    [
        (utc(11, 23, 9), 0, time(9), "UTC", utc(11, 23, 9)),  # the moment itself counts
        (utc(11, 23, 8, 59), 0, time(9), "UTC", utc(11, 16, 9)),  # a minute early: last week
        (utc(11, 25, 15), 0, time(9), "UTC", utc(11, 23, 9)),  # Wednesday: this Monday
        (utc(11, 22, 23), 0, time(9), "UTC", utc(11, 16, 9)),  # Sunday: the Monday before
        (utc(11, 23, 12), 4, time(17), "UTC", utc(11, 20, 17)),  # a Friday-evening digest
        # Monday 09:00 in New York is 14:00 UTC (EST)
        (utc(11, 23, 13, 59), 0, time(9), "America/New_York", utc(11, 16, 14)),
        (utc(11, 23, 14), 0, time(9), "America/New_York", utc(11, 23, 14)),
        # Monday 09:00 in Tokyo is Monday 00:00 UTC: Sunday night in UTC is still last week
        (utc(11, 22, 23, 30), 0, time(9), "Asia/Tokyo", utc(11, 16, 0)),
        (utc(11, 23, 0, 0), 0, time(9), "Asia/Tokyo", utc(11, 23, 0)),
        # London leaves summer time on Sunday 25 Oct: 09:00 is 08:00 UTC, then 09:00 UTC
        (utc(10, 26, 8, 30), 0, time(9), "Europe/London", utc(10, 19, 8)),
        (utc(10, 26, 9), 0, time(9), "Europe/London", utc(10, 26, 9)),
        (utc(11, 23, 10), 0, time(9), "Mars/Olympus", utc(11, 23, 9)),  # unknown zone: UTC
    ],
)
def test_last_scheduled(now: datetime, weekday: int, at: time, tz: str, expected: datetime) -> None:
    assert last_scheduled(now, weekday=weekday, at=at, tz=tz) == expected


@pytest.mark.parametrize("tz", ["UTC", "America/Los_Angeles", "Pacific/Auckland", "Asia/Kolkata"])
@pytest.mark.parametrize(("weekday", "at"), [(0, time(9)), (4, time(17, 30)), (6, time(0))])
def test_last_scheduled_is_the_latest_moment_at_or_before_now(
    tz: str, weekday: int, at: time
) -> None:
    zone = ZoneInfo(tz)
    for hours in range(0, 24 * 15, 5):  # every five hours over two weeks
        now = utc(11, 16) + timedelta(hours=hours, minutes=7)
        moment = last_scheduled(now, weekday=weekday, at=at, tz=tz)
        local = moment.astimezone(zone)
        assert (local.weekday(), local.time()) == (weekday, at)
        assert moment <= now < moment + timedelta(days=7)


def test_given_back_on_the_clock_of_now() -> None:
    paris = datetime(2026, 11, 23, 11, 0, tzinfo=ZoneInfo("Europe/Paris"))
    moment = last_scheduled(paris, weekday=0, at=time(9), tz="UTC")
    assert moment == utc(11, 23, 9) and moment.tzinfo == paris.tzinfo


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        (MONDAY_9, MONDAY_9),
        (MONDAY_9 + timedelta(days=1), MONDAY_9),  # exactly the grace: still this week's
        (MONDAY_9 + timedelta(days=1, seconds=1), None),  # later than that: skipped
        (MONDAY_9 - timedelta(seconds=1), None),  # last week's, long past its grace
    ],
)
def test_period_end(now: datetime, expected: datetime | None) -> None:
    assert DigestPolicy(channel=CHANNEL).period_end(now) == expected


def test_period_end_with_a_longer_grace_and_another_zone() -> None:
    policy = DigestPolicy(channel=CHANNEL, timezone="America/New_York", grace=timedelta(days=3))
    assert policy.period_end(utc(11, 26, 13)) == utc(11, 23, 14)  # Thursday, within 3 days
    assert policy.period_end(utc(11, 26, 15)) is None


def seed(engine: Engine) -> None:
    """Last week: Lead, Bob and someone outside every team each delegate one item to Alice;
    and one more after the digest's moment, which it must not count."""
    for delegator, created in [
        (LEAD, utc(11, 17, 10)),
        (BOB, utc(11, 18, 10)),
        (OTHER, utc(11, 19, 10)),
        (LEAD, MONDAY_9 + timedelta(minutes=30)),
    ]:
        with unit_of_work(engine) as session:
            d.create_delegation(
                work_in(session, now=created),
                delegator=delegator,
                assignee=ALICE,
                task=f"From {delegator.user_id}",
                due_at=None,
                origin_channel_id=None,
            )


def post(engine: Engine, now: datetime, lead: str | None = None, **policy: Any) -> Any:
    """Post the channel's digest (or ``lead``'s); (posted, what it asked to tell)."""
    chosen = DigestPolicy(**{"channel": CHANNEL, "teams": POLICY.teams, **policy})
    notifier = RecordingNotifier()
    with unit_of_work(engine) as session:
        work = work_in(session, now=now, notifier=notifier)
        if lead is None:
            return post_weekly_digest(work, policy=chosen), notifier
        return post_lead_digest(work, lead=lead, policy=chosen), notifier


def claims(engine: Engine) -> list[tuple[str, datetime, str]]:
    with Session(engine) as session:
        rows = session.exec(select(PostedDigest).order_by(col(PostedDigest.id))).all()
        return [(row.kind, row.period_end, row.channel_id) for row in rows]


def the_digest(told: RecordingNotifier) -> tuple[Digest, str]:
    [entry] = told.told
    assert entry.what == "digest"
    [digest] = entry.details["args"]
    return digest, entry.details["key"]


def test_the_weekly_digest_is_posted_once_per_period(engine: Engine) -> None:
    seed(engine)
    posted, told = post(engine, MONDAY_9 + timedelta(hours=1))
    assert posted is True
    digest, key = the_digest(told)
    assert (digest.current.end, digest.timezone, digest.lead) == (MONDAY_9, "UTC", None)
    assert digest.current.start == MONDAY_9 - timedelta(days=7)
    assert digest.current.created == 3  # the item made after 09:00 is next week's
    with Session(engine) as session:
        [row] = session.exec(select(PostedDigest)).all()
    assert key == f"digest:{row.id}" and claims(engine) == [("weekly", MONDAY_9, CHANNEL)]
    for later in (MONDAY_9 + timedelta(hours=1), MONDAY_9 + timedelta(hours=20)):
        again, told = post(engine, later)  # a late tick, a restart, another replica
        assert again is False and told.told == []
    next_week, told = post(engine, MONDAY_9 + timedelta(days=7))
    assert next_week is True and the_digest(told)[0].current.created == 1
    assert [end for _, end, _ in claims(engine)] == [MONDAY_9, MONDAY_9 + timedelta(days=7)]


def test_no_digest_before_its_moment_after_its_grace_or_without_a_channel(engine: Engine) -> None:
    for now in (MONDAY_9 - timedelta(minutes=1), MONDAY_9 + timedelta(days=2)):
        posted, told = post(engine, now)
        assert posted is False and told.told == []
    posted, told = post(engine, MONDAY_9, channel=None)
    assert posted is False and told.told == [] and claims(engine) == []
    posted, _ = post(engine, MONDAY_9)  # nothing was claimed meanwhile
    assert posted is True


def test_the_digest_goes_on_the_policys_clock(engine: Engine) -> None:
    posted, _ = post(engine, utc(11, 23, 13, 59), timezone="America/New_York")
    assert posted is False
    posted, told = post(engine, utc(11, 23, 14), timezone="America/New_York")
    assert posted is True and the_digest(told)[0].timezone == "America/New_York"
    assert claims(engine) == [("weekly", utc(11, 23, 14), CHANNEL)]


def test_a_lead_gets_their_teams_digest_once(engine: Engine) -> None:
    seed(engine)
    now = MONDAY_9 + timedelta(hours=2)
    posted, told = post(engine, now, lead=LEAD.user_id)
    assert posted is True
    digest, key = the_digest(told)
    assert digest.lead == LEAD.user_id and digest.current.end == MONDAY_9
    assert digest.current.created == 2  # Lead's and Bob's, not the outsider's
    again, told = post(engine, now, lead=LEAD.user_id)
    assert again is False and told.told == []
    assert claims(engine) == [("lead", MONDAY_9, LEAD.user_id)]
    # the channel's digest is claimed apart from the lead's, in the same period
    channel, told = post(engine, now)
    assert channel is True and the_digest(told)[0].current.created == 3
    assert the_digest(told)[1] != key


def test_only_leads_with_a_team_get_one_and_each_their_own(engine: Engine) -> None:
    teams = {LEAD.user_id: frozenset({LEAD.user_id}), BOB.user_id: frozenset({BOB.user_id})}
    posted, told = post(engine, MONDAY_9, lead=OTHER.user_id, teams=teams)
    assert posted is False and told.told == []
    for lead in (LEAD, BOB):
        posted, told = post(engine, MONDAY_9, lead=lead.user_id, teams=teams)
        assert posted is True and the_digest(told)[0].lead == lead.user_id
    assert sorted(who for _, _, who in claims(engine)) == [BOB.user_id, LEAD.user_id]
    posted, _ = post(engine, MONDAY_9 + timedelta(days=2), lead=LEAD.user_id, teams=teams)
    assert posted is False  # past the grace for leads too
