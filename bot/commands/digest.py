"""`steward digest [--days N] [--lead U…] [--post]`: the digest in the terminal, and on
request in Slack (the digest channel, or the lead's DM for a lead's own digest)."""

from __future__ import annotations

import sys
import time
from typing import TextIO

from sqlmodel import col, select

from bot.app.clocks import SystemClock
from bot.app.wiring import outbox_delivery
from bot.config.settings import ConfigError, Settings
from bot.domain.chain import teams_of
from bot.domain.digest import compute_digest
from bot.domain.supervision import is_person
from bot.render.digest_text import digest_text
from bot.slack.outbox.notifier import SlackNotifier
from storage.db import make_engine, reading, schema_problem, unit_of_work
from storage.models import OutboxMessage
from storage.outbox import PENDING

DELIVERY_PATIENCE_SECONDS = 60


def run_digest(
    settings: Settings,
    *,
    days: int,
    post: bool,
    lead: str | None = None,
    out: TextIO = sys.stdout,
) -> int:
    if days < 1 or days > 366:
        raise ConfigError("--days must be between 1 and 366")
    if lead is not None and not is_person(lead):
        raise ConfigError(f"--lead wants a Slack user id like U0123ABCD, not {lead!r}")
    channel = lead or settings.policy.digest_channel
    if post and not channel:
        raise ConfigError("--post needs digest_channel in the policy file")
    engine = make_engine(settings.database_url)
    problem = schema_problem(engine)
    if problem:
        raise ConfigError(problem)
    clock = SystemClock()
    now = clock.now()
    tz = settings.policy.digest_timezone
    with reading(engine) as session:
        team = teams_of(settings.policy.chain).get(lead) if lead else None
        shows_tasks = lead is not None or settings.policy.digest_shows_tasks  # as it is posted
        digest = compute_digest(
            session, end=now, days=days, tz=tz, lead=lead, team=team, shows_tasks=shows_tasks
        )
    out.write(digest_text(digest))
    if not post:
        return 0
    assert channel is not None
    key = f"digest:manual:{now.isoformat()}"
    with unit_of_work(engine) as session:
        SlackNotifier(session, now=now).digest(channel, digest, key=key)
    delivery = outbox_delivery(settings, engine=engine, clock=clock)
    deadline = time.monotonic() + DELIVERY_PATIENCE_SECONDS
    while _pending(engine, channel) and time.monotonic() < deadline:
        if not delivery.deliver_due():
            time.sleep(0.5)
    if _pending(engine, channel):
        out.write(f"\nQueued for {channel}; a running Steward will deliver it.\n")
        return 1
    out.write(f"\nPosted to {channel}.\n")
    return 0


def _pending(engine: object, channel: str) -> bool:
    with reading(engine) as session:  # type: ignore[arg-type]
        statement = select(OutboxMessage.id).where(
            col(OutboxMessage.recipient) == channel, col(OutboxMessage.status) == PENDING
        )
        return session.exec(statement).first() is not None
