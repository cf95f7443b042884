"""events by actor, delegations by the pair and status: counting the offers a person made
in the last hour, and those still waiting for one assignee (the offer limits)

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
    op.create_index(
        "ix_delegations_offers", "delegations", ["delegator_id", "assignee_id", "status"]
    )


def downgrade() -> None:
    op.drop_index("ix_delegations_offers", table_name="delegations")
    op.drop_index("ix_events_actor_type_at", table_name="events")
