"""Incidents and their timelines.

Revision ID: 0007
Revises: 0006
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "incidents",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("group", sa.String(200), nullable=False),
        sa.Column("open_group", sa.String(200), unique=True),
        sa.Column("severity", sa.String(2), nullable=False),
        sa.Column("title", sa.String(500), nullable=False),
        sa.Column("conditions", sa.JSON, nullable=False),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True)),
        sa.Column("acknowledged_by", sa.String(200)),
        sa.Column("acknowledged_at", sa.DateTime(timezone=True)),
    )
    op.create_index("ix_incidents_opened_at", "incidents", ["opened_at"])
    op.create_table(
        "incident_events",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("incident_id", sa.Integer, sa.ForeignKey("incidents.id"), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("kind", sa.String(30), nullable=False),
        sa.Column("message", sa.String(2000), nullable=False),
    )
    op.create_index("ix_incident_events_incident", "incident_events", ["incident_id", "id"])


def downgrade() -> None:
    op.drop_index("ix_incident_events_incident", "incident_events")
    op.drop_table("incident_events")
    op.drop_index("ix_incidents_opened_at", "incidents")
    op.drop_table("incidents")
