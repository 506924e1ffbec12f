"""Request records and their aggregates in the SQL database (SQLite or PostgreSQL)."""

from __future__ import annotations

import hashlib
import math
from collections import defaultdict
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import orjson
import sqlalchemy as sa

from pasarela.errors import DataRejected
from pasarela.storage import schema
from pasarela.storage.db import upsert_insert
from pasarela.telemetry.metrics import LATENCY_BUCKETS
from pasarela.types import PLAIN_PAYLOADS, PayloadCodec

_KEY = ("endpoint", "model", "version", "bucket_s", "start")
BUCKETS_S = (60, 3600)


@dataclass(frozen=True, slots=True)
class Span:
    """Buckets of one size whose start lies in [start, stop)."""

    bucket_s: int
    start: int
    stop: int


def cover(since: int, until: int) -> list[Span]:
    """The fewest buckets that tile [since, until) exactly (both on minute boundaries): whole
    hours from the hourly rollup, the ragged ends from minutes. A day reads ~24 hourly rows and
    at most ~118 minute rows per version instead of 1,440."""
    first_hour = -(-since // 3600) * 3600
    last_hour = until // 3600 * 3600
    if last_hour - first_hour < 3600:
        return [Span(60, since, until)]
    spans = [Span(3600, first_hour, last_hour)]
    if since < first_hour:
        spans.append(Span(60, since, first_hour))
    if last_hour < until:
        spans.append(Span(60, last_hour, until))
    return spans


def in_spans(table: sa.Table, spans: Sequence[Span]) -> sa.ColumnElement[bool]:
    return sa.or_(
        *(
            sa.and_(
                table.c.bucket_s == s.bucket_s, table.c.start >= s.start, table.c.start < s.stop
            )
            for s in spans
        )
    )


def bucket_keys(endpoint: str, model: str, version: int, at: float) -> list[tuple[Any, ...]]:
    """The aggregate keys a moment falls in: its minute and its hour."""
    return [(endpoint, model, version, b, int(at // b) * b) for b in BUCKETS_S]


def bucket_index(latency_s: float) -> int:
    """Index of the first latency bucket whose upper bound holds ``latency_s``."""
    for i, bound in enumerate(LATENCY_BUCKETS):
        if latency_s <= bound:
            return i
    return len(LATENCY_BUCKETS)


@dataclass
class VersionStats:
    """What happened to one version of an endpoint over a window."""

    model: str
    version: int
    requests: int = 0
    errors: int = 0
    latency_sum_s: float = 0.0
    latency_buckets: list[int] = field(default_factory=lambda: [0] * (len(LATENCY_BUCKETS) + 1))


class TelemetryRepository:
    """Stores request records (idempotently, by request id) and keeps per-minute aggregates in
    the same transaction, counting only the records that were new."""

    def __init__(self, engine: sa.Engine, codec: PayloadCodec = PLAIN_PAYLOADS) -> None:
        self.engine = engine
        self.codec = codec
        """Opens payloads sealed at rest, for ``get_record``."""

    def store_records(self, records: Sequence[dict[str, Any]]) -> int:
        """Insert records not stored yet and fold them into the aggregates; returns how many
        were new. Safe to call again with the same records (a replay after a crash).

        ``DataRejected`` when the database refuses one of them (a value too long for its
        column, a NUL in text, a missing field): nothing of the batch is stored, and storing
        it again cannot help. An unreachable database raises SQLAlchemy's errors as they are:
        the same records stored later will do."""
        if not records:
            return 0
        with rejections():
            return self._store_records(records)

    def _store_records(self, records: Sequence[dict[str, Any]]) -> int:
        unique = list({r["request_id"]: r for r in records}.values())
        table = schema.prediction_records
        with self.engine.begin() as conn:
            if conn.dialect.name == "sqlite":
                conn.exec_driver_sql("BEGIN IMMEDIATE")  # the check and the insert as one
            stored = self._existing(conn, [r["request_id"] for r in unique])
            fresh = [r for r in unique if r["request_id"] not in stored]
            fresh = drop_erased(conn, fresh)
            if fresh:
                # Plain executemany, one statement text whatever the batch size: statement
                # caches stay small (a RETURNING variant is rendered per batch size).
                conn.execute(
                    upsert_insert(self.engine, table).on_conflict_do_nothing(
                        index_elements=["request_id"]
                    ),
                    [_record_row(r) for r in fresh],
                )
            self._aggregate(conn, fresh)
        return len(fresh)

    def _existing(self, conn: sa.Connection, request_ids: list[str]) -> set[str]:
        """Which of ``request_ids`` are stored, in one statement whatever their number."""
        ids = orjson.dumps(request_ids).decode()
        if conn.dialect.name == "postgresql":
            sql = (
                "SELECT request_id FROM prediction_records "
                "WHERE request_id = ANY(SELECT json_array_elements_text(CAST(:ids AS json)))"
            )
        else:
            sql = (
                "SELECT request_id FROM prediction_records "
                "WHERE request_id IN (SELECT value FROM json_each(:ids))"
            )
        return set(conn.execute(sa.text(sql), {"ids": ids}).scalars())

    def _aggregate(self, conn: sa.Connection, records: Sequence[dict[str, Any]]) -> None:
        totals: dict[tuple[Any, ...], list[float]] = defaultdict(lambda: [0, 0, 0.0])
        buckets: dict[tuple[Any, ...], int] = defaultdict(int)
        for r in records:
            if r.get("shadow_of"):  # shadow calls are compared, not counted as traffic
                continue
            index = bucket_index(r["latency_s"])
            for key in bucket_keys(r["endpoint"], r["model"], r["version"], r["at"]):
                total = totals[key]
                total[0] += 1
                total[1] += bool(r.get("server_error"))
                total[2] += r["latency_s"]
                buckets[(*key, index)] += 1
        if not totals:
            return
        stats = schema.request_stats
        insert = upsert_insert(self.engine, stats)
        conn.execute(
            insert.on_conflict_do_update(
                index_elements=list(_KEY),
                set_={
                    "requests": stats.c.requests + insert.excluded.requests,
                    "errors": stats.c.errors + insert.excluded.errors,
                    "latency_sum_s": stats.c.latency_sum_s + insert.excluded.latency_sum_s,
                },
            ),
            [
                dict(zip(_KEY, key, strict=True), requests=t[0], errors=t[1], latency_sum_s=t[2])
                for key, t in totals.items()
            ],
        )
        table = schema.latency_buckets
        insert = upsert_insert(self.engine, table)
        conn.execute(
            insert.on_conflict_do_update(
                index_elements=[*_KEY, "bucket"],
                set_={"requests": table.c.requests + insert.excluded.requests},
            ),
            [
                dict(zip((*_KEY, "bucket"), key, strict=True), requests=n)
                for key, n in buckets.items()
            ],
        )

    def version_stats(self, endpoint: str, spans: Sequence[Span]) -> list[VersionStats]:
        """Per version of ``endpoint``, over the buckets of ``spans``."""
        s, b = schema.request_stats, schema.latency_buckets
        found: dict[tuple[str, int], VersionStats] = {}
        with self.engine.connect() as conn:
            rows = conn.execute(
                sa.select(
                    s.c.model,
                    s.c.version,
                    sa.func.sum(s.c.requests),
                    sa.func.sum(s.c.errors),
                    sa.func.sum(s.c.latency_sum_s),
                )
                .where(s.c.endpoint == endpoint, in_spans(s, spans))
                .group_by(s.c.model, s.c.version)
            )
            for model, version, requests, errors, latency in rows:
                found[(model, version)] = VersionStats(
                    model, version, int(requests), int(errors), float(latency)
                )
            histogram = conn.execute(
                sa.select(b.c.model, b.c.version, b.c.bucket, sa.func.sum(b.c.requests))
                .where(b.c.endpoint == endpoint, in_spans(b, spans))
                .group_by(b.c.model, b.c.version, b.c.bucket)
            )
            for model, version, bucket, requests in histogram:
                if (model, version) in found:
                    found[(model, version)].latency_buckets[bucket] = int(requests)
        return sorted(found.values(), key=lambda v: (v.model, v.version))

    def series(self, endpoint: str, span: Span) -> list[dict[str, Any]]:
        """Requests and errors per bucket and version, oldest first (for charts); ``minute``
        is the bucket's start in minutes since the epoch."""
        s = schema.request_stats
        with self.engine.connect() as conn:
            rows = conn.execute(
                sa.select(s.c.start, s.c.model, s.c.version, s.c.requests, s.c.errors)
                .where(s.c.endpoint == endpoint, in_spans(s, [span]))
                .order_by(s.c.start)
            )
            return [
                {"minute": start // 60, "model": model, "version": v, "requests": n, "errors": e}
                for start, model, v, n, e in rows
            ]

    def latency_series(self, endpoint: str, span: Span) -> list[dict[str, Any]]:
        """Requests per latency bucket (``LATENCY_BUCKETS``, +Inf last) per time bucket of
        ``span``, every version together, oldest first (for the latency chart)."""
        b = schema.latency_buckets
        with self.engine.connect() as conn:
            rows = conn.execute(
                sa.select(b.c.start, b.c.bucket, sa.func.sum(b.c.requests))
                .where(b.c.endpoint == endpoint, in_spans(b, [span]))
                .group_by(b.c.start, b.c.bucket)
                .order_by(b.c.start, b.c.bucket)
            )
            return [{"start": start, "bucket": i, "requests": int(n)} for start, i, n in rows]

    def quarantine(
        self, record: dict[str, Any], reason: str, *, keep_payloads: bool = False
    ) -> tuple[int, bool]:
        """Keep aside a record the database refused (see ``schema.quarantined_records``):
        its row id, and whether it is new (a replayed record is not kept twice). Its inputs
        and outputs are kept only with ``keep_payloads`` (the caller knows they are sealed),
        and dropped if the database refuses them too."""
        try:
            with rejections():
                return self._quarantine(_quarantine_row(record, reason, keep_payloads))
        except DataRejected:
            if not keep_payloads:
                raise
            return self._quarantine(_quarantine_row(record, reason, False))

    def _quarantine(self, row: dict[str, Any]) -> tuple[int, bool]:
        q = schema.quarantined_records
        with self.engine.begin() as conn:
            if row["request_id"] is not None:
                found = conn.execute(
                    sa.select(q.c.id).where(q.c.request_id == row["request_id"]).limit(1)
                ).scalar_one_or_none()
                if found is not None:
                    return int(found), False
            key = conn.execute(q.insert().values(row)).inserted_primary_key
            assert key is not None  # an INSERT of one row always has one
            return int(key[0]), True

    def quarantined_since(self, since: datetime) -> int:
        """How many records were quarantined at or after ``since``."""
        q = schema.quarantined_records
        query = sa.select(sa.func.count()).where(q.c.quarantined_at >= since)
        with self.engine.connect() as conn:
            return int(conn.execute(query).scalar_one())

    def count_records(self, endpoint: str | None = None) -> int:
        r = schema.prediction_records
        query = sa.select(sa.func.count()).select_from(r)
        if endpoint is not None:
            query = query.where(r.c.endpoint == endpoint)
        with self.engine.connect() as conn:
            return int(conn.execute(query).scalar_one())

    def get_record(self, request_id: str) -> dict[str, Any] | None:
        r = schema.prediction_records
        with self.engine.connect() as conn:
            row = conn.execute(sa.select(r).where(r.c.request_id == request_id)).one_or_none()
        if row is None:
            return None
        found = dict(row._mapping)
        found["inputs"], found["outputs"] = (
            self.codec.open(row.inputs),
            self.codec.open(row.outputs),
        )
        return found


_COLUMNS = frozenset(c.name for c in schema.prediction_records.columns)


def _record_row(record: dict[str, Any]) -> dict[str, Any]:
    # Every column in every row: an executemany takes its columns from the first row, so a
    # record journaled by an older version (without the newer keys) must not drop them.
    row = {k: record.get(k) for k in _COLUMNS}
    row["at"] = datetime.fromtimestamp(record["at"], UTC)
    return row


@contextmanager
def rejections() -> Iterator[None]:
    """SQLAlchemy's and our own row building's data errors as ``DataRejected``; an
    unreachable or locked database (OperationalError, InterfaceError) passes as it is."""
    try:
        yield
    except (sa.exc.DataError, sa.exc.IntegrityError) as exc:
        raise DataRejected(f"the database refused a record ({type(exc.orig).__name__})") from exc
    except sa.exc.DBAPIError:
        raise
    except sa.exc.StatementError as exc:  # a value refused before it reached the database
        raise DataRejected(f"a record could not be sent ({type(exc.orig).__name__})") from exc
    except (KeyError, TypeError, ValueError, OverflowError) as exc:  # a malformed record
        raise DataRejected(f"a record is malformed ({type(exc).__name__})") from exc


_LIMITS = {
    c.name: c.type.length
    for c in schema.prediction_records.columns
    if isinstance(c.type, sa.String) and c.type.length
}
_REQUIRED = [c.name for c in schema.prediction_records.columns if not c.nullable and c.name != "at"]


def violations(record: dict[str, Any]) -> list[str]:
    """What in ``record`` its columns cannot take, naming fields and sizes, never values."""
    found = [f"{name} is missing" for name in [*_REQUIRED, "at"] if record.get(name) is None]
    for name, value in record.items():
        if not isinstance(value, str):
            continue
        limit = _LIMITS.get(name)
        if limit is not None and len(value) > limit:
            found.append(f"{name} has {len(value)} characters, over its limit of {limit}")
        if "\x00" in value:
            found.append(f"{name} holds a NUL character")
    return found


def _quarantine_row(record: dict[str, Any], reason: str, keep_payloads: bool) -> dict[str, Any]:
    """What is safe and sure to keep of ``record``: payloads only when told (sealed), no unit
    id, the subject by its hash; every text clipped to its column and rid of NULs."""
    q = schema.quarantined_records

    def text(name: str) -> str | None:
        value = record.get(name)
        if not isinstance(value, str):
            return None
        length = q.c[name].type.length  # type: ignore[attr-defined]
        return value.replace("\x00", "")[:length] or None

    at, version, subject = record.get("at"), record.get("version"), record.get("subject_id")
    return {
        "quarantined_at": datetime.now(UTC),
        "at": datetime.fromtimestamp(at, UTC)
        if isinstance(at, int | float) and math.isfinite(at) and 0 <= at < 1e11
        else None,
        "request_id": text("request_id"),
        "endpoint": text("endpoint"),
        "model": text("model"),
        "version": version if isinstance(version, int) and 0 <= version < 2**31 else None,
        "caller": text("caller"),
        "subject_sha256": subject_hash(subject) if isinstance(subject, str) else None,
        "reason": reason[: q.c.reason.type.length],  # type: ignore[attr-defined]
        "inputs": record.get("inputs") if keep_payloads else None,
        "outputs": record.get("outputs") if keep_payloads else None,
    }


def subject_hash(subject_id: str) -> str:
    return hashlib.sha256(subject_id.encode()).hexdigest()


def drop_erased(conn: sa.Connection, records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """``records`` without those of data subjects erased after the record was made (records
    still in a journal when their subject was erased)."""
    subjects = {r["subject_id"] for r in records if r.get("subject_id")}
    if not subjects:
        return records
    e = schema.erasures
    hashes = {subject_hash(s): s for s in subjects}
    rows = conn.execute(
        sa.select(e.c.subject_sha256, e.c.erased_at).where(e.c.subject_sha256.in_(list(hashes)))
    )
    erased = {hashes[h]: _epoch(at) for h, at in rows}
    if not erased:
        return records
    return [
        r
        for r in records
        if not (r.get("subject_id") in erased and r["at"] <= erased[r["subject_id"]])
    ]


def _epoch(at: Any) -> float:
    # SQLite gives naive datetimes back; they were written in UTC.
    return float(at.replace(tzinfo=at.tzinfo or UTC).timestamp())
