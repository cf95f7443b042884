"""events by actor: counting the offers a person made in the last hour (the offer limits)

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-07
"""

from __future__ import annotations

from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_events_actor_type_at", "events", ["actor", "type", "at"])


def downgrade() -> None:
    op.drop_index("ix_events_actor_type_at", table_name="events")
