"""What Steward remembers of Slack: people, DM channels, and where its messages landed."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlmodel import Session

from storage.models import SlackMessage, SlackUser


def get_user(session: Session, *, user_id: str) -> SlackUser | None:
    return session.get(SlackUser, user_id, populate_existing=True)


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
    user = session.get(SlackUser, user_id) or SlackUser(user_id=user_id, fetched_at=fetched_at)
    user.name, user.tz, user.is_bot, user.deleted = name, tz, is_bot, deleted
    user.fetched_at = fetched_at
    session.add(user)
    session.flush()
    return user


# A row made only to remember a DM channel knows nothing else: stale from birth, so the next
# lookup asks Slack for the person's timezone instead of trusting an empty one.
NEVER_FETCHED = datetime(1970, 1, 1, tzinfo=UTC)


def save_dm_channel(session: Session, *, user_id: str, channel_id: str, now: datetime) -> None:
    user = session.get(SlackUser, user_id) or SlackUser(user_id=user_id, fetched_at=NEVER_FETCHED)
    user.dm_channel_id = channel_id
    session.add(user)
    session.flush()


def get_message(session: Session, *, key: str) -> SlackMessage | None:
    return session.get(SlackMessage, key, populate_existing=True)


def save_message(
    session: Session, *, key: str, channel_id: str, ts: str, delegation_id: int | None
) -> None:
    message = session.get(SlackMessage, key) or SlackMessage(key=key, channel_id="", ts="")
    message.channel_id, message.ts, message.delegation_id = channel_id, ts, delegation_id
    session.add(message)
    session.flush()
