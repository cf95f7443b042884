"""The outbox is a queue, not a log: delivered messages are kept a week, then forgotten."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import Engine

from storage.db import reading, unit_of_work
from storage.outbox import delivered_before, forget

OUTBOX_KEPT = timedelta(days=7)
BATCH = 500


def purge_delivered(engine: Engine, *, now: datetime) -> int:
    """Forget up to one batch of messages delivered over ``OUTBOX_KEPT`` ago; how many."""
    with reading(engine) as session:
        delivered = delivered_before(session, sent_before=now - OUTBOX_KEPT, limit=BATCH)
    if delivered:
        with unit_of_work(engine) as session:
            forget(session, message_ids=delivered)
    return len(delivered)
