"""A kept sandbox (``--db FILE``): what its Slack showed and where its clock stood, saved
beside the database as ``FILE.sandbox.json``, so that a later sandbox carries on from there.

The bot's own state is in the database, as always; this file holds only what Slack would
hold (messages, views, files) and the sandbox's clock.
"""

from __future__ import annotations

import json
import logging
import os
from dataclasses import asdict
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine, func, select

from bot.sandbox.team import START
from storage.db import unit_of_work
from storage.models import Event

if TYPE_CHECKING:
    from bot.sandbox.session import Sandbox

log = logging.getLogger(__name__)

FORMAT = 1


def keep_file(database: Path) -> Path:
    return database.with_name(database.name + ".sandbox.json")


def save(sandbox: Sandbox) -> None:
    """Write the file whole, then move it into place: a crash leaves the last good one."""
    kept = {
        "format": FORMAT,
        "clock": sandbox.clock.now().isoformat(),
        "numbers": sandbox.numbers_used(),
        "slack": sandbox.emulator.export_state(),
        "ephemerals": [asdict(shown) for shown in list(sandbox.ephemerals)],
        "posted_at": {ts: at.isoformat() for ts, at in dict(sandbox.posted_at).items()},
        "responses": sandbox.response_owners(),
    }
    path = keep_file(sandbox.database)
    partial = path.with_name(path.name + ".partial")
    partial.write_text(json.dumps(kept))
    os.replace(partial, path)


def restore(sandbox: Sandbox, engine: Engine) -> None:
    """Carry on from the kept file, if any; the clock never goes back before the last
    event in the database, whatever the file says."""
    moments = [START]
    latest = _latest_event(engine)
    if latest is not None:
        moments.append(latest + timedelta(minutes=1))
    kept = _read(keep_file(sandbox.database))
    if kept is not None:
        moments.append(datetime.fromisoformat(kept["clock"]))
        sandbox.emulator.import_state(kept["slack"])
        sandbox.restore_shown(
            ephemerals=kept["ephemerals"],
            posted_at={ts: datetime.fromisoformat(at) for ts, at in kept["posted_at"].items()},
            responses={token: (owner[0], owner[1]) for token, owner in kept["responses"].items()},
            numbers_used=int(kept["numbers"]),
        )
    sandbox.clock.set(max(moments))


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
