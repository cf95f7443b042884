"""Claiming a digest period, so each weekly digest is posted once across replicas."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from storage.models import PostedDigest
from storage.rows import insert_once


def claim_period(
    session: Session, *, kind: str, period_end: datetime, channel_id: str, now: datetime
) -> PostedDigest | None:
    """The new row, or None when this period was claimed before (by anyone, ever)."""
    row = PostedDigest(kind=kind, period_end=period_end, channel_id=channel_id, created_at=now)
    return row if insert_once(session, row) else None
