"""Records: the caller, the client's correlation id, quarantined records.

Revision ID: 0008
Revises: 0007
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from pasarela.bounds import MAX_CALLER_CHARS, MAX_CORRELATION_ID_CHARS, MAX_RECORD_KEY_CHARS

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

# The door's bounds size the columns (one definition); changing one later needs a migration
# of its own, which alters the column to the new size.
_RECORD_KEY = MAX_RECORD_KEY_CHARS
_CALLER = MAX_CALLER_CHARS
_CORRELATION_ID = MAX_CORRELATION_ID_CHARS


def upgrade() -> None:
    op.add_column("prediction_records", sa.Column("caller", sa.String(_CALLER)))
    op.add_column("prediction_records", sa.Column("correlation_id", sa.String(_CORRELATION_ID)))
    if op.get_bind().dialect.name == "postgresql":
        # Room for a shadow's key, ``<primary id>~<model>@<version>``. SQLite does not enforce
        # VARCHAR lengths (nor alter columns in place), so only PostgreSQL needs it.
        for column in ("request_id", "shadow_of"):
            op.alter_column(
                "prediction_records",
                column,
                type_=sa.String(_RECORD_KEY),
                existing_type=sa.String(128),
            )
    op.create_table(
        "quarantined_records",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("quarantined_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True)),
        sa.Column("request_id", sa.String(_RECORD_KEY)),
        sa.Column("endpoint", sa.String(200)),
        sa.Column("model", sa.String(200)),
        sa.Column("version", sa.Integer),
        sa.Column("caller", sa.String(_CALLER)),
        sa.Column("subject_sha256", sa.String(64)),
        sa.Column("reason", sa.String(500), nullable=False),
        sa.Column("inputs", sa.JSON),
        sa.Column("outputs", sa.JSON),
    )
    op.create_index(
        "ix_quarantined_records_quarantined_at", "quarantined_records", ["quarantined_at"]
    )


def downgrade() -> None:
    op.drop_index("ix_quarantined_records_quarantined_at", "quarantined_records")
    op.drop_table("quarantined_records")
    if op.get_bind().dialect.name == "postgresql":
        for column in ("request_id", "shadow_of"):
            op.alter_column(
                "prediction_records",
                column,
                type_=sa.String(128),
                existing_type=sa.String(_RECORD_KEY),
            )
    with op.batch_alter_table("prediction_records") as batch:
        batch.drop_column("correlation_id")
        batch.drop_column("caller")
