"""What Steward remembers of Slack: people, DM channels, and where its messages landed."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import bindparam, select
from sqlmodel import Session

from storage.models import SlackMessage, SlackUser
from storage.rows import insert_once


def get_user(session: Session, *, user_id: str) -> SlackUser | None:
    return session.get(SlackUser, user_id, populate_existing=True)


_USERS = SlackUser.__table__  # type: ignore[attr-defined]
# Built once: the notifier asks for every message.
_TZ = select(_USERS.c.tz).where(_USERS.c.user_id == bindparam("user_id"))


def user_tz(session: Session, *, user_id: str) -> str | None:
    """The person's timezone as remembered (None when unknown). Just the one column, read
    without loading the row into the session."""
    return session.connection().execute(_TZ, {"user_id": user_id}).scalar()


def save_user(
    session: Session,
    *,
    user_id: str,
    name: str | None,
    tz: str | None,
    is_bot: bool,
    deleted: bool,
    fetched_at: datetime,
) -> SlackUser:
    values = {"name": name, "tz": tz, "is_bot": is_bot, "deleted": deleted}
    return _remember_user(session, user_id, {**values, "fetched_at": fetched_at})


# A row made only to remember a DM channel knows nothing else: stale from birth, so the next
# lookup asks Slack for the person's timezone instead of trusting an empty one.
NEVER_FETCHED = datetime(1970, 1, 1, tzinfo=UTC)


def save_dm_channel(session: Session, *, user_id: str, channel_id: str) -> None:
    _remember_user(session, user_id, {"dm_channel_id": channel_id})


def _remember_user(session: Session, user_id: str, values: dict[str, Any]) -> SlackUser:
    """Insert the person's row or update it. Two replicas meeting the same new person at
    once both end here: one inserts, the other finds the row and updates it."""
    user = session.get(SlackUser, user_id)
    if user is None:
        fresh = SlackUser(user_id=user_id, **{"fetched_at": NEVER_FETCHED, **values})
        if insert_once(session, fresh):
            return fresh
        user = session.get(SlackUser, user_id, populate_existing=True)
        assert user is not None  # the insert that beat ours has committed
    for field, value in values.items():
        setattr(user, field, value)
    session.add(user)
    session.flush()
    return user


def get_message(session: Session, *, key: str) -> SlackMessage | None:
    return session.get(SlackMessage, key, populate_existing=True)


def save_message(
    session: Session, *, key: str, channel_id: str, ts: str, delegation_id: int | None
) -> None:
    values = {"channel_id": channel_id, "ts": ts, "delegation_id": delegation_id}
    message = session.get(SlackMessage, key)
    if message is None and insert_once(session, SlackMessage(key=key, **values)):
        return
    message = message or session.get(SlackMessage, key, populate_existing=True)
    assert message is not None
    message.channel_id, message.ts, message.delegation_id = channel_id, ts, delegation_id
    session.add(message)
    session.flush()
