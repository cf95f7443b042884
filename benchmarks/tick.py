"""Scheduler tick cost with many open delegations, none due: it must grow with the due
work, not with the open work.

    python benchmarks/tick.py [--small 1000] [--large 100000] [--ticks 200] [--postgres URL]

Both sizes are measured in the same run; the figure that matters is the ratio.
"""

from __future__ import annotations

import argparse
import gc
import json
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, insert, text

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.app.jobs import tick
from bot.domain.ports import Person
from bot.domain.supervision import SupervisionPolicy, Supervisor
from bot.slack.outbox.notifier import SlackNotifier
from storage.db import make_engine, unit_of_work, upgrade
from storage.models import Delegation

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


class _Directory:
    def lookup(self, user_id: str) -> Person | None:
        return Person(user_id=user_id, tz="UTC")

    def known_tz(self, user_id: str) -> str | None:
        return "UTC"


def populate(engine: Engine, count: int) -> None:
    """``count`` accepted items, check-ins and reminders due later, due dates far off."""
    rows: list[dict[str, Any]] = []
    for n in range(count):
        later = NOW + timedelta(minutes=1 + n % 1440)
        rows.append(
            {
                "delegator_id": "U0LEAD",
                "assignee_id": f"U{n % 5000:07d}",
                "task": f"Item {n}",
                "due_at": NOW + timedelta(days=30),
                "status": "accepted",
                "created_at": NOW,
                "updated_at": NOW,
                "next_checkin_at": later,
                "reminder_at": later + timedelta(days=20),
                "overdue_watch_at": NOW + timedelta(days=30),
            }
        )
        if len(rows) == 10_000:
            _insert(engine, rows)
            rows = []
    if rows:
        _insert(engine, rows)


def _insert(engine: Engine, rows: list[dict[str, Any]]) -> None:
    with unit_of_work(engine) as session:
        session.execute(insert(Delegation), rows)


def measure(engine: Engine, ticks: int) -> float:
    supervisor = Supervisor(policy=SupervisionPolicy(), directory=_Directory())

    def work(now: Any = None) -> Any:
        from contextlib import contextmanager

        from bot.domain.work import Work

        @contextmanager
        def unit() -> Any:
            with unit_of_work(engine) as session:
                notifier = SlackNotifier(session, now=NOW)
                yield Work(session=session, notifier=notifier, now=NOW, supervisor=supervisor)

        return unit()

    for _ in range(10):  # warm up caches and the pool
        tick(engine, work, now=NOW)
    samples = []
    for _ in range(ticks):
        started = time.perf_counter()
        report = tick(engine, work, now=NOW)
        samples.append(time.perf_counter() - started)
        assert report.checkins == report.reminders == report.overdue == 0
    return statistics.median(samples) * 1000


def run(url_for: Any, small: int, large: int, ticks: int) -> dict[str, float]:
    """Build both databases first, then alternate rounds of ticks between them, so drift
    and noise on the machine hit both sizes alike."""
    engines = {}
    for size in (small, large):
        engines[size] = make_engine(url_for(size))
        upgrade(engines[size])
        populate(engines[size], size)
    gc.collect()
    rounds: dict[int, list[float]] = {small: [], large: []}
    for _ in range(5):
        for size in (small, large):
            rounds[size].append(measure(engines[size], ticks // 5))
    for engine in engines.values():
        engine.dispose()
    small_ms, large_ms = statistics.median(rounds[small]), statistics.median(rounds[large])
    return {"small_ms": small_ms, "large_ms": large_ms, "ratio": large_ms / small_ms}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small", type=int, default=1_000)
    parser.add_argument("--large", type=int, default=100_000)
    parser.add_argument("--ticks", type=int, default=200)
    parser.add_argument(
        "--postgres", help="also measure on this PostgreSQL URL (schemas are made and dropped)"
    )
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args()
    figures: dict[str, dict[str, float]] = {}
    with tempfile.TemporaryDirectory() as folder:
        sqlite = run(
            lambda n: f"sqlite:///{folder}/tick-{n}.db", args.small, args.large, args.ticks
        )
    figures["sqlite"] = sqlite
    print(
        f"SQLite  tick, nothing due: {args.small:>7,} open {sqlite['small_ms']:.2f} ms | "
        f"{args.large:>7,} open {sqlite['large_ms']:.2f} ms | ratio {sqlite['ratio']:.2f}"
    )
    if args.postgres:
        admin = make_engine(args.postgres)

        def schema_url(n: int) -> str:
            with admin.begin() as connection:
                connection.execute(text(f"DROP SCHEMA IF EXISTS bench_tick_{n} CASCADE"))
                connection.execute(text(f"CREATE SCHEMA bench_tick_{n}"))
            return f"{args.postgres}?options=-csearch_path%3Dbench_tick_{n}"

        pg = run(schema_url, args.small, args.large, args.ticks)
        for n in (args.small, args.large):
            with admin.begin() as connection:
                connection.execute(text(f"DROP SCHEMA bench_tick_{n} CASCADE"))
        figures["postgresql"] = pg
        print(
            f"Postgres tick, nothing due: {args.small:>7,} open {pg['small_ms']:.2f} ms | "
            f"{args.large:>7,} open {pg['large_ms']:.2f} ms | ratio {pg['ratio']:.2f}"
        )
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
