"""Endpoint revisions, rollout state and history; shadow and server-error columns on records.

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "endpoint_revisions",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("endpoint", sa.String(200), nullable=False),
        sa.Column("revision", sa.Integer, nullable=False),
        sa.Column("action", sa.String(30), nullable=False),
        sa.Column("spec", sa.JSON),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("endpoint", "revision", name="uq_endpoint_revisions_endpoint_revision"),
    )
    op.create_table(
        "rollouts",
        sa.Column("endpoint", sa.String(200), primary_key=True),
        sa.Column("state", sa.JSON, nullable=False),
        sa.Column("generation", sa.Integer, nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.String(200), nullable=False),
    )
    op.create_table(
        "rollout_events",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("endpoint", sa.String(200), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.Column("kind", sa.String(30), nullable=False),
        sa.Column("detail", sa.JSON, nullable=False),
    )
    op.create_index("ix_rollout_events_endpoint", "rollout_events", ["endpoint", "id"])
    op.add_column("prediction_records", sa.Column("server_error", sa.Boolean))
    op.add_column("prediction_records", sa.Column("shadow_of", sa.String(128)))
    op.add_column("prediction_records", sa.Column("agreement", sa.Float))
    op.add_column("prediction_records", sa.Column("abs_error", sa.Float))


def downgrade() -> None:
    for column in ("abs_error", "agreement", "shadow_of", "server_error"):
        op.drop_column("prediction_records", column)
    op.drop_index("ix_rollout_events_endpoint", "rollout_events")
    op.drop_table("rollout_events")
    op.drop_table("rollouts")
    op.drop_table("endpoint_revisions")
