"""outbox claim token; check-ins for items accepted before supervision existed

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-21
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.add_column(sa.Column("claim_token", sa.String(length=32), nullable=True))
    # Items accepted before supervision existed (0002) have no check-in scheduled: make
    # one due now; the next tick sends a single catch-up check-in and schedules the rest.
    op.execute(
        "UPDATE delegations SET next_checkin_at = updated_at "
        "WHERE status = 'accepted' AND next_checkin_at IS NULL AND overdue_at IS NULL"
    )


def downgrade() -> None:
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_column("claim_token")
