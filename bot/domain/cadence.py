"""Trust-adaptive check-ins: a pure rule from a person's recent record to their cadence.

The rule (documented in the README):
- Slips are: completions after the due date, items gone overdue, Blocked answers,
  check-ins left unanswered, and escalations, over the last four weeks.
- No slips and at least two on-time completions: the interval stretches by half the base
  for every on-time completion past the first, up to 3x the base.
- Two or more slips: the interval shrinks by a quarter of the base for every slip past the
  first, down to half the base (and never below an hour).
- Anything else: the base interval.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

WINDOW = timedelta(days=28)
MAX_STRETCH = 3.0
MIN_FACTOR = 0.5
ABSOLUTE_FLOOR = timedelta(hours=1)


@dataclass(frozen=True)
class TrackRecord:
    on_time: int = 0
    late: int = 0
    overdue: int = 0
    on_track: int = 0
    at_risk: int = 0
    blocked: int = 0
    unanswered: int = 0
    escalations: int = 0

    @property
    def slips(self) -> int:
        return self.late + self.overdue + self.blocked + self.unanswered + self.escalations


@dataclass(frozen=True)
class Cadence:
    every: timedelta
    reason: str  # one short line, shown on the check-in


def human_interval(interval: timedelta) -> str:
    seconds = int(interval.total_seconds())
    if seconds % 86400 == 0:
        days = seconds // 86400
        return "day" if days == 1 else ("week" if days == 7 else f"{days} days")
    if seconds % 3600 == 0:
        hours = seconds // 3600
        return "hour" if hours == 1 else f"{hours} hours"
    hours = seconds / 3600
    return f"{hours:.1f} hours"


def fixed_cadence(every: timedelta, *, own: bool = False) -> Cadence:
    whose = "as set for this item" if own else "the team's usual cadence"
    return Cadence(every=every, reason=f"Check-ins every {human_interval(every)}, {whose}.")


def adaptive_cadence(base: timedelta, record: TrackRecord) -> Cadence:
    slips = record.slips
    if slips == 0 and record.on_time >= 2:
        factor = min(MAX_STRETCH, 1 + 0.5 * (record.on_time - 1))
        why = f"{record.on_time} items done on time and nothing slipped in four weeks"
    elif slips >= 2:
        factor = max(MIN_FACTOR, 1 - 0.25 * (slips - 1))
        why = f"{slips} slips in four weeks (late, overdue, blocked, unanswered or escalated)"
    else:
        return Cadence(
            every=base, reason=f"Check-ins every {human_interval(base)}, the usual cadence."
        )
    every = max(ABSOLUTE_FLOOR, base * factor)
    return Cadence(every=every, reason=f"Check-ins every {human_interval(every)}: {why}.")
