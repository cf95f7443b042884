"""Judging a run: what the outbox says was delivered against what reached the Slack double."""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection
from typing import Any

from sqlalchemy import Engine, func
from sqlmodel import col, select

from storage.db import reading
from storage.models import Event, OutboxMessage
from storage.outbox import PENDING
from tests.replicas.conftest import WatchedSlack

# (kind, where, text): a post is judged per channel, an edit or a private reply by its text.
Key = tuple[str, str, str]
# The kinds of outbox message whose arrival at Slack is compared one by one; any other kind
# (a file upload, an App Home publish) is only required to have been sent.
JUDGED = ("post", "update", "respond")


def channel_of(recipient: str) -> str:
    """The channel a post to ``recipient`` lands in: a person's DM with the bot (as the
    double opens it), or the channel itself."""
    return "D" + recipient[1:] if recipient[:1] in ("U", "W") else recipient


def _key(message: OutboxMessage) -> Key:
    where = channel_of(message.recipient) if message.kind == "post" else ""
    return message.kind, where, str(message.payload.get("text", ""))


def outbox(engine: Engine) -> list[OutboxMessage]:
    with reading(engine) as session:
        return list(session.exec(select(OutboxMessage).order_by(col(OutboxMessage.id))).all())


def undelivered(engine: Engine) -> int:
    """Messages still waiting (pending) or given up on (parked)."""
    with reading(engine) as session:
        statement = (
            select(func.count()).select_from(OutboxMessage).where(OutboxMessage.status != "sent")
        )
        return int(session.exec(statement).one())


def in_flight(engine: Engine) -> set[int]:
    """Messages claimed for delivery and not yet recorded as sent: after a replica is killed,
    exactly the ones that may reach Slack twice (the post landed, the "sent" never did)."""
    with reading(engine) as session:
        statement = (
            select(OutboxMessage.id)
            .where(OutboxMessage.status == PENDING)
            .where(col(OutboxMessage.claim_token).is_not(None))
        )
        return {int(message_id) for message_id in session.exec(statement).all() if message_id}


def seen_at_slack(slack: WatchedSlack) -> list[Key]:
    """Every successful post and edit in the order Slack answered them, then every private
    reply (response_url) in the order they came."""
    calls, responses = slack.snapshot()
    seen: list[Key] = []
    for call in calls:
        if call.response.get("ok") is not True:
            continue
        if call.method == "chat.postMessage":
            seen.append(("post", str(call.response["channel"]), str(call.params.get("text"))))
        elif call.method == "chat.update":
            seen.append(("update", "", str(call.params.get("text"))))
    seen += [("respond", "", str(response.get("text"))) for response in responses]
    return seen


def assert_delivered_exactly_once(
    engine: Engine, slack: WatchedSlack, *, may_repeat: Collection[int] = ()
) -> None:
    """Every message in the outbox was sent and reached Slack once, and each channel got its
    posts in the order they were queued. A message in ``may_repeat`` (in flight when its
    replica was killed) may have reached Slack twice, one copy right after the other."""
    messages = outbox(engine)
    stuck = [(m.id, m.status, m.recipient, m.last_error) for m in messages if m.status != "sent"]
    assert not stuck, f"undelivered: {stuck[:20]}"
    judged = [m for m in messages if m.kind in JUDGED]
    expected = Counter(_key(m) for m in judged)
    allowed = Counter(_key(m) for m in judged if m.id in set(may_repeat))
    seen = seen_at_slack(slack)
    seen_count = Counter(seen)
    missing = expected - seen_count
    assert not missing, f"sent according to the outbox but never seen: {list(missing)[:10]}"
    unknown = [key for key in seen_count if key not in expected]
    assert not unknown, f"seen at Slack but not in the outbox: {unknown[:10]}"
    repeated = seen_count - expected
    beyond = repeated - allowed
    assert not beyond, f"delivered more than once: {dict(beyond)}"

    queued: dict[str, list[str]] = {}
    for message in judged:
        if message.kind == "post":
            queued.setdefault(channel_of(message.recipient), []).append(_key(message)[2])
    landed: dict[str, list[str]] = {}
    for kind, where, text in seen:
        if kind != "post":
            continue
        texts = landed.setdefault(where, [])
        repeat_ok = allowed[(kind, where, text)] > 0
        if texts and texts[-1] == text and repeat_ok:
            continue  # the second copy of a message in flight at the kill, right behind it
        texts.append(text)
    for channel, texts in queued.items():
        assert landed.get(channel) == texts, f"channel {channel} got its posts out of order"


def events_of(engine: Engine, event_type: str) -> list[Event]:
    with reading(engine) as session:
        statement = select(Event).where(Event.type == event_type).order_by(col(Event.id))
        return list(session.exec(statement).all())


def summary(engine: Engine) -> dict[str, Any]:
    """A line for assertion messages: the outbox by status, the events by type."""
    with reading(engine) as session:
        outbox_counts = session.exec(
            select(OutboxMessage.status, func.count()).group_by(col(OutboxMessage.status))
        ).all()
        event_counts = session.exec(
            select(Event.type, func.count()).group_by(col(Event.type))
        ).all()
    return {"outbox": dict(outbox_counts), "events": dict(event_counts)}
