"""The tables. Statuses are plain strings here; their meaning lives in ``storage.enums``."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, Index, Text, UniqueConstraint, text
from sqlmodel import Field, SQLModel

from storage.enums import EscalationStatus
from storage.types import UTCDateTime


def _utc(*, nullable: bool = False, index: bool = False) -> Any:
    return Field(sa_column=Column(UTCDateTime(), nullable=nullable, index=index))


class Delegation(SQLModel, table=True):
    __tablename__ = "delegations"
    # the offers one person has waiting for another (the offer limits)
    __table_args__ = (Index("ix_delegations_offers", "delegator_id", "assignee_id", "status"),)

    id: int | None = Field(default=None, primary_key=True)
    delegator_id: str = Field(max_length=32, index=True)
    assignee_id: str = Field(max_length=32, index=True)
    task: str = Field(sa_column=Column(Text, nullable=False))
    due_at: datetime | None = _utc(nullable=True)
    status: str = Field(max_length=16, index=True)
    origin_channel_id: str | None = Field(default=None, max_length=32)
    decline_reason: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    created_at: datetime = _utc()
    updated_at: datetime = _utc()
    # Supervision. Each "*_at" below is when that work next falls due, and is cleared once
    # it no longer can (the item closed): the scheduler finds due work by index alone.
    checkin_every_s: int | None = None  # this item's cadence; None means the policy's
    next_checkin_at: datetime | None = _utc(nullable=True, index=True)
    reminder_at: datetime | None = _utc(nullable=True, index=True)
    overdue_watch_at: datetime | None = _utc(nullable=True, index=True)
    overdue_at: datetime | None = _utc(nullable=True)
    accept_deadline_at: datetime | None = _utc(nullable=True, index=True)


class Checkin(SQLModel, table=True):
    """One check-in: the slot it was scheduled for, and the assignee's answer."""

    __tablename__ = "checkins"
    __table_args__ = (UniqueConstraint("delegation_id", "slot", name="uq_checkins_slot"),)

    id: int | None = Field(default=None, primary_key=True)
    delegation_id: int = Field(foreign_key="delegations.id", index=True)
    slot: datetime = _utc()
    sent_at: datetime = _utc()
    answered_at: datetime | None = _utc(nullable=True)
    status: str | None = Field(default=None, max_length=16)
    note: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    answer_deadline_at: datetime | None = _utc(nullable=True, index=True)


