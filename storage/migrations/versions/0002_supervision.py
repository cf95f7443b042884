"""supervision: check-ins, reminders and overdue detection

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-21
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("delegations", schema=None) as batch_op:
        batch_op.add_column(sa.Column("checkin_every_s", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("next_checkin_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("reminder_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(
            sa.Column("overdue_watch_at", sa.DateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(sa.Column("overdue_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.create_index("ix_delegations_next_checkin_at", ["next_checkin_at"])
        batch_op.create_index("ix_delegations_reminder_at", ["reminder_at"])
        batch_op.create_index("ix_delegations_overdue_watch_at", ["overdue_watch_at"])

    op.create_table(
        "checkins",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("delegation_id", sa.Integer(), nullable=False),
        sa.Column("slot", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["delegation_id"], ["delegations.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("delegation_id", "slot", name="uq_checkins_slot"),
    )
    op.create_index("ix_checkins_delegation_id", "checkins", ["delegation_id"])
    # Existing open items: watch their due dates from now on.
    op.execute(
        "UPDATE delegations SET overdue_watch_at = due_at "
        "WHERE due_at IS NOT NULL AND status IN ('offered', 'accepted')"
    )


def downgrade() -> None:
    op.drop_index("ix_checkins_delegation_id", table_name="checkins")
    op.drop_table("checkins")
    with op.batch_alter_table("delegations", schema=None) as batch_op:
        batch_op.drop_index("ix_delegations_overdue_watch_at")
        batch_op.drop_index("ix_delegations_reminder_at")
        batch_op.drop_index("ix_delegations_next_checkin_at")
        batch_op.drop_column("overdue_at")
        batch_op.drop_column("overdue_watch_at")
        batch_op.drop_column("reminder_at")
        batch_op.drop_column("next_checkin_at")
        batch_op.drop_column("checkin_every_s")
