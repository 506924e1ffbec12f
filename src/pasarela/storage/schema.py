"""Tables of the registry and control plane. Changes go through Alembic migrations only."""

from __future__ import annotations

import sqlalchemy as sa

from pasarela.bounds import (
    MAX_CALLER_CHARS,
    MAX_CORRELATION_ID_CHARS,
    MAX_ID_CHARS,
    MAX_RECORD_KEY_CHARS,
)
from pasarela.names import NAME_MAX_LENGTH

metadata = sa.MetaData()

models = sa.Table(
    "models",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("name", sa.String(NAME_MAX_LENGTH), nullable=False, unique=True),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("created_by", sa.String(200), nullable=False),
)

model_versions = sa.Table(
    "model_versions",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("model_id", sa.Integer, sa.ForeignKey("models.id"), nullable=False),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("kind", sa.String(50), nullable=False),
    sa.Column("artifact_sha256", sa.String(64)),
    sa.Column("entrypoint", sa.String(500)),
    sa.Column("signature", sa.JSON),
    sa.Column("baseline", sa.JSON),
    sa.Column("metrics", sa.JSON, nullable=False),
    sa.Column("params", sa.JSON, nullable=False),
    sa.Column("tags", sa.JSON, nullable=False),
    sa.Column("dataset_fingerprint", sa.String(64)),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("created_by", sa.String(200), nullable=False),
    sa.UniqueConstraint("model_id", "version", name="uq_model_versions_model_version"),
)

aliases = sa.Table(
    "aliases",
    metadata,
    sa.Column("model_id", sa.Integer, sa.ForeignKey("models.id"), primary_key=True),
    sa.Column("alias", sa.String(100), primary_key=True),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("updated_by", sa.String(200), nullable=False),
)

alias_moves = sa.Table(
    "alias_moves",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("model_id", sa.Integer, sa.ForeignKey("models.id"), nullable=False),
    sa.Column("alias", sa.String(100), nullable=False),
    sa.Column("from_version", sa.Integer),
    sa.Column("to_version", sa.Integer, nullable=False),
    sa.Column("actor", sa.String(200), nullable=False),
    sa.Column("at", sa.DateTime(timezone=True), nullable=False),
)

