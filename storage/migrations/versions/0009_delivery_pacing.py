"""delivery pacing: each post's channel schedule and each send's budget slot on the outbox,
and the shared send budget and rate-limit pauses (delivery_pace)

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("outbox") as table:
        table.add_column(sa.Column("channel_due_at", sa.DateTime(timezone=True), nullable=True))
        table.add_column(sa.Column("slot_at", sa.DateTime(timezone=True), nullable=True))
    op.create_index("ix_outbox_channel_due_at", "outbox", ["channel_due_at"])
    op.create_index("ix_outbox_slot_at", "outbox", ["slot_at"])
    op.create_table(
        "delivery_pace",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("not_before", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("key"),
    )


def downgrade() -> None:
    op.drop_table("delivery_pace")
    op.drop_index("ix_outbox_slot_at", table_name="outbox")
    op.drop_index("ix_outbox_channel_due_at", table_name="outbox")
    with op.batch_alter_table("outbox") as table:
        table.drop_column("slot_at")
        table.drop_column("channel_due_at")
