"""outbox heads: an index on (status, recipient, id), so that delivery finds each
recipient's oldest pending message from the index alone instead of sorting every pending
row on each pass

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-22
"""

from __future__ import annotations

from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_outbox_heads", "outbox", ["status", "recipient", "id"])


def downgrade() -> None:
    op.drop_index("ix_outbox_heads", table_name="outbox")
