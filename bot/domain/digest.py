"""The telemetry digest: figures over a window of activity events, beside the window before.

Definitions (the README repeats them):
- acceptance rate: accepted / (accepted + declined), of answers given in the window;
- time to accept: creation to acceptance, for acceptances in the window (median, p90);
- response rate: check-in answers given in the window / check-ins sent in it;
- on time: completed no later than the due date; items without a due date count as on time;
- time to complete: acceptance to Done, for completions in the window (median);
- escalations: escalations started in the window (their level-1 step); the by-level
  table counts every step;
- time to acknowledge: an escalation's first level to its acknowledgement (median);
- how escalations ended: acknowledged, resolved by their cause (by cause), still open at
  the window's end (of those started in it), and the median from first level to ending;
  ``passed_up`` and ``stale_after_ack`` steps count as reasons of their own;
- open / overdue / stalled: at the window's end; stalled means open for over 3 days with
  nothing done on it by a person in the last 3.
Percentiles are nearest-rank: the value at rank ceil(p x n) (for a median of an even count,
the lower middle).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta

from sqlmodel import Session

from bot.domain.due_dates import zone
from storage import digest_open as open_items
from storage import digest_queries as q

STALLED_AFTER = timedelta(days=3)
# Steps of the climb counted as reasons of their own (plain timeouts are not).
CLIMB_REASONS_COUNTED = frozenset({"passed_up", "stale_after_ack"})
OLDEST_SHOWN = 5
LOAD_SHOWN = 10


@dataclass(frozen=True)
class OpenItem:
    delegation_id: int
    task: str | None  # None: a digest that names no tasks (a channel's, by default)
    assignee: str
    created_at: datetime
    due: str | None


@dataclass(frozen=True)
class DayCount:
    day: date
    created: int
    completed: int
    escalated: int


@dataclass(frozen=True)
class Figures:
    start: datetime
    end: datetime
    created: int = 0
    accepted: int = 0
    declined: int = 0
    accept_p50_s: float | None = None
    accept_p90_s: float | None = None
    checkins_sent: int = 0
    checkins_answered: int = 0
    completed: int = 0
    completed_on_time: int = 0
    complete_p50_s: float | None = None
    escalations: int = 0
    escalations_by_reason: dict[str, int] = field(default_factory=dict)
    escalations_by_level: dict[int, int] = field(default_factory=dict)
    acknowledged: int = 0
    acknowledge_p50_s: float | None = None
    resolved_by_cause: dict[str, int] = field(default_factory=dict)
    still_open: int = 0
    ending_p50_s: float | None = None
    open_items: int = 0
    overdue_items: int = 0
    stalled_items: int = 0
    oldest: list[OpenItem] = field(default_factory=list)
    load: list[tuple[str, int, int]] = field(default_factory=list)
    daily: list[DayCount] = field(default_factory=list)

    @property
    def acceptance_rate(self) -> float | None:
        return ratio(self.accepted, self.accepted + self.declined)

    @property
    def response_rate(self) -> float | None:
        return ratio(self.checkins_answered, self.checkins_sent)

    @property
    def on_time_rate(self) -> float | None:
        return ratio(self.completed_on_time, self.completed)

    @property
    def empty(self) -> bool:
        return not (self.created or self.accepted or self.completed or self.escalations)


@dataclass(frozen=True)
class Digest:
    current: Figures
    previous: Figures
    timezone: str
    lead: str | None = None  # a lead's own digest: their items and their team's


def ratio(part: int, whole: int) -> float | None:
    return None if whole == 0 else part / whole


def window_ending(end: datetime, *, days: int, tz: str) -> tuple[datetime, datetime]:
    """[start, end) of ``days`` calendar days on the digest's clock (DST-correct)."""
    local = end.astimezone(zone(tz))
    start_wall = local.replace(tzinfo=None) - timedelta(days=days)
    return start_wall.replace(tzinfo=local.tzinfo).astimezone(end.tzinfo), end


def compute_digest(
    session: Session,
    *,
    end: datetime,
    days: int,
    tz: str,
    lead: str | None = None,
    team: frozenset[str] | None = None,
    shows_tasks: bool = False,
) -> Digest:
    """The digest of everyone's items; with ``lead``, of the items delegated by ``team``
    (the lead and the people below them in the chain). Its oldest open items carry their
    task text only with ``shows_tasks``: a digest for a channel names none by default."""
    scope = sorted(team or {lead}) if lead else None
    start, _ = window_ending(end, days=days, tz=tz)
    previous_start, _ = window_ending(start, days=days, tz=tz)
    current = figures(session, start=start, end=end, tz=tz, detailed=True, scope=scope)
    if not shows_tasks:
        current = replace(current, oldest=[replace(item, task=None) for item in current.oldest])
    return Digest(
        current=current,
        previous=figures(
            session, start=previous_start, end=start, tz=tz, detailed=False, scope=scope
        ),
        timezone=tz,
        lead=lead,
    )


