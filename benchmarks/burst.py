"""A burst of check-ins drained through Slack's rate limits: ``--count`` people (10,000)
each due a check-in at once, the scheduler's tick queuing them all, the Slack double
enforcing one post a second per channel and ``--limit`` posts a second workspace-wide, and
Steward's delivery pacing itself to those limits.

    python benchmarks/burst.py [--count 10000] [--limit 50] [--budget N] [--replicas 1]
                               [--postgres URL] [--json PATH]

``--budget`` is Steward's ``slack_messages_per_second`` (default: the enforced limit).
conversations.open (one per person, to find their DM) is not counted against the budget and
not limited by the double: Slack rates it apart from posting (Tier 3). Target: a delivered
rate of at least 90% of the limit, nothing lost, under 1% of the posting calls answered 429.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from slack_sdk import WebClient
from sqlalchemy import Engine, func, insert, select, text

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.app.clocks import SystemClock
from bot.app.jobs import tick
from bot.domain.ports import Person
from bot.domain.supervision import SupervisionPolicy, Supervisor
from bot.domain.work import Work
from bot.slack.outbox.delivery import Delivery
from bot.slack.outbox.notifier import SlackNotifier
from bot.slack.outbox.pacing import PacingPolicy
from bot.slack.outbox.slack_calls import retry_handlers
from sandbox.emulator import SlackEmulator
from storage.db import make_engine, unit_of_work, upgrade
from storage.models import Delegation, OutboxMessage

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)  # a Monday, inside working hours
TOKEN = "xoxb-burst"
POSTING = ("chat.postMessage", "chat.update")


class _Directory:
    def lookup(self, user_id: str) -> Person | None:
        return Person(user_id=user_id, tz="UTC")

    def known_tz(self, user_id: str) -> str | None:
        return "UTC"


class RunningClock:
    """The domain clock of the run: NOW, then real time passing."""

    def __init__(self, start: datetime) -> None:
        self._start, self._began = start, time.monotonic()

    def now(self) -> datetime:
        return self._start + timedelta(seconds=time.monotonic() - self._began)


def person(n: int) -> str:
    return f"U{n:08d}"


def populate(engine: Engine, count: int) -> None:
    """``count`` accepted items, each for a different person, each due a check-in now."""
    rows: list[dict[str, Any]] = []
    for n in range(count):
        rows.append(
            {
                "delegator_id": "U0LEAD",
                "assignee_id": person(n),
                "task": f"Item {n}",
                "due_at": NOW + timedelta(days=30),
                "status": "accepted",
                "created_at": NOW - timedelta(days=2),
                "updated_at": NOW - timedelta(days=2),
                "next_checkin_at": NOW - timedelta(minutes=1),
                "reminder_at": NOW + timedelta(days=20),
                "overdue_watch_at": NOW + timedelta(days=30),
            }
        )
    for start in range(0, count, 5_000):
        with unit_of_work(engine) as session:
            session.execute(insert(Delegation), rows[start : start + 5_000])


def queue_checkins(engine: Engine) -> int:
    """Tick until no check-in is due: every one queued in the outbox by the real path."""
    supervisor = Supervisor(policy=SupervisionPolicy(), directory=_Directory())

    @contextmanager
    def work(now: Any = None) -> Iterator[Work]:
        with unit_of_work(engine) as session:
            notifier = SlackNotifier(session, now=NOW)
            yield Work(session=session, notifier=notifier, now=NOW, supervisor=supervisor)

    queued = 0
    while report := tick(engine, work, now=NOW):
        queued += report.checkins
    return queued


def pending_count(engine: Engine) -> int:
    with engine.connect() as connection:
        statement = select(func.count()).where(OutboxMessage.status == "pending")  # type: ignore[arg-type]
        return int(connection.execute(statement).scalar_one())


def drain(
    url: str, double: SlackEmulator, count: int, *, budget: float, replicas: int
) -> tuple[float, list[Engine]]:
    """Start the delivery replicas; when the delivery started (monotonic) once all is sent."""
    engines = [make_engine(url) for _ in range(replicas)]
    workers = [
        Delivery(
            engine=engine,
            client=WebClient(
                base_url=double.api_url, token=TOKEN, timeout=10, retry_handlers=retry_handlers()
            ),
            clock=RunningClock(NOW),
            pacing=PacingPolicy(per_second=budget),
            pace_clock=SystemClock(),
        )
        for engine in engines
    ]
    deadline = time.monotonic() + count / min(budget, double_limit(double)) * 3 + 60
    started = time.monotonic()
    for worker in workers:
        worker.start()
    try:
        while pending_count(engines[0]) and time.monotonic() < deadline:
            time.sleep(0.5)
    finally:
        for worker in workers:
            worker.stop(timeout=30)
    return started, engines


def double_limit(double: SlackEmulator) -> float:
    limit = double._rate_limit
    return float(limit.workspace) if limit and limit.workspace else float("inf")


def peak_per_second(moments: list[float]) -> int:
    """The most of ``moments`` (seconds) within any one second."""
    times, peak, first = sorted(moments), 0, 0
    for last, at in enumerate(times):
        while at - times[first] >= 1.0:
            first += 1
        peak = max(peak, last - first + 1)
    return peak


def measure(url: str, count: int, limit: float, budget: float, replicas: int) -> dict[str, Any]:
    engine = make_engine(url)
    upgrade(engine)
    populate(engine, count)
    began = time.perf_counter()
    queued = queue_checkins(engine)
    tick_seconds = time.perf_counter() - began
    engine.dispose()
    with SlackEmulator(bot_token=TOKEN) as double:
        double.add_user("U0LEAD", tz="UTC")
        for n in range(count):
            double.add_user(person(n), tz="UTC")
        double.enforce_rate_limit(per_channel=1, workspace=limit)
        started, engines = drain(url, double, queued, budget=budget, replicas=replicas)
        posting = [c for c in double.calls if c.method in POSTING]
        posts = [c for c in posting if c.method == "chat.postMessage" and c.status == 200]
        reached = {call.params["channel"] for call in posts}
        expected = {double.dm_channel_for(person(n)) for n in range(count)}
        seconds = max(call.at for call in posts) - started if posts else float("nan")
        opens = len(double.calls_to("conversations.open"))
        others = len(double.calls) - len(posting) - opens
        with engines[0].connect() as connection:
            statuses = dict(
                connection.execute(
                    text("SELECT status, count(*) FROM outbox GROUP BY status")
                ).all()
            )
            slots = connection.execute(
                select(OutboxMessage.slot_at).where(OutboxMessage.slot_at.is_not(None))  # type: ignore[union-attr]
            ).scalars()
            slot_moments = [slot.timestamp() for slot in slots]
        rate_limited = double.rate_limited
    for each in engines:
        each.dispose()
    return {
        "people": count,
        "queued": queued,
        "tick_seconds": round(tick_seconds, 1),
        "replicas": replicas,
        "limit_per_second": limit,
        "budget_per_second": budget,
        "delivered": len(reached & expected),
        "lost": len(expected - reached),
        "duplicates": len(posts) - len(reached),
        "seconds": round(seconds, 1),
        "rate_per_second": round(len(posts) / seconds, 2) if posts else 0.0,
        "rate_of_limit": round(len(posts) / seconds / limit, 3) if posts else 0.0,
        "peak_slots_in_one_second": peak_per_second(slot_moments),
        "peak_posts_in_one_second": peak_per_second([call.at for call in posts]),
        "posting_calls": len(posting),
        "answered_429": rate_limited,
        "share_429": round(rate_limited / max(len(posting), 1), 4),
        "conversations_open": opens,
        "other_calls": others,
        "outbox": statuses,
    }


def table(result: dict[str, Any], backend: str) -> str:
    rows = [
        ("backend, replicas", f"{backend}, {result['replicas']}"),
        ("check-ins queued (tick)", f"{result['queued']:,} in {result['tick_seconds']} s"),
        ("enforced limit", f"{result['limit_per_second']:g}/s workspace, 1/s per channel"),
        ("Steward's budget", f"{result['budget_per_second']:g}/s"),
        ("delivered", f"{result['delivered']:,} in {result['seconds']} s"),
        (
            "delivered rate",
            f"{result['rate_per_second']}/s = {result['rate_of_limit']:.1%} of the limit",
        ),
        (
            "most in any 1 s",
            f"{result['peak_slots_in_one_second']} slots taken; "
            f"{result['peak_posts_in_one_second']} posts reaching the double",
        ),
        ("lost / duplicated", f"{result['lost']} / {result['duplicates']}"),
        (
            "429s",
            f"{result['answered_429']} of {result['posting_calls']:,} posting calls "
            f"({result['share_429']:.2%})",
        ),
        ("conversations.open", f"{result['conversations_open']:,} (not limited, not budgeted)"),
        ("other calls", f"{result['other_calls']:,} (App Home publishes: not limited)"),
        ("outbox", ", ".join(f"{k} {v:,}" for k, v in sorted(result["outbox"].items()))),
    ]
    width = max(len(name) for name, _ in rows)
    return "\n".join(f"{name:<{width}}  {value}" for name, value in rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=10_000, help="people, one check-in each")
    parser.add_argument("--limit", type=float, default=50, help="the double's posts/s limit")
    parser.add_argument("--budget", type=float, help="Steward's budget (default: --limit)")
    parser.add_argument("--replicas", type=int, default=1, help="delivery threads, one engine each")
    parser.add_argument("--postgres", help="run on this PostgreSQL URL (a fresh schema)")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args()
    budget = args.budget or args.limit
    if args.postgres:
        admin = make_engine(args.postgres)
        with admin.begin() as connection:
            connection.execute(text("DROP SCHEMA IF EXISTS bench_burst CASCADE"))
            connection.execute(text("CREATE SCHEMA bench_burst"))
        try:
            url = f"{args.postgres}?options=-csearch_path%3Dbench_burst"
            result = measure(url, args.count, args.limit, budget, args.replicas)
        finally:
            with admin.begin() as connection:
                connection.execute(text("DROP SCHEMA bench_burst CASCADE"))
            admin.dispose()
        backend = "PostgreSQL"
    else:
        with tempfile.TemporaryDirectory() as folder:
            url = f"sqlite:///{folder}/burst.db"
            result = measure(url, args.count, args.limit, budget, args.replicas)
        backend = "SQLite"
    print(table(result, backend))
    if args.json:
        args.json.write_text(json.dumps({"backend": backend, **result}, indent=2) + "\n")


if __name__ == "__main__":
    main()
