"""``steward export``: every activity event, oldest first, as JSON lines or CSV."""

from __future__ import annotations

import csv
import json
import sys
from collections.abc import Iterator
from typing import Any, TextIO

from sqlalchemy import Engine

from bot.config.settings import Settings
from storage.db import make_engine, reading, schema_problem
from storage.events import iter_all_events
from storage.models import Event

CSV_COLUMNS = ["id", "delegation_id", "type", "actor", "at", "data"]


def event_record(event: Event) -> dict[str, Any]:
    return {
        "id": event.id,
        "delegation_id": event.delegation_id,
        "type": event.type,
        "actor": event.actor,
        "at": event.at.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "data": event.data,
    }


def iter_records(engine: Engine) -> Iterator[dict[str, Any]]:
    with reading(engine) as session:
        for event in iter_all_events(session):
            yield event_record(event)


def run_export(settings: Settings, *, out: TextIO, format: str) -> int:
    engine = make_engine(settings.database_url)
    problem = schema_problem(engine)
    if problem:
        print(f"steward: {problem}", file=sys.stderr)
        return 1
    write_export(engine, out, format=format)
    return 0


def write_export(engine: Engine, out: TextIO, *, format: str = "jsonl") -> int:
    count = 0
    if format == "csv":
        writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS)
        writer.writeheader()
        for record in iter_records(engine):
            writer.writerow({**record, "data": json.dumps(record["data"], sort_keys=True)})
            count += 1
    else:
        for record in iter_records(engine):
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
            count += 1
    return count
