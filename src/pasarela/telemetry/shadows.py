"""The shadow report: how each shadow version compares with the versions it shadowed, on the
same requests. Pure: rows in (``storage.windows.shadow_rows``), a summary out."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Any

import numpy as np


def shadow_report(endpoint: str, window_s: int, rows: Sequence[Any]) -> dict[str, Any]:
    """Per shadow version: calls, error rates (shadow and primary), agreement rate for labels,
    absolute-error distribution for numbers, latency and compute-cost deltas."""
    by_version: dict[str, list[Any]] = defaultdict(list)
    for row in rows:
        by_version[f"{row.model}@{row.version}"].append(row)
    return {
        "endpoint": endpoint,
        "window_s": window_s,
        "shadows": [_summary(version, found) for version, found in sorted(by_version.items())],
    }


def _summary(version: str, rows: list[Any]) -> dict[str, Any]:
    paired = [r for r in rows if r.p_latency_s is not None]
    agreement = [r.agreement for r in rows if r.agreement is not None]
    abs_error = [r.abs_error for r in rows if r.abs_error is not None]
    shadow_ms = [r.latency_s * 1000 for r in paired]
    primary_ms = [r.p_latency_s * 1000 for r in paired]
    shadow_cost = [_per_request(r.model_s, r.batch_size) for r in paired]
    primary_cost = [_per_request(r.p_model_s, r.p_batch_size) for r in paired]
    out: dict[str, Any] = {
        "version": version,
        "shadowing": sorted({f"{r.p_model}@{r.p_version}" for r in paired}),
        "calls": len(rows),
        "paired": len(paired),
        "error_rate": _mean([float(bool(r.server_error)) for r in rows]),
        "primary_error_rate": _mean([float(bool(r.p_server_error)) for r in paired]),
        "agreement_rate": _mean(agreement),
        "compared": len(agreement) + len(abs_error),
        "abs_error": _distribution(abs_error),
        "latency_ms": {"shadow": _distribution(shadow_ms), "primary": _distribution(primary_ms)},
        "compute_ms_per_request": {
            "shadow": _mean(shadow_cost),
            "primary": _mean(primary_cost),
        },
    }
    out["error_rate_delta"] = _delta(out["error_rate"], out["primary_error_rate"])
    out["latency_p50_delta_ms"] = _delta(
        out["latency_ms"]["shadow"]["p50"], out["latency_ms"]["primary"]["p50"]
    )
    cost = out["compute_ms_per_request"]
    out["compute_delta_pct"] = (
        None
        if cost["shadow"] is None or not cost["primary"]
        else 100.0 * (cost["shadow"] / cost["primary"] - 1.0)
    )
    return out


def _per_request(model_s: float | None, batch_size: int | None) -> float:
    """A request's share of its batch's model time, in milliseconds."""
    return 1000.0 * (model_s or 0.0) / max(batch_size or 1, 1)


def _mean(values: Sequence[float]) -> float | None:
    return float(np.mean(values)) if values else None


def _delta(a: float | None, b: float | None) -> float | None:
    return None if a is None or b is None else a - b


def _distribution(values: Sequence[float]) -> dict[str, float | None]:
    if not values:
        return {"mean": None, "p50": None, "p95": None, "max": None}
    array = np.asarray(values, dtype=float)
    return {
        "mean": float(array.mean()),
        "p50": float(np.percentile(array, 50)),
        "p95": float(np.percentile(array, 95)),
        "max": float(array.max()),
    }