def figures(
    session: Session,
    *,
    start: datetime,
    end: datetime,
    tz: str,
    detailed: bool,
    scope: q.Scope = None,
) -> Figures:
    """The window's figures; ``detailed`` adds what only the current window shows (items
    open at its end, the load per person, the daily series). ``scope``: only the items
    these people delegated."""
    window = {"start": start, "end": end, "scope": scope}
    counts = q.counts_by_type(session, **window)
    escalations = q.escalations_by(session, **window)
    by_reason: dict[str, int] = {}
    by_level: dict[int, int] = {}
    for reason, level, count in escalations:
        if level == 1 or reason in CLIMB_REASONS_COUNTED:  # why they started, or moved on
            by_reason[reason] = by_reason.get(reason, 0) + count
        by_level[level] = by_level.get(level, 0) + count
    accept_p50, accept_p90 = q.percentiles(
        session, q.accept_durations(session, **window), (0.5, 0.9)
    )
    [complete_p50] = q.percentiles(session, q.completion_durations(session, **window), (0.5,))
    [acknowledge_p50] = q.percentiles(session, q.acknowledge_durations(session, **window), (0.5,))
    [ending_p50] = q.percentiles(session, q.ending_durations(session, **window), (0.5,))
    extra: dict[str, object] = {}
    if detailed:
        people = open_items.open_by_assignee(
            session, end=end, stalled_since=end - STALLED_AFTER, scope=scope
        )
        load = sorted(people, key=lambda row: (-row[1], row[0]))
        extra = {
            "open_items": sum(row[1] for row in load),
            "overdue_items": sum(row[2] for row in load),
            "stalled_items": sum(row[3] for row in load),
            "oldest": _oldest(session, end, scope),
            "load": [(person, open_, overdue) for person, open_, overdue, _ in load[:LOAD_SHOWN]],
            "daily": _daily(session, start=start, end=end, tz=tz, scope=scope),
        }
    return Figures(
        start=start,
        end=end,
        created=counts.get("created", 0),
        accepted=counts.get("accepted", 0),
        declined=counts.get("declined", 0),
        accept_p50_s=accept_p50,
        accept_p90_s=accept_p90,
        checkins_sent=counts.get("checkin_sent", 0),
        checkins_answered=counts.get("checkin_answered", 0),
        completed=counts.get("completed", 0),
        completed_on_time=q.completed_on_time(session, **window),
        complete_p50_s=complete_p50,
        escalations=by_level.get(1, 0),  # each escalation starts at level 1
        escalations_by_reason=by_reason,
        escalations_by_level=by_level,
        acknowledged=counts.get("acknowledged", 0),
        acknowledge_p50_s=acknowledge_p50,
        resolved_by_cause=q.resolved_by_cause(session, **window),
        still_open=q.still_open(session, **window),
        ending_p50_s=ending_p50,
        **extra,  # type: ignore[arg-type]
    )


def _oldest(session: Session, end: datetime, scope: q.Scope) -> list[OpenItem]:
    return [
        OpenItem(
            delegation_id=int(delegation_id),
            task=str(data.get("text", "")),
            assignee=str(data.get("assignee", "")),
            created_at=at,
            due=data.get("due"),
        )
        for delegation_id, at, data in open_items.oldest_open(
            session, end=end, limit=OLDEST_SHOWN, scope=scope
        )
    ]


def _daily(
    session: Session, *, start: datetime, end: datetime, tz: str, scope: q.Scope
) -> list[DayCount]:
    """Whole local days: the days before the one the window ends on, as many as the window
    spans (a Monday 09:00 digest charts Monday to Sunday)."""
    local_zone = zone(tz)
    last = end.astimezone(local_zone).date()
    span = (last - start.astimezone(local_zone).date()).days
    if end.astimezone(local_zone).time() == time(0):
        span = max(span, 1)
    days = [last - timedelta(days=span - n) for n in range(span)]
    boundaries = [datetime.combine(day, time(0), tzinfo=local_zone) for day in days]
    boundaries.append(datetime.combine(last, time(0), tzinfo=local_zone))
    counts = q.daily_counts(
        session,
        boundaries=boundaries,
        kinds=("created", "completed", "escalated"),
        scope=scope,
    )
    return [
        DayCount(
            day=day,
            created=counts.get((number, "created"), 0),
            completed=counts.get((number, "completed"), 0),
            escalated=counts.get((number, "escalated"), 0),
        )
        for number, day in enumerate(days)
    ]