class Escalation(SQLModel, table=True):
    """Risk moving up the chain. ``chain`` is frozen when the escalation starts: the people
    (and finally the fallback channel) it climbs through, level 1 first."""

    __tablename__ = "escalations"
    __table_args__ = (
        # at most one escalation in progress per item, on every backend
        Index(
            "uq_escalations_open",
            "delegation_id",
            unique=True,
            sqlite_where=text(f"status = '{EscalationStatus.OPEN.value}'"),
            postgresql_where=text(f"status = '{EscalationStatus.OPEN.value}'"),
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    delegation_id: int = Field(foreign_key="delegations.id", index=True)
    reason: str = Field(max_length=32)
    chain: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    level: int = 1
    target: str = Field(max_length=32)
    status: str = Field(default=EscalationStatus.OPEN.value, max_length=16)
    started_at: datetime = _utc()
    stalled_since: datetime = _utc()
    level_started_at: datetime = _utc()
    next_step_at: datetime | None = _utc(nullable=True, index=True)
    acknowledged_at: datetime | None = _utc(nullable=True)
    acknowledged_by: str | None = Field(default=None, max_length=32)
    note: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    # Why the current level was told (an EscalationReason of the climb), and what the person
    # who passed it up said.
    climb_reason: str | None = Field(default=None, max_length=32)
    climb_note: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    # After an acknowledgement, ``next_step_at`` is when to ask whether it is still in hand:
    # ``committed_at`` is the acknowledgement or the last "Still on it", ``reminded_at`` the
    # reminder waiting for one.
    committed_at: datetime | None = _utc(nullable=True)
    reminded_at: datetime | None = _utc(nullable=True)
    resolved_at: datetime | None = _utc(nullable=True)
    resolved_cause: str | None = Field(default=None, max_length=32)


class EscalationNotice(SQLModel, table=True):
    """One level of an escalation told to one person or channel, and the message it is in:
    several escalations reaching the same recipient within a minute share one message
    (``message_key``), which lists them all and is edited as each one moves."""

    __tablename__ = "escalation_notices"
    __table_args__ = (Index("ix_escalation_notices_recipient_at", "recipient", "sent_at"),)

    id: int | None = Field(default=None, primary_key=True)
    escalation_id: int = Field(foreign_key="escalations.id", index=True)
    level: int
    recipient: str = Field(max_length=32)
    message_key: str = Field(max_length=128, index=True)
    sent_at: datetime = _utc()


class Event(SQLModel, table=True):
    """One row per thing that happened; the export and every digest read only this table."""

    __tablename__ = "events"
    __table_args__ = (
        # covering indexes for the digest's joins: a window's events by type, and an item's
        # events by type, both with their time, answered from the index alone
        Index("ix_events_type_at", "type", "at", "delegation_id"),
        Index("ix_events_delegation_type", "delegation_id", "type", "at"),
        # a person's own recent events of a type: the offers they made in the last hour
        Index("ix_events_actor_type_at", "actor", "type", "at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    delegation_id: int | None = Field(default=None, foreign_key="delegations.id", index=True)
    type: str = Field(max_length=32, index=True)
    actor: str = Field(max_length=32)
    at: datetime = _utc(index=True)
    data: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))


class PostedDigest(SQLModel, table=True):
    """One row per scheduled digest period: inserting it is how a replica claims the post."""

    __tablename__ = "digests"
    __table_args__ = (
        UniqueConstraint("kind", "period_end", "channel_id", name="uq_digests_period"),
    )

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=16)
    period_end: datetime = _utc()
    channel_id: str = Field(max_length=32)
    created_at: datetime = _utc()


class OutboxMessage(SQLModel, table=True):
    """A Slack call waiting to be made, committed together with the change that caused it."""

    __tablename__ = "outbox"
    __table_args__ = (
        Index("ix_outbox_due", "status", "next_attempt_at"),
        Index("ix_outbox_sent_at", "sent_at"),  # the tick forgets old deliveries by it
        Index("ix_outbox_channel_due_at", "channel_due_at"),  # delivery finds busy channels
        Index("ix_outbox_slot_at", "slot_at"),  # delivery counts the last second's sends
        # each recipient's oldest pending message, read from the index alone (no sort)
        Index("ix_outbox_heads", "status", "recipient", "id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=16)
    recipient: str = Field(max_length=32, index=True)
    delegation_id: int | None = Field(default=None, index=True)
    message_key: str | None = Field(default=None, max_length=128)
    payload: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    status: str = Field(default="pending", max_length=16)
    attempts: int = 0
    created_at: datetime = _utc()
    next_attempt_at: datetime = _utc()
    claimed_until: datetime | None = _utc(nullable=True)
    claim_token: str | None = Field(default=None, max_length=32)
    sent_at: datetime | None = _utc(nullable=True)
    last_error: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    # Set when this message landed as a post or an App Home publish: when the recipient's
    # next one of that kind may go (a post's channel a second on, or later in a burst; a
    # Home's publish gap), on delivery's pacing clock (real time, where ``sent_at`` is on the
    # domain clock). The recipient's next send of that kind waits for it.
    channel_due_at: datetime | None = _utc(nullable=True)
    # When it last took a slot of the workspace's send budget, on the same pacing clock.
    slot_at: datetime | None = _utc(nullable=True)


class DeliveryPace(SQLModel, table=True):
    """Delivery pacing shared by every replica, one row per budget or pause: the workspace's
    send budget (the time its next evenly spaced slot is due) and the kinds of send a 429 has
    paused (until Retry-After runs out). Times are on delivery's pacing clock."""

    __tablename__ = "delivery_pace"

    key: str = Field(primary_key=True, max_length=64)
    not_before: datetime = _utc()


class SlackMessage(SQLModel, table=True):
    """Where a message the bot posted landed, so later changes edit it in place."""

    __tablename__ = "slack_messages"

    key: str = Field(primary_key=True, max_length=128)
    channel_id: str = Field(max_length=32)
    ts: str = Field(max_length=32)
    delegation_id: int | None = Field(default=None, index=True)


class SlackUser(SQLModel, table=True):
    """What Slack told us about a person (timezone, bot or not), and their DM channel."""

    __tablename__ = "slack_users"

    user_id: str = Field(primary_key=True, max_length=32)
    name: str | None = Field(default=None, max_length=255)
    tz: str | None = Field(default=None, max_length=64)
    is_bot: bool = False
    deleted: bool = False
    dm_channel_id: str | None = Field(default=None, max_length=32)
    fetched_at: datetime = _utc()


class SeenEvent(SQLModel, table=True):
    """An Events API delivery already taken in (by its ``event_id``), so Slack's retries of
    it, on whichever replica they land, are not processed again. Kept a day."""

    __tablename__ = "seen_events"

    event_id: str = Field(primary_key=True, max_length=64)
    seen_at: datetime = _utc(index=True)


class SeenRequest(SQLModel, table=True):
    """A signed slash command or view submission already taken in, by its signature and
    timestamp, so the same request sent again (a replay, within the signature's window)
    changes nothing on any replica. Kept minutes."""

    __tablename__ = "seen_requests"

    key: str = Field(primary_key=True, max_length=96)
    seen_at: datetime = _utc(index=True)


class PersonSettings(SQLModel, table=True):
    """What a person chose for themselves: ``quiet`` mutes routine notices (never
    escalations, questions or anything asking them to act)."""

    __tablename__ = "person_settings"

    user_id: str = Field(primary_key=True, max_length=32)
    quiet: bool = False
    updated_at: datetime = _utc()


__all__ = [
    "Checkin",
    "Delegation",
    "DeliveryPace",
    "Escalation",
    "EscalationNotice",
    "Event",
    "OutboxMessage",
    "PersonSettings",
    "PostedDigest",
    "SeenEvent",
    "SeenRequest",
    "SlackMessage",
    "SlackUser",
]
