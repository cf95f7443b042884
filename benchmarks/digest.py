"""The digest over a window holding 1,000,000 events among 100,000 delegations.

    python benchmarks/digest.py [--delegations 100000] [--postgres URL]

Reports the time to compute the digest (the current and the previous window) with SQL
aggregates, and the Python memory peak while doing it (tracemalloc).
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import time
import tracemalloc
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, insert, text

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.domain.digest import compute_digest
from storage.db import make_engine, reading, unit_of_work, upgrade
from storage.models import Delegation, Event

END = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
START = END - timedelta(days=7)
EVENTS_PER_ITEM = 10


def iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def populate(engine: Engine, delegations: int) -> int:
    """Ten events per item, all inside the window: a busy week for a big workspace."""
    rng = random.Random(7)
    items: list[dict[str, Any]] = []
    events: list[dict[str, Any]] = []
    total = 0
    for n in range(1, delegations + 1):
        created = START + timedelta(seconds=rng.randrange(0, 5 * 86400))
        due = created + timedelta(hours=rng.randrange(4, 96))
        assignee = f"U{n % 2000:07d}"
        items.append(
            {
                "id": n,
                "delegator_id": "U0LEAD",
                "assignee_id": assignee,
                "task": f"Item {n}",
                "status": "accepted",
                "created_at": created,
                "updated_at": created,
                "due_at": due,
            }
        )
        accepted = created + timedelta(minutes=rng.randrange(1, 600))
        rows = [
            (
                "created",
                "U0LEAD",
                created,
                {"delegator": "U0LEAD", "assignee": assignee, "text": f"Item {n}", "due": iso(due)},
            ),
            ("accepted", assignee, accepted, {}),
        ]
        for k in range(3):
            slot = accepted + timedelta(hours=8 * (k + 1))
            rows.append(("checkin_sent", "system", slot, {"slot": iso(slot)}))
            if rng.random() < 0.8:
                rows.append(
                    (
                        "checkin_answered",
                        assignee,
                        slot + timedelta(minutes=20),
                        {"status": "on_track", "slot": iso(slot), "note": None},
                    )
                )
        while len(rows) < EVENTS_PER_ITEM - 1:
            rows.append(
                ("reminder_sent", "system", accepted + timedelta(hours=30), {"due": iso(due)})
            )
        if rng.random() < 0.6:
            rows.append(
                ("completed", assignee, accepted + timedelta(hours=rng.randrange(1, 40)), {})
            )
        else:
            rows.append(
                (
                    "escalated",
                    "system",
                    accepted + timedelta(hours=12),
                    {
                        "level": 1,
                        "to": "U0BOSS",
                        "reason": "checkin_unanswered",
                        "escalation_id": n,
                    },
                )
            )
        for kind, actor, at, data in rows:
            events.append(
                {
                    "delegation_id": n,
                    "type": kind,
                    "actor": actor,
                    "at": min(at, END - timedelta(seconds=1)),
                    "data": data,
                }
            )
        if len(items) >= 5000:
            total += _flush(engine, items, events)
            items, events = [], []
    return total + _flush(engine, items, events)


def _flush(engine: Engine, items: list[dict[str, Any]], events: list[dict[str, Any]]) -> int:
    with unit_of_work(engine) as session:
        if items:
            session.execute(insert(Delegation), items)
        if events:
            session.execute(insert(Event), events)
    return len(events)


def measure(engine: Engine) -> dict[str, float]:
    with reading(engine) as session:  # warm the caches once
        compute_digest(session, end=END, days=7, tz="UTC")
    timings = []
    for _ in range(3):
        tracemalloc.start()
        started = time.perf_counter()
        with reading(engine) as session:
            digest = compute_digest(session, end=END, days=7, tz="UTC")
        timings.append(time.perf_counter() - started)
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    return {
        "seconds": sorted(timings)[1],
        "python_peak_mb": peak / 1e6,
        "created": digest.current.created,
        "open": digest.current.open_items,
    }


def run(url: str, delegations: int) -> dict[str, float]:
    engine = make_engine(url)
    upgrade(engine)
    started = time.perf_counter()
    count = populate(engine, delegations)
    if engine.dialect.name == "postgresql":
        with engine.begin() as connection:
            connection.execute(text("ANALYZE"))
    else:
        with engine.begin() as connection:
            connection.exec_driver_sql("ANALYZE")
    print(f"  {count:,} events loaded in {time.perf_counter() - started:.0f} s", file=sys.stderr)
    result = {"events": count, **measure(engine)}
    engine.dispose()
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--delegations", type=int, default=100_000)
    parser.add_argument(
        "--postgres", help="also measure on this PostgreSQL URL (a schema is made and dropped)"
    )
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    results: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as folder:
        results["sqlite"] = run(f"sqlite:///{folder}/digest.db", args.delegations)
    if args.postgres:
        admin = make_engine(args.postgres)
        with admin.begin() as connection:
            connection.execute(text("DROP SCHEMA IF EXISTS bench_digest CASCADE"))
            connection.execute(text("CREATE SCHEMA bench_digest"))
        try:
            results["postgresql"] = run(
                f"{args.postgres}?options=-csearch_path%3Dbench_digest", args.delegations
            )
        finally:
            with admin.begin() as connection:
                connection.execute(text("DROP SCHEMA bench_digest CASCADE"))
    for backend, figures in results.items():
        print(
            f"{backend:<10} digest over {figures['events']:,} events: {figures['seconds']:.2f} s, "
            f"Python memory peak {figures['python_peak_mb']:.1f} MB"
        )
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
