"""When the weekly digests go, and posting each once: the channel's, and each lead's by DM.
A period is claimed by a unique row in the same transaction as its messages, so restarts,
late ticks and several replicas post it exactly once."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta

from bot.domain.digest import compute_digest
from bot.domain.due_dates import zone
from bot.domain.work import Work
from storage.digests import claim_period


def last_scheduled(now: datetime, *, weekday: int, at: time, tz: str) -> datetime:
    """The most recent weekly digest moment (``weekday`` at ``at`` in ``tz``) at or before now."""
    local_zone = zone(tz)
    local = now.astimezone(local_zone)
    day = local.date() - timedelta(days=(local.weekday() - weekday) % 7)
    moment = datetime.combine(day, at, tzinfo=local_zone)
    if moment > local:
        moment = datetime.combine(day - timedelta(days=7), at, tzinfo=local_zone)
    return moment.astimezone(now.tzinfo)


@dataclass(frozen=True)
class DigestPolicy:
    channel: str | None
    weekday: int = 0
    at: time = time(9)
    timezone: str = "UTC"
    days: int = 7
    grace: timedelta = timedelta(days=1)  # a tick later than this skips the week
    # lead -> their team, for the leads who get their own digest by DM (lead_digests)
    teams: Mapping[str, frozenset[str]] = field(default_factory=dict)
    # whether the channel's digest quotes task text (a lead's own, a DM, always does)
    shows_tasks: bool = False

    def period_end(self, now: datetime) -> datetime | None:
        """This week's digest moment, if it has come and is not too long past."""
        end = last_scheduled(now, weekday=self.weekday, at=self.at, tz=self.timezone)
        return None if now - end > self.grace else end


def post_weekly_digest(work: Work, *, policy: DigestPolicy) -> bool:
    """Post this week's digest if its moment has come and nobody has posted it yet."""
    session, now, notifier = work.session, work.now, work.notifier
    end = policy.period_end(now)
    if not policy.channel or end is None:
        return False
    claimed = claim_period(
        session, kind="weekly", period_end=end, channel_id=policy.channel, now=now
    )
    if claimed is None:
        return False
    digest = compute_digest(
        session, end=end, days=policy.days, tz=policy.timezone, shows_tasks=policy.shows_tasks
    )
    notifier.digest(policy.channel, digest, key=f"digest:{claimed.id}")
    return True


def post_lead_digest(work: Work, *, lead: str, policy: DigestPolicy) -> bool:
    """This week's digest for one lead, by DM: the items they and their team delegated.
    Claimed per lead and period like the channel's, so it goes once across replicas."""
    session, now, notifier = work.session, work.now, work.notifier
    end = policy.period_end(now)
    if end is None or lead not in policy.teams:
        return False
    claimed = claim_period(session, kind="lead", period_end=end, channel_id=lead, now=now)
    if claimed is None:
        return False
    digest = compute_digest(  # a DM to the lead about their own team: tasks named
        session,
        end=end,
        days=policy.days,
        tz=policy.timezone,
        lead=lead,
        team=policy.teams[lead],
        shows_tasks=True,
    )
    notifier.digest(lead, digest, key=f"digest:{claimed.id}")
    return True
