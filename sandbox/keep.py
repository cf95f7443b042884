"""A kept sandbox (``--db FILE``): what its Slack showed and where its clock stood, saved
beside the database as ``FILE.sandbox.json``, so that a later sandbox carries on from there.

The bot's own state is in the database, as always; this file holds only what Slack would
hold (messages, views, files) and the sandbox's clock. It names the database it belongs to
(its first event), so a file left beside a new database is not applied to it.
"""

from __future__ import annotations

import json
import logging
import os
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine, func, select

from sandbox.team import START
from storage.db import unit_of_work
from storage.models import Event

if TYPE_CHECKING:
    from sandbox.session import Sandbox

log = logging.getLogger(__name__)

FORMAT = 1


def keep_file(database: Path) -> Path:
    return database.with_name(database.name + ".sandbox.json")


def save(sandbox: Sandbox) -> None:
    """Write the file whole, then move it into place: a crash leaves the last good one."""
    engine = sandbox.steward.engine if sandbox.steward else None
    kept = {
        "format": FORMAT,
        "database": _fingerprint(engine) if engine else None,
        "clock": sandbox.clock.now().isoformat(),
        "slack": sandbox.emulator.export_state(),
        "shown": sandbox.shown.export(),
    }
    path = keep_file(sandbox.database)
    partial = path.with_name(path.name + ".partial")
    partial.write_text(json.dumps(kept))
    os.replace(partial, path)


def restore(sandbox: Sandbox, engine: Engine) -> None:
    """Carry on from the kept file, if it belongs to this database; the clock never goes
    back before the database's last event, whatever the file says."""
    moments = [START]
    latest = _latest_event(engine)
    if latest is not None:
        moments.append(latest + timedelta(minutes=1))
    path = keep_file(sandbox.database)
    kept = _read(path)
    if kept is not None and kept.get("database") != _fingerprint(engine):
        log.warning("Ignoring %s: it belongs to another database; Slack starts empty.", path)
        kept = None
    if kept is not None:
        try:
            clock = datetime.fromisoformat(kept["clock"])
            sandbox.shown.restore(kept["shown"])
            sandbox.emulator.import_state(kept["slack"])
            moments.append(clock)
        except (KeyError, TypeError, ValueError) as error:
            log.warning("Ignoring %s, which is damaged (%r); Slack starts empty.", path, error)
    sandbox.clock.set(max(moments))


def _fingerprint(engine: Engine) -> str | None:
    """The database's first event, which no later run changes: which database this is."""
    with unit_of_work(engine) as session:
        first = session.execute(select(Event.id, Event.at).order_by(Event.id).limit(1)).first()
    return f"{first[0]}@{first[1].isoformat()}" if first else None


def _latest_event(engine: Engine) -> datetime | None:
    with unit_of_work(engine) as session:
        latest = session.execute(select(func.max(Event.at))).scalar()
    if latest is None:
        return None
    return latest if latest.tzinfo else latest.replace(tzinfo=START.tzinfo)


def _read(path: Path) -> dict[str, Any] | None:
    try:
        kept = json.loads(path.read_text())
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as error:
        log.warning("Ignoring %s, which could not be read (%s); Slack starts empty.", path, error)
        return None
    if not isinstance(kept, dict) or kept.get("format") != FORMAT:
        log.warning("Ignoring %s, written by another version; Slack starts empty.", path)
        return None
    return kept
