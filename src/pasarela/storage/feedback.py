"""Feedback in the SQL database, and its folding into per-version aggregates.

Feedback and records may arrive in either order. Feedback is stored as it comes; the record
writer then folds every stored feedback whose record exists into the aggregates of that
record's endpoint, version and minute, claiming each row once (so several writers never count
the same feedback twice).
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any, TypeGuard

import sqlalchemy as sa

from pasarela.storage import schema
from pasarela.storage.column_ranges import text_max
from pasarela.storage.db import upsert_insert
from pasarela.storage.telemetry import Span, bucket_keys, in_spans, rejections
from pasarela.types import PLAIN_PAYLOADS, PayloadCodec

FEEDBACK_KINDS = ("label", "reward", "rating", "task_completed", "cost")

# What the door lets in, from the columns feedback is stored and folded into.
MAX_REQUEST_ID = text_max(schema.feedback.c.request_id)
MAX_LABEL = text_max(schema.label_confusion.c.actual)
"""A class label is folded into the confusion counts, whose ``actual`` column holds this many."""
MAX_NUMBER = 1e12
"""The largest magnitude of a reward, a cost or a numeric label: squares of such values summed
over billions of rows stay finite in the aggregates' FLOAT columns (1.7e308 would make the sums
infinite and every mean after it null)."""
_KEY = ("endpoint", "model", "version", "bucket_s", "start")


class FeedbackRepository:
    def __init__(self, engine: sa.Engine, codec: PayloadCodec = PLAIN_PAYLOADS) -> None:
        self.engine = engine
        self.codec = codec
        """Opens the record's outputs when they are sealed at rest (label feedback needs the
        predicted label)."""

    def store(self, items: Sequence[dict[str, Any]]) -> int:
        """Store feedback items (``request_id``, ``kind``, ``value`` or ``label``,
        ``attributes``, ``at``); an item whose (request_id, kind) exists is ignored. Returns how
        many were new."""
        if not items:
            return 0
        with rejections():  # a refused row is DataRejected; an outage passes as it is
            return self._store(items)

    def _store(self, items: Sequence[dict[str, Any]]) -> int:
        rows = [
            {
                "request_id": i["request_id"],
                "kind": i["kind"],
                "value": i.get("value"),
                "label": i.get("label"),
                "attributes": i.get("attributes"),
                "at": datetime.fromtimestamp(i["at"], UTC),
                "aggregated": False,
            }
            for i in items
        ]
        table = schema.feedback
        stmt = (
            upsert_insert(self.engine, table)
            .on_conflict_do_nothing(index_elements=["request_id", "kind"])
            .returning(table.c.request_id)
        )
        with self.engine.begin() as conn:
            if conn.dialect.name == "sqlite":
                conn.exec_driver_sql("BEGIN IMMEDIATE")
            return len(list(conn.execute(stmt, rows).scalars()))

    def endpoints_of(self, request_ids: Sequence[str]) -> dict[str, str]:
        """The endpoint of each stored record among ``request_ids`` (absent: not stored)."""
        if not request_ids:
            return {}
        r = schema.prediction_records
        with self.engine.connect() as conn:
            rows = conn.execute(
                sa.select(r.c.request_id, r.c.endpoint).where(r.c.request_id.in_(request_ids))
            )
            return {request_id: endpoint for request_id, endpoint in rows}

    def aggregate_pending(self, limit: int = 1000) -> int:
        """Fold stored feedback whose record exists into the aggregates; how many were folded."""
        f, r = schema.feedback, schema.prediction_records
        query = (
            sa.select(
                f.c.request_id,
                f.c.kind,
                f.c.value,
                f.c.label,
                r.c.endpoint,
                r.c.model,
                r.c.version,
                r.c.at,
                r.c.outputs,
            )
            .join(r, r.c.request_id == f.c.request_id)
            .where(f.c.aggregated.is_(False))
            .limit(limit)
        )
        with self.engine.begin() as conn:
            if conn.dialect.name == "sqlite":
                conn.exec_driver_sql("BEGIN IMMEDIATE")  # claims are serialised by the lock
            else:
                query = query.with_for_update(of=f, skip_locked=True)
            pending = conn.execute(query).all()
            if not pending:
                return 0
            conn.execute(
                f.update()
                .where(
                    f.c.request_id == sa.bindparam("rid"),
                    f.c.kind == sa.bindparam("k"),
                )
                .values(aggregated=True),
                [{"rid": p.request_id, "k": p.kind} for p in pending],
            )
            self._fold(conn, pending)
        return len(pending)

    def _fold(self, conn: sa.Connection, pending: Sequence[Any]) -> None:
        sums: dict[tuple[Any, ...], list[float]] = defaultdict(lambda: [0, 0.0, 0.0])
        confusion: dict[tuple[Any, ...], int] = defaultdict(int)
        for p in pending:
            at = p.at if p.at.tzinfo else p.at.replace(tzinfo=UTC)
            found = observations(p.kind, p.value, p.label, self.codec.open(p.outputs))
            for key in bucket_keys(p.endpoint, p.model, p.version, at.timestamp()):
                for kind, value in found:
                    if kind == "confusion":
                        actual, predicted = value
                        confusion[(*key, actual, predicted)] += 1
                        continue
                    total = sums[(*key, kind)]
                    total[0] += 1
                    total[1] += value
                    total[2] += value * value
        if sums:
            table = schema.feedback_stats
            insert = upsert_insert(self.engine, table)
            conn.execute(
                insert.on_conflict_do_update(
                    index_elements=[*_KEY, "kind"],
                    set_={
                        "count": table.c.count + insert.excluded.count,
                        "sum": table.c.sum + insert.excluded.sum,
                        "sum_sq": table.c.sum_sq + insert.excluded.sum_sq,
                    },
                ),
                [
                    dict(zip((*_KEY, "kind"), key, strict=True), count=t[0], sum=t[1], sum_sq=t[2])
                    for key, t in sums.items()
                ],
            )
        if confusion:
            table = schema.label_confusion
            insert = upsert_insert(self.engine, table)
            conn.execute(
                insert.on_conflict_do_update(
                    index_elements=[*_KEY, "actual", "predicted"],
                    set_={"count": table.c.count + insert.excluded.count},
                ),
                [
                    dict(zip((*_KEY, "actual", "predicted"), key, strict=True), count=n)
                    for key, n in confusion.items()
                ],
            )

    def version_feedback(self, endpoint: str, spans: Sequence[Span]) -> dict[tuple[str, int], Any]:
        """Per (model, version): feedback sums by kind, and the confusion counts."""
        s, c = schema.feedback_stats, schema.label_confusion
        out: dict[tuple[str, int], Any] = defaultdict(lambda: {"kinds": {}, "confusion": {}})
        with self.engine.connect() as conn:
            rows = conn.execute(
                sa.select(
                    s.c.model,
                    s.c.version,
                    s.c.kind,
                    sa.func.sum(s.c.count),
                    sa.func.sum(s.c.sum),
                    sa.func.sum(s.c.sum_sq),
                )
                .where(s.c.endpoint == endpoint, in_spans(s, spans))
                .group_by(s.c.model, s.c.version, s.c.kind)
            )
            for model, version, kind, count, total, total_sq in rows:
                out[(model, version)]["kinds"][kind] = (int(count), float(total), float(total_sq))
            pairs = conn.execute(
                sa.select(c.c.model, c.c.version, c.c.actual, c.c.predicted, sa.func.sum(c.c.count))
                .where(c.c.endpoint == endpoint, in_spans(c, spans))
                .group_by(c.c.model, c.c.version, c.c.actual, c.c.predicted)
            )
            for model, version, actual, predicted, count in pairs:
                out[(model, version)]["confusion"][(actual, predicted)] = int(count)
        return dict(out)


def observations(kind: str, value: float | None, label: Any, outputs: Any) -> list[tuple[str, Any]]:
    """What one feedback adds to the aggregates: (kind, number) pairs, and for classifier
    labels ("confusion", (actual, predicted))."""
    if kind != "label":
        return [(kind, float(value))] if value is not None else []
    found: list[tuple[str, Any]] = [("label", 1.0)]
    predicted = outputs[0] if isinstance(outputs, list) and outputs else None
    if isinstance(predicted, dict) and "label" in predicted:
        correct = str(predicted["label"]) == str(label)
        found += [
            ("label_correct", float(correct)),
            ("confusion", (_class(label), _class(predicted["label"]))),
        ]
    elif _is_number(predicted) and _is_number(label):
        error = float(predicted) - float(label)
        found += [("label_abs_error", abs(error)), ("label_sq_error", error * error)]
    return found


def _class(value: Any) -> str:
    """A class as the confusion counts' columns hold it. The client's labels are bounded at the
    door; a model's are cut here, so that one long (or NUL-bearing) predicted label cannot fail
    every fold of the batch it is in."""
    return str(value).replace("\x00", "")[:MAX_LABEL]


def _is_number(value: Any) -> TypeGuard[float]:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)
