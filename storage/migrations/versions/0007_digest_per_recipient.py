"""digests: one claim per period and recipient, so each lead's own digest goes once too

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-21
"""

from __future__ import annotations

from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("digests") as table:  # SQLite rebuilds the table
        table.drop_constraint("uq_digests_period", type_="unique")
        table.create_unique_constraint("uq_digests_period", ["kind", "period_end", "channel_id"])


def downgrade() -> None:
    op.execute("DELETE FROM digests WHERE kind = 'lead'")
    with op.batch_alter_table("digests") as table:
        table.drop_constraint("uq_digests_period", type_="unique")
        table.create_unique_constraint("uq_digests_period", ["kind", "period_end"])
