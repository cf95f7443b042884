"""digests: one row per posted weekly digest; event indexes for the digest's aggregates

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-21
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "digests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("period_end", sa.DateTime(timezone=True), nullable=False),
        sa.Column("channel_id", sa.String(length=32), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("kind", "period_end", name="uq_digests_period"),
    )
    op.create_index("ix_events_type_at", "events", ["type", "at", "delegation_id"])
    op.create_index("ix_events_delegation_type", "events", ["delegation_id", "type", "at"])


def downgrade() -> None:
    op.drop_index("ix_events_delegation_type", table_name="events")
    op.drop_index("ix_events_type_at", table_name="events")
    op.drop_table("digests")
