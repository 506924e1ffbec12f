"""Experiments: the always-valid test's tuning, fixed when the experiment starts.

Experiments started before this migration had their tuning recomputed from the control's data
at every read; they get the documented default (``DEFAULT_HORIZON``, 10,000 units per variant,
source ``upgrade``), fixed at the time of their start. The default, not their first computed
value: that value was never stored, and recomputing it now would read data the experiment has
already seen, which is what the fix forbids.

Revision ID: 0010
Revises: 0009
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

UPGRADE_HORIZON = 10_000.0
"""``pasarela.stats.sequential.DEFAULT_HORIZON`` when this migration was written: a migration
keeps its own copy, so that it means the same thing however the code moves on."""


def upgrade() -> None:
    tunings = op.create_table(
        "experiment_tunings",
        sa.Column("experiment", sa.String(100), primary_key=True),
        sa.Column("endpoint", sa.String(200), nullable=False),
        sa.Column("units_per_variant", sa.Float, nullable=False),
        sa.Column("source", sa.String(20), nullable=False),
        sa.Column("fixed_at", sa.DateTime(timezone=True), nullable=False),
    )
    events = sa.table(
        "rollout_events",
        sa.column("id", sa.Integer),
        sa.column("endpoint", sa.String),
        sa.column("kind", sa.String),
        sa.column("at", sa.DateTime(timezone=True)),
        sa.column("detail", sa.JSON),
    )
    rows = op.get_bind().execute(
        sa.select(events.c.endpoint, events.c.at, events.c.detail)
        .where(events.c.kind == "experiment_start")
        .order_by(events.c.id)
    )
    started: dict[str, dict[str, Any]] = {}
    for row in rows:  # the latest start of each experiment id wins, as it does in the code
        experiment = (row.detail or {}).get("experiment")
        if isinstance(experiment, str):
            at: datetime = row.at if row.at.tzinfo else row.at.replace(tzinfo=UTC)
            started[experiment] = {
                "experiment": experiment,
                "endpoint": row.endpoint,
                "units_per_variant": UPGRADE_HORIZON,
                "source": "upgrade",
                "fixed_at": at,
            }
    if started:
        op.bulk_insert(tunings, list(started.values()))


def downgrade() -> None:
    op.drop_table("experiment_tunings")
