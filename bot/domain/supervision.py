"""Supervision: when check-ins and reminders fall due, on each person's working clock."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta

from sqlmodel import Session

from bot.domain.cadence import WINDOW, Cadence, TrackRecord, adaptive_cadence, fixed_cadence
from bot.domain.due_dates import zone
from bot.domain.offer_limits import OfferLimits
from bot.domain.ports import Directory
from bot.domain.working_hours import (
    WorkingWindow,
    add_working_days,
    add_working_time,
    next_working_moment,
)
from storage.checkins import unanswered_checkins_of
from storage.models import Delegation
from storage.track_record import track_record_counts

SHORT_ITEM = timedelta(days=2)


def is_person(slack_id: str) -> bool:
    """User ids start with U or W; channels with C, G or D."""
    return slack_id[:1] in ("U", "W")


NO_REMINDER_UNDER = timedelta(hours=2)


@dataclass(frozen=True)
class SupervisionPolicy:
    checkin_every: timedelta = timedelta(days=1)
    checkin_timeout: timedelta = timedelta(hours=4)
    window: WorkingWindow = field(default_factory=WorkingWindow)
    adaptive: bool = False
    accept_timeout: timedelta = timedelta(hours=4)
    escalation_timeout: timedelta = timedelta(hours=2)
    reacknowledge_after: timedelta | None = timedelta(days=1)  # None: never asked again
    chain: Mapping[str, str] = field(default_factory=dict)  # reports-to
    fallback_channel: str | None = None
    offer_limits: OfferLimits = field(default_factory=OfferLimits)

    @property
    def default_due_time(self) -> time:
        """A due date given as a day only means the end of that working day."""
        return self.window.hours[1] if self.window.hours else time(17)


@dataclass(frozen=True)
class Supervisor:
    """The policy plus what it needs to know of people (their timezones)."""

    policy: SupervisionPolicy
    directory: Directory

    def tz_of(self, user_id: str) -> str | None:
        """From what Steward already knows: supervision never waits on Slack."""
        return self.directory.known_tz(user_id)

    def deadline(self, start: datetime, duration: timedelta, recipient: str) -> datetime:
        """``duration`` of the recipient's working time after ``start``. A channel has no
        working hours."""
        if not is_person(recipient):
            return start + duration
        return add_working_time(start, duration, self.tz_of(recipient), self.policy.window)

    def working_days_later(self, start: datetime, days: int, recipient: str) -> datetime:
        """``days`` of the recipient's working days after ``start`` (a channel: calendar
        days)."""
        if not is_person(recipient):
            return start + timedelta(days=days)
        return add_working_days(start, days, self.tz_of(recipient), self.policy.window)

    def cadence_for(self, session: Session, delegation: Delegation, now: datetime) -> Cadence:
        if delegation.checkin_every_s:
            return fixed_cadence(timedelta(seconds=delegation.checkin_every_s), own=True)
        base = self.policy.checkin_every
        if not self.policy.adaptive:
            return fixed_cadence(base)
        return adaptive_cadence(base, self.track_record(session, delegation.assignee_id, now))

    def track_record(self, session: Session, assignee_id: str, now: datetime) -> TrackRecord:
        since = now - WINDOW
        counts = track_record_counts(session, assignee_id=assignee_id, since=since, until=now)
        unanswered = unanswered_checkins_of(
            session,
            assignee_id=assignee_id,
            sent_after=since,
            sent_before=now - self.policy.checkin_timeout,
        )
        return TrackRecord(unanswered=unanswered, **counts)

    def after_acceptance(
        self, session: Session, delegation: Delegation, now: datetime
    ) -> dict[str, datetime | None]:
        """The supervision columns an item gets when it is accepted."""
        tz = self.tz_of(delegation.assignee_id)
        every = self.cadence_for(session, delegation, now).every
        checkins = delegation.checkin_every_s != 0  # zero: the delegator asked for none
        return {
            "next_checkin_at": next_working_moment(_later(now, every, tz), tz, self.policy.window)
            if checkins
            else None,
            "reminder_at": reminder_time(now, delegation.due_at, tz, self.policy.window),
            "accept_deadline_at": None,
        }


def next_slot(
    previous: datetime, every: timedelta, now: datetime, tz: str | None, window: WorkingWindow
) -> datetime:
    """The check-in after ``previous``: one interval on, inside working time.

    After a late tick or downtime, the missed slots are skipped (one catch-up message was
    sent for them), so the next slot is the first interval boundary still to come.
    """
    steps = 1 if previous + every > now else (now - previous) // every + 1
    return next_working_moment(_later(previous, every * steps, tz), tz, window)


def _later(moment: datetime, span: timedelta, tz: str | None) -> datetime:
    """``span`` after ``moment``; whole days are counted on the person's calendar, so a
    daily 09:00 check-in stays at 09:00 across a DST change."""
    if span % timedelta(days=1):
        return moment + span
    local = moment.astimezone(zone(tz))
    wall = local.replace(tzinfo=None) + span
    return wall.replace(tzinfo=local.tzinfo).astimezone(moment.tzinfo)


def reminder_time(
    now: datetime, due_at: datetime | None, tz: str | None, window: WorkingWindow
) -> datetime | None:
    """A working day before the due date, or halfway there for short items; None if it
    would not land in working time before the due date."""
    if due_at is None or due_at - now < NO_REMINDER_UNDER:
        return None
    remaining = due_at - now
    candidate = due_at - timedelta(days=1) if remaining > SHORT_ITEM else now + remaining / 2
    moment = next_working_moment(candidate, tz, window)
    return moment if moment < due_at else None
