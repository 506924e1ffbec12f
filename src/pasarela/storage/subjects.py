"""A data subject's records (GDPR / LGPD): find them all, export them, erase them.

A subject is whoever a request was about, named by the client in ``X-Subject-Id``. Export
gives every record (payloads opened) and the feedback on them. Erasure deletes both in one
transaction, leaves a tombstone (the hash of the id, not the id) so records of the subject
still in a server's journal are dropped when they arrive, and audits itself with counts only.
Counts already folded into the per-minute aggregates stay: they hold no personal data.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa

from pasarela.storage import audit, schema
from pasarela.storage.db import write
from pasarela.storage.telemetry import subject_hash
from pasarela.types import PLAIN_PAYLOADS, PayloadCodec


class SubjectRepository:
    def __init__(self, engine: sa.Engine, codec: PayloadCodec = PLAIN_PAYLOADS) -> None:
        self.engine = engine
        self.codec = codec

    def export(self, subject_id: str) -> dict[str, Any]:
        """Every record of ``subject_id`` (payloads opened) and every feedback on them."""
        r, f = schema.prediction_records, schema.feedback
        with self.engine.connect() as conn:
            rows = list(
                conn.execute(sa.select(r).where(r.c.subject_id == subject_id).order_by(r.c.at))
            )
            ids = [row.request_id for row in rows]
            feedback = (
                list(conn.execute(sa.select(f).where(f.c.request_id.in_(ids)))) if ids else []
            )
        return {
            "subject_id": subject_id,
            "records": [
                {
                    "request_id": row.request_id,
                    "at": _iso(row.at),
                    "endpoint": row.endpoint,
                    "model": row.model,
                    "version": row.version,
                    "status": row.status,
                    "unit_id": row.unit_id,
                    "caller": row.caller,
                    "correlation_id": row.correlation_id,
                    "inputs": self.codec.open(row.inputs),
                    "outputs": self.codec.open(row.outputs),
                }
                for row in rows
            ],
            "feedback": [
                {
                    "request_id": fb.request_id,
                    "kind": fb.kind,
                    "value": fb.value,
                    "label": fb.label,
                    "attributes": fb.attributes,
                    "at": _iso(fb.at),
                }
                for fb in feedback
            ],
        }

    def erase(self, subject_id: str, *, actor: str) -> dict[str, int]:
        """Delete the subject's records and their feedback; how many of each."""
        r, f, e = schema.prediction_records, schema.feedback, schema.erasures
        digest = subject_hash(subject_id)
        now = datetime.now(UTC)
        with write(self.engine) as conn:
            ids = sa.select(r.c.request_id).where(r.c.subject_id == subject_id)
            feedback = conn.execute(f.delete().where(f.c.request_id.in_(ids))).rowcount
            records = conn.execute(r.delete().where(r.c.subject_id == subject_id)).rowcount
            # Quarantined records keep the subject only by this hash; they go too.
            q = schema.quarantined_records
            conn.execute(q.delete().where(q.c.subject_sha256 == digest))
            if conn.execute(
                sa.select(e.c.subject_sha256).where(e.c.subject_sha256 == digest)
            ).first():
                conn.execute(e.update().where(e.c.subject_sha256 == digest).values(erased_at=now))
            else:
                conn.execute(e.insert().values(subject_sha256=digest, erased_at=now))
            counts = {"records": int(records), "feedback": int(feedback)}
            audit.append(
                conn,
                actor=actor,
                action="subject.erase",
                target=f"subject sha256:{digest[:16]}",
                detail=counts,
            )
        return counts

    def erased_since(self, since: datetime) -> tuple[list[str], datetime]:
        """The hashes of the subjects erased after ``since``, and the latest erasure time
        seen (for the next call): what a server's caches must forget."""
        e = schema.erasures
        with self.engine.connect() as conn:
            rows = conn.execute(
                sa.select(e.c.subject_sha256, e.c.erased_at).where(e.c.erased_at > since)
            ).all()
        latest = max((_aware(at) for _, at in rows), default=since)
        return [digest for digest, _ in rows], latest


def _aware(at: datetime) -> datetime:
    return at if at.tzinfo else at.replace(tzinfo=UTC)  # SQLite gives naive UTC back


def _iso(at: Any) -> str:
    value: datetime = at if at.tzinfo else at.replace(tzinfo=UTC)
    return value.isoformat()
