"""escalation: escalations up the chain, acceptance and answer deadlines

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-21
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("delegations", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("accept_deadline_at", sa.DateTime(timezone=True), nullable=True)
        )
        batch_op.create_index("ix_delegations_accept_deadline_at", ["accept_deadline_at"])
    with op.batch_alter_table("checkins", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("answer_deadline_at", sa.DateTime(timezone=True), nullable=True)
        )
        batch_op.create_index("ix_checkins_answer_deadline_at", ["answer_deadline_at"])

    op.create_table(
        "escalations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("delegation_id", sa.Integer(), nullable=False),
        sa.Column("reason", sa.String(length=32), nullable=False),
        sa.Column("chain", sa.JSON(), nullable=False),
        sa.Column("level", sa.Integer(), nullable=False),
        sa.Column("target", sa.String(length=32), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("stalled_since", sa.DateTime(timezone=True), nullable=False),
        sa.Column("level_started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("next_step_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("acknowledged_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("acknowledged_by", sa.String(length=32), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["delegation_id"], ["delegations.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_escalations_delegation_id", "escalations", ["delegation_id"])
    op.create_index("ix_escalations_next_step_at", "escalations", ["next_step_at"])
    op.create_index(
        "uq_escalations_open",
        "escalations",
        ["delegation_id"],
        unique=True,
        sqlite_where=sa.text("status = 'open'"),
        postgresql_where=sa.text("status = 'open'"),
    )


def downgrade() -> None:
    op.drop_index("uq_escalations_open", table_name="escalations")
    op.drop_index("ix_escalations_next_step_at", table_name="escalations")
    op.drop_index("ix_escalations_delegation_id", table_name="escalations")
    op.drop_table("escalations")
    with op.batch_alter_table("checkins", schema=None) as batch_op:
        batch_op.drop_index("ix_checkins_answer_deadline_at")
        batch_op.drop_column("answer_deadline_at")
    with op.batch_alter_table("delegations", schema=None) as batch_op:
        batch_op.drop_index("ix_delegations_accept_deadline_at")
        batch_op.drop_column("accept_deadline_at")
