"""Words and numbers for the digest, shared by the Slack blocks and the terminal."""

from __future__ import annotations

from datetime import datetime

from bot.domain.digest import Digest, Figures
from bot.domain.due_dates import zone


def duration(seconds: float | None) -> str:
    if seconds is None:
        return "n/a"
    if seconds < 3600:
        return f"{max(1, round(seconds / 60))} min"
    if seconds < 2 * 86400:
        return f"{seconds / 3600:.1f} h".replace(".0 h", " h")
    return f"{seconds / 86400:.1f} days".replace(".0 days", " days")


def percent(value: float | None) -> str:
    return "n/a" if value is None else f"{round(value * 100)}%"


def versus(now: int, before: int) -> str:
    """A count with last window's beside it: "5 (was 3)"."""
    return f"{now} (was {before})"


def title(digest: Digest, *, reader: str = "you") -> str:
    """The channel's digest, or a lead's own ("you" in their DM, their id in a terminal)."""
    if digest.lead is None:
        return "Delegation digest"
    if reader == "you":
        return "Your team's delegation digest"
    return f"Delegation digest for {digest.lead} and their team"


def span(digest: Digest) -> str:
    tz = zone(digest.timezone)
    start = digest.current.start.astimezone(tz)
    end = digest.current.end.astimezone(tz)
    return f"{start:%a %d %b %H:%M} to {end:%a %d %b %H:%M} ({tz.key})"


def headline_figures(digest: Digest) -> list[tuple[str, str]]:
    """(label, value) pairs, in reading order; at most 10 (one Block Kit section)."""
    now, before = digest.current, digest.previous
    return [
        ("Delegated", versus(now.created, before.created)),
        (
            "Accepted",
            f"{versus(now.accepted, before.accepted)} · {percent(now.acceptance_rate)} of answers",
        ),
        ("Declined", versus(now.declined, before.declined)),
        (
            "Time to accept",
            f"median {duration(now.accept_p50_s)} · p90 {duration(now.accept_p90_s)}",
        ),
        (
            "Check-ins",
            f"{now.checkins_sent} sent · {percent(now.response_rate)} answered "
            f"(was {percent(before.response_rate)})",
        ),
        (
            "Completed",
            f"{versus(now.completed, before.completed)} · {percent(now.on_time_rate)} on time",
        ),
        ("Time to complete", f"median {duration(now.complete_p50_s)} from acceptance"),
        (
            "Escalations",
            f"{versus(now.escalations, before.escalations)} · {now.acknowledged} acknowledged "
            f"(median {duration(now.acknowledge_p50_s)})",
        ),
        (
            "Open now",
            f"{now.open_items} · {now.overdue_items} overdue · {now.stalled_items} stalled",
        ),
    ]


def escalation_breakdown(figures: Figures) -> str | None:
    if not figures.escalations:
        return None
    reasons = " · ".join(
        f"{reason.replace('_', ' ')} {count}"
        for reason, count in sorted(figures.escalations_by_reason.items(), key=lambda r: -r[1])
    )
    levels = " · ".join(
        f"level {level}: {count}" for level, count in sorted(figures.escalations_by_level.items())
    )
    resolved = sum(figures.resolved_by_cause.values())
    causes = ", ".join(
        f"{cause.replace('_', ' ')} {count}"
        for cause, count in sorted(figures.resolved_by_cause.items(), key=lambda c: (-c[1], c[0]))
    )
    ended = (
        f"Ended: {figures.acknowledged} acknowledged · {resolved} resolved by their cause"
        + (f" ({causes})" if causes else "")
        + f" · {figures.still_open} still open · median {duration(figures.ending_p50_s)} to end"
    )
    return f"By reason: {reasons}\nBy level: {levels}\n{ended}"


def age(since: datetime, now: datetime) -> str:
    return duration((now - since).total_seconds())
