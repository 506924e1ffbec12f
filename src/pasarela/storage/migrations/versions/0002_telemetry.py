"""Request records and their aggregates per minute and per hour.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
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
        "prediction_records",
        sa.Column("request_id", sa.String(128), primary_key=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("endpoint", sa.String(200), nullable=False),
        sa.Column("model", sa.String(200), nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("reason", sa.String(100), nullable=False),
        sa.Column("status", sa.String(50), nullable=False),
        sa.Column("latency_s", sa.Float, nullable=False),
        sa.Column("queue_s", sa.Float, nullable=False),
        sa.Column("model_s", sa.Float, nullable=False),
        sa.Column("batch_size", sa.Integer, nullable=False),
        sa.Column("unit_id", sa.String(200)),
        sa.Column("subject_id", sa.String(200)),
        sa.Column("inputs", sa.JSON),
        sa.Column("outputs", sa.JSON),
    )
    op.create_index("ix_prediction_records_endpoint_at", "prediction_records", ["endpoint", "at"])
    op.create_index("ix_prediction_records_subject", "prediction_records", ["subject_id"])
    op.create_table(
        "request_stats",
        *_bucket_key(),
        sa.Column("requests", sa.BigInteger, nullable=False),
        sa.Column("errors", sa.BigInteger, nullable=False),
        sa.Column("latency_sum_s", sa.Float, nullable=False),
    )
    op.create_table(
        "latency_buckets",
        *_bucket_key(),
        sa.Column("bucket", sa.Integer, primary_key=True),
        sa.Column("requests", sa.BigInteger, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("latency_buckets")
    op.drop_table("request_stats")
    op.drop_index("ix_prediction_records_subject", "prediction_records")
    op.drop_index("ix_prediction_records_endpoint_at", "prediction_records")
    op.drop_table("prediction_records")
