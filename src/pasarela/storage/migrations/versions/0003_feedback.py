"""Feedback and its aggregates.

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def _bucket_key() -> list[sa.Column[object]]:
    return [
        sa.Column("endpoint", sa.String(200), primary_key=True),
        sa.Column("model", sa.String(200), primary_key=True),
        sa.Column("version", sa.Integer, primary_key=True),
        sa.Column("bucket_s", sa.Integer, primary_key=True),
        sa.Column("start", sa.BigInteger, primary_key=True),
    ]


def upgrade() -> None:
    op.create_table(
        "feedback",
        sa.Column("request_id", sa.String(128), primary_key=True),
        sa.Column("kind", sa.String(30), primary_key=True),
        sa.Column("value", sa.Float),
        sa.Column("label", sa.JSON),
        sa.Column("attributes", sa.JSON),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("aggregated", sa.Boolean, nullable=False),
    )
    op.create_index("ix_feedback_pending", "feedback", ["aggregated"])
    op.create_table(
        "feedback_stats",
        *_bucket_key(),
        sa.Column("kind", sa.String(30), primary_key=True),
        sa.Column("count", sa.BigInteger, nullable=False),
        sa.Column("sum", sa.Float, nullable=False),
        sa.Column("sum_sq", sa.Float, nullable=False),
    )
    op.create_table(
        "label_confusion",
        *_bucket_key(),
        sa.Column("actual", sa.String(200), primary_key=True),
        sa.Column("predicted", sa.String(200), primary_key=True),
        sa.Column("count", sa.BigInteger, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("label_confusion")
    op.drop_table("feedback_stats")
    op.drop_index("ix_feedback_pending", "feedback")
    op.drop_table("feedback")
