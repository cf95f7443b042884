"""escalation lifecycle: how an escalation ended (resolved by its cause), the climb's own
reason and note, the watch after an acknowledgement, and the messages each level went in
(several escalations to one recipient within a minute share one message)

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-03
"""

from __future__ import annotations

import json

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("escalations", schema=None) as batch_op:
        batch_op.add_column(sa.Column("climb_reason", sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column("climb_note", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("committed_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("reminded_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("resolved_cause", sa.String(length=32), nullable=True))
    op.create_table(
        "escalation_notices",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("escalation_id", sa.Integer(), nullable=False),
        sa.Column("level", sa.Integer(), nullable=False),
        sa.Column("recipient", sa.String(length=32), nullable=False),
        sa.Column("message_key", sa.String(length=128), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["escalation_id"], ["escalations.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_escalation_notices_escalation_id", "escalation_notices", ["escalation_id"])
    op.create_index("ix_escalation_notices_message_key", "escalation_notices", ["message_key"])
    op.create_index(
        "ix_escalation_notices_recipient_at", "escalation_notices", ["recipient", "sent_at"]
    )
    # Escalations from before: each level told so far was a message of its own, keyed
    # "escalation:<id>:to:<recipient>", so later edits find it.
    connection = op.get_bind()
    rows = connection.execute(
        sa.text("SELECT id, chain, level, level_started_at FROM escalations")
    ).all()
    backfill = []
    for escalation_id, chain, level, at in rows:
        climb = json.loads(chain) if isinstance(chain, str) else chain
        for number, recipient in enumerate(climb[:level], start=1):
            key = f"escalation:{escalation_id}:to:{recipient}"
            backfill.append(
                {
                    "escalation_id": escalation_id,
                    "level": number,
                    "recipient": recipient,
                    "message_key": key,
                    "sent_at": at,
                }
            )
    if backfill:  # the times go back as they came out, in the backend's own form
        connection.execute(
            sa.text(
                "INSERT INTO escalation_notices (escalation_id, level, recipient, message_key,"
                " sent_at) VALUES (:escalation_id, :level, :recipient, :message_key, :sent_at)"
            ),
            backfill,
        )


def downgrade() -> None:
    op.drop_table("escalation_notices")
    with op.batch_alter_table("escalations", schema=None) as batch_op:
        for column in (
            "resolved_cause",
            "resolved_at",
            "reminded_at",
            "committed_at",
            "climb_note",
            "climb_reason",
        ):
            batch_op.drop_column(column)
