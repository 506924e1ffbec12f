"""A version's window: what it did between two instants, read from its request records (not
the minute aggregates, so a canary step of 30 s is judged on exactly its 30 s)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa

from pasarela.storage import schema
from pasarela.storage.feedback import observations
from pasarela.types import PLAIN_PAYLOADS, PayloadCodec


@dataclass(slots=True)
class WindowData:
    """What one version of an endpoint did between two instants, from its request records."""

    requests: int = 0
    errors: int = 0
    latencies_s: list[float] = field(default_factory=list)
    feedback: dict[str, tuple[int, float, float]] = field(default_factory=dict)
    """By kind: count, sum and sum of squares of the feedback on those requests."""


def version_window(
    engine: sa.Engine,
    endpoint: str,
    model: str,
    version: int,
    since: float,
    until: float,
    max_latencies: int = 20_000,
    codec: PayloadCodec = PLAIN_PAYLOADS,
) -> WindowData:
    """Requests, server errors, latencies (the latest ``max_latencies``) and feedback of one
    version in ``[since, until)``, shadow calls excluded: a canary step's window."""
    r, f = schema.prediction_records, schema.feedback
    where = (
        r.c.endpoint == endpoint,
        r.c.model == model,
        r.c.version == version,
        r.c.at >= datetime.fromtimestamp(since, UTC),
        r.c.at < datetime.fromtimestamp(until, UTC),
        r.c.shadow_of.is_(None),
    )
    data = WindowData()
    sums: dict[str, list[float]] = defaultdict(lambda: [0, 0.0, 0.0])
    with engine.connect() as conn:
        requests, errors = conn.execute(
            sa.select(
                sa.func.count(),
                sa.func.coalesce(sa.func.sum(sa.cast(r.c.server_error, sa.Integer)), 0),
            ).where(*where)
        ).one()
        data.requests, data.errors = int(requests), int(errors)
        data.latencies_s = list(
            conn.execute(
                sa.select(r.c.latency_s).where(*where).order_by(r.c.at.desc()).limit(max_latencies)
            ).scalars()
        )
        rows = conn.execute(
            sa.select(f.c.kind, f.c.value, f.c.label, r.c.outputs)
            .join(r, r.c.request_id == f.c.request_id)
            .where(*where)
        )
        for kind, value, label, outputs in rows:
            for name, number in observations(kind, value, label, codec.open(outputs)):
                if name != "confusion":
                    total = sums[name]
                    total[0] += 1
                    total[1] += number
                    total[2] += number * number
    data.feedback = {k: (int(t[0]), t[1], t[2]) for k, t in sums.items()}
    return data


def shadow_rows(engine: sa.Engine, endpoint: str, since: float, limit: int = 50_000) -> list[Any]:
    """The latest shadow records of ``endpoint`` since ``since``, each beside its primary's
    version, status and timings (``p_…``; None when the primary's record is not stored yet)."""
    s = schema.prediction_records.alias("s")
    p = schema.prediction_records.alias("p")
    query = (
        sa.select(
            s.c.model,
            s.c.version,
            s.c.status,
            s.c.server_error,
            s.c.latency_s,
            s.c.model_s,
            s.c.batch_size,
            s.c.agreement,
            s.c.abs_error,
            p.c.model.label("p_model"),
            p.c.version.label("p_version"),
            p.c.server_error.label("p_server_error"),
            p.c.latency_s.label("p_latency_s"),
            p.c.model_s.label("p_model_s"),
            p.c.batch_size.label("p_batch_size"),
        )
        .select_from(s.outerjoin(p, p.c.request_id == s.c.shadow_of))
        .where(
            s.c.endpoint == endpoint,
            s.c.shadow_of.is_not(None),
            s.c.at >= datetime.fromtimestamp(since, UTC),
        )
        .order_by(s.c.at.desc())
        .limit(limit)
    )
    with engine.connect() as conn:
        return list(conn.execute(query))


Moments = tuple[int, float, float, float, float, float]
"""Per-unit moments of a ratio metric: units, Σx, Σy, Σx², Σy², Σxy (x the unit's numerator,
y its denominator)."""