endpoints = sa.Table(
    "endpoints",
    metadata,
    sa.Column("name", sa.String(NAME_MAX_LENGTH), primary_key=True),
    sa.Column("spec", sa.JSON, nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("updated_by", sa.String(200), nullable=False),
)

# Every change of an endpoint, numbered per endpoint: who, when, what (``spec`` is null for a
# deletion). ``rollout undo`` re-applies an earlier one as a new revision.
endpoint_revisions = sa.Table(
    "endpoint_revisions",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("endpoint", sa.String(200), nullable=False),
    sa.Column("revision", sa.Integer, nullable=False),
    sa.Column("action", sa.String(30), nullable=False),
    sa.Column("spec", sa.JSON),
    sa.Column("actor", sa.String(200), nullable=False),
    sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    sa.UniqueConstraint("endpoint", "revision", name="uq_endpoint_revisions_endpoint_revision"),
)

# The live state of an endpoint's rollout (a canary's phase, step and weight), which the
# controller moves; ``generation`` grows with each write so concurrent writers cannot both win.
rollouts = sa.Table(
    "rollouts",
    metadata,
    sa.Column("endpoint", sa.String(200), primary_key=True),
    sa.Column("state", sa.JSON, nullable=False),
    sa.Column("generation", sa.Integer, nullable=False),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("updated_by", sa.String(200), nullable=False),
)

# The rollout history: every step, verdict (with its numbers), promotion, rollback, pause.
rollout_events = sa.Table(
    "rollout_events",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("endpoint", sa.String(200), nullable=False),
    sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("actor", sa.String(200), nullable=False),
    sa.Column("kind", sa.String(30), nullable=False),
    sa.Column("detail", sa.JSON, nullable=False),
    sa.Index("ix_rollout_events_endpoint", "endpoint", "id"),
)

# The always-valid test's tuning of each experiment, fixed when it starts (from its plan, or
# the documented default) and never recomputed from the data (migration 0010).
experiment_tunings = sa.Table(
    "experiment_tunings",
    metadata,
    sa.Column("experiment", sa.String(100), primary_key=True),
    sa.Column("endpoint", sa.String(200), nullable=False),
    sa.Column("units_per_variant", sa.Float, nullable=False),
    sa.Column("source", sa.String(20), nullable=False),
    sa.Column("fixed_at", sa.DateTime(timezone=True), nullable=False),
)

# One row, bumped in the same transaction as every control-plane change, so a serving process
# learns that its snapshot is stale with one cheap read.
control_revision = sa.Table(
    "control_revision",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("revision", sa.BigInteger, nullable=False),
)

prediction_records = sa.Table(
    "prediction_records",
    metadata,
    sa.Column("request_id", sa.String(MAX_RECORD_KEY_CHARS), primary_key=True),
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
    sa.Column("unit_id", sa.String(MAX_ID_CHARS)),
    sa.Column("subject_id", sa.String(MAX_ID_CHARS)),
    sa.Column("inputs", sa.JSON),
    sa.Column("outputs", sa.JSON),
    # Failures that count against the version (model errors, timeouts), not the client's.
    sa.Column("server_error", sa.Boolean),
    # A shadow call's record: the primary's request id, and how its answer compared with the
    # primary's (agreement 1/0 for labels; absolute error for numbers).
    sa.Column("shadow_of", sa.String(MAX_RECORD_KEY_CHARS)),
    sa.Column("agreement", sa.Float),
    sa.Column("abs_error", sa.Float),
    # Who called (the key's id or the token's subject), and the client's own id for the
    # request (its X-Request-Id or v2 ``id``): ``request_id`` is always the server's.
    sa.Column("caller", sa.String(MAX_CALLER_CHARS)),
    sa.Column("correlation_id", sa.String(MAX_CORRELATION_ID_CHARS)),
    sa.Index("ix_prediction_records_endpoint_at", "endpoint", "at"),
    sa.Index("ix_prediction_records_subject", "subject_id"),
)

# Records the writer could not store (a value the database refuses): kept aside so that the
# records after them are stored, with why. Only what is safe to keep: payloads only when sealed
# (as records hold them with encryption on), no unit or subject id in clear (the subject's
# hash, as in ``erasures``, so an erasure removes them too).
quarantined_records = sa.Table(
    "quarantined_records",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("quarantined_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("at", sa.DateTime(timezone=True)),
    sa.Column("request_id", sa.String(MAX_RECORD_KEY_CHARS)),
    sa.Column("endpoint", sa.String(200)),
    sa.Column("model", sa.String(200)),
    sa.Column("version", sa.Integer),
    sa.Column("caller", sa.String(MAX_CALLER_CHARS)),
    sa.Column("subject_sha256", sa.String(64)),
    sa.Column("reason", sa.String(500), nullable=False),
    sa.Column("inputs", sa.JSON),
    sa.Column("outputs", sa.JSON),
    sa.Index("ix_quarantined_records_quarantined_at", "quarantined_at"),
)


def _bucket_key() -> list[sa.Column[object]]:
    """Endpoint × version × time bucket: ``bucket_s`` is 60 (minutes) or 3600 (the hourly
    rollup, kept in step by the writer), ``start`` the bucket's first second since the epoch."""
    return [
        sa.Column("endpoint", sa.String(200), primary_key=True),
        sa.Column("model", sa.String(200), primary_key=True),
        sa.Column("version", sa.Integer, primary_key=True),
        sa.Column("bucket_s", sa.Integer, primary_key=True),
        sa.Column("start", sa.BigInteger, primary_key=True),
    ]


# What the stats API and every later judge (canary gates, experiments) read instead of scanning
# records.
request_stats = sa.Table(
    "request_stats",
    metadata,
    *_bucket_key(),
    sa.Column("requests", sa.BigInteger, nullable=False),
    sa.Column("errors", sa.BigInteger, nullable=False),
    sa.Column("latency_sum_s", sa.Float, nullable=False),
)

# The latency histogram of the same key, one row per non-empty bucket of
# telemetry.metrics.LATENCY_BUCKETS (index len(LATENCY_BUCKETS) is +Inf).
latency_buckets = sa.Table(
    "latency_buckets",
    metadata,
    *_bucket_key(),
    sa.Column("bucket", sa.Integer, primary_key=True),
    sa.Column("requests", sa.BigInteger, nullable=False),
)

# One row per (request, kind of feedback): a second report of the same kind is ignored.
feedback = sa.Table(
    "feedback",
    metadata,
    sa.Column("request_id", sa.String(128), primary_key=True),
    sa.Column("kind", sa.String(30), primary_key=True),
    sa.Column("value", sa.Float),
    sa.Column("label", sa.JSON),
    sa.Column("attributes", sa.JSON),
    sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("aggregated", sa.Boolean, nullable=False),
    sa.Index("ix_feedback_pending", "aggregated"),
)

# Feedback folded into the buckets of the request it is about, per kind: count, sum and sum of
# squares give rates, means and variances. Label feedback adds kinds "label_correct" (0/1) for
# classifiers and "label_abs_error" / "label_sq_error" for regressors.
feedback_stats = sa.Table(
    "feedback_stats",
    metadata,
    *_bucket_key(),
    sa.Column("kind", sa.String(30), primary_key=True),
    sa.Column("count", sa.BigInteger, nullable=False),
    sa.Column("sum", sa.Float, nullable=False),
    sa.Column("sum_sq", sa.Float, nullable=False),
)

# Classifier labels against predictions, for precision, recall and F1.
label_confusion = sa.Table(
    "label_confusion",
    metadata,
    *_bucket_key(),
    sa.Column("actual", sa.String(200), primary_key=True),
    sa.Column("predicted", sa.String(200), primary_key=True),
    sa.Column("count", sa.BigInteger, nullable=False),
)

# API keys: only the SHA-256 of the secret is kept (keys are 256-bit random, so a fast hash is
# enough: there is nothing to brute-force), the id is the visible prefix.
api_keys = sa.Table(
    "api_keys",
    metadata,
    sa.Column("id", sa.String(40), primary_key=True),
    sa.Column("secret_sha256", sa.String(64), nullable=False, unique=True),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("role", sa.String(20), nullable=False),
    sa.Column("endpoints", sa.JSON),
    sa.Column("rate_limit", sa.String(40)),
    sa.Column("created_by", sa.String(200), nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("expires_at", sa.DateTime(timezone=True)),
    sa.Column("revoked_at", sa.DateTime(timezone=True)),
)

# Dashboard sessions: the browser's cookie holds a random session id, the table only its
# SHA-256 (like keys: 256 random bits need no slow hash). A session belongs to the key that
# signed in; revoking the key ends its sessions (storage/keys.py).
ui_sessions = sa.Table(
    "ui_sessions",
    metadata,
    sa.Column("id_sha256", sa.String(64), primary_key=True),
    sa.Column("key_id", sa.String(40), nullable=False),
    sa.Column("role", sa.String(20), nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("revoked_at", sa.DateTime(timezone=True)),
    sa.Index("ix_ui_sessions_key_id", "key_id"),
)

# The audit log: each entry holds the hash of the one before it, so an edited, deleted or
# reordered entry breaks the chain. Times are integer microseconds so the hash is exact.
audit_log = sa.Table(
    "audit_log",
    metadata,
    sa.Column("seq", sa.BigInteger, primary_key=True, autoincrement=False),
    sa.Column("at_us", sa.BigInteger, nullable=False),
    sa.Column("actor", sa.String(200), nullable=False),
    sa.Column("action", sa.String(60), nullable=False),
    sa.Column("target", sa.String(300), nullable=False),
    sa.Column("detail", sa.JSON, nullable=False),
    sa.Column("prev_hash", sa.String(64), nullable=False),
    sa.Column("hash", sa.String(64), nullable=False),
)

# Anchors: the chain's head written aside from time to time, so that cutting entries off the
# end (which leaves a valid shorter chain) is detected too.
audit_anchors = sa.Table(
    "audit_anchors",
    metadata,
    sa.Column("seq", sa.BigInteger, primary_key=True, autoincrement=False),
    sa.Column("hash", sa.String(64), nullable=False),
    sa.Column("at_us", sa.BigInteger, nullable=False),
)

# Data keys for payloads, each wrapped (AES-GCM) by the master key, which is kept elsewhere.
data_keys = sa.Table(
    "data_keys",
    metadata,
    sa.Column("id", sa.String(40), primary_key=True),
    sa.Column("wrapped", sa.String(200), nullable=False),
    sa.Column("active", sa.Boolean, nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("created_by", sa.String(200), nullable=False),
)

# Data subjects whose records were erased (by the hash of their id): records of theirs made
# before the erasure but still on their way from a journal are dropped when they arrive.
erasures = sa.Table(
    "erasures",
    metadata,
    sa.Column("subject_sha256", sa.String(64), primary_key=True),
    sa.Column("erased_at", sa.DateTime(timezone=True), nullable=False),
)

# Incidents (``telemetry/incidents.py``): one open at a time per ``group`` (an endpoint, or a
# server-wide concern), held by ``open_group`` — the group while open, NULL once closed — so two
# servers noticing the same trouble join one incident. ``conditions`` holds what is wrong now,
# each with when a server last saw it; the incident closes when none has been seen lately.
incidents = sa.Table(
    "incidents",
    metadata,
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
    sa.Index("ix_incidents_opened_at", "opened_at"),
)

# An incident's timeline: opened, each condition seen and cleared, severity moves,
# acknowledgement, notifications, closing.
incident_events = sa.Table(
    "incident_events",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("incident_id", sa.Integer, sa.ForeignKey("incidents.id"), nullable=False),
    sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("kind", sa.String(30), nullable=False),
    sa.Column("message", sa.String(2000), nullable=False),
    sa.Index("ix_incident_events_incident", "incident_id", "id"),
)
