"""The policy file's values, each read and checked: durations, working hours and days, the
digest's schedule and timezone, the message rate, limits, Slack ids (one, or a list of
people) and the escalation chain. Each parser raises ConfigError saying where the value is
and what it should look like."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import time, timedelta
from typing import Any

_DURATION = re.compile(r"([0-9]+)\s*([smhd])")
_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days"}
_DAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
# Slack's id shapes: people U… or W… (Enterprise Grid), channels C… or G… (private, older).
_USER_ID = re.compile(r"[UW][A-Z0-9]+")
_CHANNEL_ID = re.compile(r"[CG][A-Z0-9]+")
# The longest duration the policy takes: anything longer is a typo, not a policy.
MAX_DURATION = timedelta(days=1095)  # three years


class ConfigError(Exception):
    """Configuration that Steward cannot run with; the message says what to fix."""


def parse_duration(value: Any, where: str) -> timedelta:
    return _duration(value, where, 'a number and a unit (s, m, h, d), e.g. "4h"')


def duration_or_never(value: Any, where: str) -> timedelta | None:
    """A duration, or "never" (None) to switch off what it times."""
    if value == "never":
        return None
    return _duration(value, where, 'a number and a unit (s, m, h, d), e.g. "1d", or "never"')


def _duration(value: Any, where: str, shape: str) -> timedelta:
    match = _DURATION.fullmatch(value.strip()) if isinstance(value, str) else None
    if not match or not match.group(1).lstrip("0"):
        raise ConfigError(f"{where} must be {shape}; got {value!r}")
    amount, unit = match.group(1).lstrip("0"), _UNITS[match.group(2)]
    # Ten digits of any unit is past the bound; more could overflow timedelta or int().
    length = timedelta(**{unit: int(amount)}) if len(amount) < 10 else None
    if length is None or length > MAX_DURATION:
        raise ConfigError(
            f"{where} must be at most {MAX_DURATION.days}d (three years); got {value!r}"
        )
    return length


def working_hours(value: Any, source: str) -> tuple[time, time] | None:
    where = f"{source}: [policy] working_hours"
    if value == "always":
        return None
    match = (
        re.match(r"^(\d{1,2}):(\d{2})-(\d{1,2}):(\d{2})$", value)
        if isinstance(value, str)
        else None
    )
    if not match:
        raise ConfigError(f'{where} must look like "09:00-18:00" or be "always"; got {value!r}')
    h1, m1, h2, m2 = (int(part) for part in match.groups())
    try:
        start, end = time(h1, m1), time(h2, m2)
    except ValueError:
        raise ConfigError(f"{where}: {value!r} is not a valid time range") from None
    if start >= end:
        raise ConfigError(
            f"{where}: the start ({start:%H:%M}) must come before the end ({end:%H:%M})"
        )
    return start, end


def working_days(value: Any, source: str) -> frozenset[int]:
    where = f"{source}: [policy] working_days"
    if value == "all":
        return frozenset(range(7))
    if not isinstance(value, str):
        raise ConfigError(f'{where} must look like "mon-fri", "mon,wed,fri" or be "all"')
    days: set[int] = set()
    for part in value.lower().replace(" ", "").split(","):
        first, _, last = part.partition("-")
        if first not in _DAYS or (last and last not in _DAYS):
            raise ConfigError(f"{where}: unknown day in {value!r} (use mon, tue, ... sun)")
        start, end = _DAYS.index(first), _DAYS.index(last or first)
        days.update(range(start, end + 1) if start <= end else [*range(start, 7), *range(end + 1)])
    return frozenset(days)


def digest_schedule(value: Any, source: str) -> tuple[int, time]:
    where = f"{source}: [policy] digest_schedule"
    match = (
        re.match(r"^([a-z]{3})\s+(\d{1,2}):(\d{2})$", value.lower())
        if isinstance(value, str)
        else None
    )
    if not match or match.group(1) not in _DAYS:
        raise ConfigError(f'{where} must look like "mon 09:00"; got {value!r}')
    try:
        return _DAYS.index(match.group(1)), time(int(match.group(2)), int(match.group(3)))
    except ValueError:
        raise ConfigError(f"{where}: {value!r} is not a valid time") from None


def timezone(value: Any, source: str) -> str:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError, TypeError):
        raise ConfigError(
            f"{source}: [policy] digest_timezone {value!r} is not a known IANA timezone"
        ) from None
    return str(value)


def messages_per_second(value: Any, source: str) -> float:
    where = f"{source}: [policy] slack_messages_per_second"
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 < value <= 1000:
        raise ConfigError(f"{where} must be a number above 0, at most 1000; got {value!r}")
    return float(value)


def limit_count(value: Any, where: str) -> int:
    """A limit on a count: a whole number, 0 for none."""
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 1_000_000:
        raise ConfigError(
            f"{where} must be a whole number from 0 (no limit) to 1000000; got {value!r}"
        )
    return value


def channel_id(value: Any, where: str) -> str:
    if not isinstance(value, str) or not _CHANNEL_ID.fullmatch(value.strip()):
        example = '"C0123456789"'
        raise ConfigError(
            f"{where} must be a Slack channel id (C… or G…) such as {example}; got {value!r}"
        )
    return value.strip()


def user_ids(value: Any, where: str) -> frozenset[str]:
    """A list of Slack user ids, such as ``admins``."""
    if not isinstance(value, list) or not all(_is_user_id(item) for item in value):
        raise ConfigError(f'{where} must be a list of Slack user ids, e.g. ["U0123ABCD"]')
    return frozenset(value)


def chain_table(value: Any, source: str) -> dict[str, str]:
    if not isinstance(value, Mapping):
        raise ConfigError(f'{source}: [chain] must be a table of "U…" = "U…"')
    chain: dict[str, str] = {}
    for person, manager in value.items():
        if not _is_user_id(person) or not _is_user_id(manager):
            raise ConfigError(
                f"{source}: [chain] {person!r} = {manager!r}: both sides must be Slack user ids"
                " (U… or W…)"
            )
        chain[person] = manager
    return chain


def _is_user_id(value: Any) -> bool:
    return isinstance(value, str) and _USER_ID.fullmatch(value) is not None