LATENCY_MS = "latency_ms"
"""The metric taken from the records themselves, not from feedback."""


@dataclass(slots=True)
class ReasonData:
    """What the requests routed for one reason (an experiment's variant) did in a window."""

    requests: int = 0
    units: int = 0
    """Distinct units: the unit id, or the request itself when it had none."""
    errors: int = 0
    metrics: dict[tuple[str, str | None], Moments] = field(default_factory=dict)
    """By (numerator kind, denominator kind): the per-unit moments. With no denominator kind,
    the denominator is the number of the unit's observations, so the ratio is the mean per
    observation."""


def reason_windows(
    engine: sa.Engine,
    endpoint: str,
    since: float,
    until: float,
    ratios: Sequence[tuple[str, str | None]] = (),
    codec: PayloadCodec = PLAIN_PAYLOADS,
) -> dict[str, ReasonData]:
    """Per decision reason of ``endpoint``'s records in ``[since, until)`` (shadow calls
    excluded): an experiment's variants side by side, each metric of ``ratios`` summed per unit.

    A unit (a user) is what was randomised, so it is what the statistics count: its requests
    are not independent of each other. Each unit contributes its sums, and the analysis takes
    the ratio of the sums with the delta method's variance (``stats.experiments.RatioSummary``).
    ``latency_ms`` is read from the records; every other kind from feedback."""
    r, f = schema.prediction_records, schema.feedback
    where = (
        r.c.endpoint == endpoint,
        r.c.at >= datetime.fromtimestamp(since, UTC),
        r.c.at < datetime.fromtimestamp(until, UTC),
        r.c.shadow_of.is_(None),
    )
    found: dict[str, ReasonData] = defaultdict(ReasonData)
    # reason -> unit -> kind -> [observations, sum]
    sums: dict[str, dict[str, dict[str, list[float]]]] = defaultdict(
        lambda: defaultdict(lambda: defaultdict(lambda: [0, 0.0]))
    )
    unit = sa.func.coalesce(r.c.unit_id, r.c.request_id)
    with engine.connect() as conn:
        rows = conn.execute(
            sa.select(
                r.c.reason,
                unit,
                sa.func.count(),
                sa.func.coalesce(sa.func.sum(sa.cast(r.c.server_error, sa.Integer)), 0),
                sa.func.sum(r.c.latency_s * 1000.0),
            )
            .where(*where)
            .group_by(r.c.reason, unit)
        )
        for reason, unit_id, requests, errors, latency_ms in rows:
            data = found[reason]
            data.requests += int(requests)
            data.units += 1
            data.errors += int(errors)
            sums[reason][unit_id][LATENCY_MS] = [int(requests), float(latency_ms or 0.0)]
        feedback_rows = conn.execute(
            sa.select(r.c.reason, unit, f.c.kind, f.c.value, f.c.label, r.c.outputs)
            .join(r, r.c.request_id == f.c.request_id)
            .where(*where)
        )
        for reason, unit_id, kind, value, label, outputs in feedback_rows:
            for name, number in observations(kind, value, label, codec.open(outputs)):
                if name != "confusion":
                    total = sums[reason][unit_id][name]
                    total[0] += 1
                    total[1] += number
    for reason, units in sums.items():
        for ratio in ratios:
            found[reason].metrics[ratio] = _moments(units, *ratio)
    return dict(found)


def _moments(
    units: dict[str, dict[str, list[float]]], numerator: str, denominator: str | None
) -> Moments:
    n, sx, sy, sxx, syy, sxy = 0, 0.0, 0.0, 0.0, 0.0, 0.0
    for kinds in units.values():
        top = kinds.get(numerator)
        if denominator is None:
            if top is None:
                continue  # the unit did not observe this metric
            x, y = top[1], float(top[0])
        else:
            bottom = kinds.get(denominator)
            if top is None and bottom is None:
                continue
            x = top[1] if top else 0.0
            y = bottom[1] if bottom else 0.0
        n += 1
        sx, sy = sx + x, sy + y
        sxx, syy, sxy = sxx + x * x, syy + y * y, sxy + x * y
    return n, sx, sy, sxx, syy, sxy
