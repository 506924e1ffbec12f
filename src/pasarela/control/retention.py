"""Retention: records (and the feedback on them) older than their endpoint's ``retention_days``
are deleted by the leader, in batches, at most every ``every_s``; each pass is audited with
its counts. The per-minute aggregates stay (they hold counts, no personal data), so the
dashboard's long windows keep their history.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import UTC, datetime

import sqlalchemy as sa

from pasarela.registry.service import Registry
from pasarela.storage import audit, schema
from pasarela.storage.db import write

log = logging.getLogger(__name__)

ACTOR = "retention"
BATCH = 5000


class RetentionJob:
    """Deletes what is past retention; one per deployment (the leader)."""

    def __init__(
        self,
        registry: Registry,
        default_days: float | None,
        every_s: float = 3600.0,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.registry = registry
        self.default_days = default_days
        self.every_s = every_s
        self.clock = clock
        self._last = float("-inf")

    def tick(self) -> dict[str, int]:
        """One pass if one is due: records deleted per endpoint. Blocking."""
        now = self.clock()
        if now - self._last < self.every_s:
            return {}
        self._last = now
        deleted = {}
        for spec in self.registry.endpoints.all():
            days = spec.retention_days if spec.retention_days is not None else self.default_days
            if days is None:
                continue
            count = self.purge(spec.name, now - days * 86400)
            if count:
                deleted[spec.name] = count
        return deleted

    def purge(self, endpoint: str, before: float) -> int:
        """Delete ``endpoint``'s records made before ``before``, their feedback, and its
        quarantined records set aside before then."""
        r, f = schema.prediction_records, schema.feedback
        cutoff = datetime.fromtimestamp(before, UTC)
        records = feedback = 0
        engine = self.registry.engine
        while True:
            with write(engine) as conn:
                ids = list(
                    conn.execute(
                        sa.select(r.c.request_id)
                        .where(r.c.endpoint == endpoint, r.c.at < cutoff)
                        .limit(BATCH)
                    ).scalars()
                )
                if not ids:
                    break
                feedback += conn.execute(f.delete().where(f.c.request_id.in_(ids))).rowcount
                records += conn.execute(r.delete().where(r.c.request_id.in_(ids))).rowcount
        # Records the database refused, kept aside (telemetry/writer.py): they age out alike.
        q = schema.quarantined_records
        with write(engine) as conn:
            conn.execute(q.delete().where(q.c.endpoint == endpoint, q.c.quarantined_at < cutoff))
        if records:
            with write(engine) as conn:
                audit.append(
                    conn,
                    actor=ACTOR,
                    action="retention.delete",
                    target=endpoint,
                    detail={"records": records, "feedback": feedback, "before": cutoff.isoformat()},
                )
            log.info(
                "retention: %s: %d records and %d feedback deleted", endpoint, records, feedback
            )
        return records
