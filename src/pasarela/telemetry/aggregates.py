"""Reading the aggregates: windows, shares, latency quantiles. Pure functions over what the
telemetry repository returns."""

from __future__ import annotations

import re
import time
from collections.abc import Sequence
from typing import Any

from pasarela.errors import InvalidRequest
from pasarela.storage.telemetry import TelemetryRepository, VersionStats
from pasarela.telemetry.metrics import LATENCY_BUCKETS

_WINDOW = re.compile(r"^(\d+)([smhd])$")
_UNIT_S = {"s": 1, "m": 60, "h": 3600, "d": 86400}
MAX_WINDOW_S = 90 * 86400


def parse_window(text: str) -> int:
    """``"15m"``, ``"1h"``, ``"24h"``, ``"7d"`` → seconds."""
    match = _WINDOW.match(text.strip())
    if not match:
        raise InvalidRequest(f"window {text!r} must look like 30s, 15m, 1h or 7d")
    seconds = int(match.group(1)) * _UNIT_S[match.group(2)]
    if not 0 < seconds <= MAX_WINDOW_S:
        raise InvalidRequest(f"window must be between 1 s and {MAX_WINDOW_S // 86400} days")
    return seconds


def histogram_quantile(q: float, counts: Sequence[int]) -> float | None:
    """The ``q`` quantile of a latency histogram (counts per LATENCY_BUCKETS bucket, +Inf
    last), interpolated linearly inside its bucket as Prometheus does; None when empty."""
    total = sum(counts)
    if total == 0:
        return None
    rank = q * total
    seen = 0
    for i, count in enumerate(counts):
        if count and seen + count >= rank:
            if i >= len(LATENCY_BUCKETS):
                return LATENCY_BUCKETS[-1]  # beyond the last bound: report the bound
            lower = LATENCY_BUCKETS[i - 1] if i else 0.0
            return lower + (LATENCY_BUCKETS[i] - lower) * (rank - seen) / count
        seen += count
    return LATENCY_BUCKETS[-1]


def _version_summary(v: VersionStats, total: int) -> dict[str, Any]:
    return {
        "model": v.model,
        "version": v.version,
        "requests": v.requests,
        "errors": v.errors,
        "error_rate": v.errors / v.requests if v.requests else None,
        "share": v.requests / total if total else None,
        "latency_s": {
            "mean": v.latency_sum_s / v.requests if v.requests else None,
            "p50": histogram_quantile(0.50, v.latency_buckets),
            "p95": histogram_quantile(0.95, v.latency_buckets),
            "p99": histogram_quantile(0.99, v.latency_buckets),
        },
    }


def endpoint_stats(
    repo: TelemetryRepository, endpoint: str, window_s: int, now: float | None = None
) -> dict[str, Any]:
    """Traffic, errors, latency and version shares of ``endpoint`` over the last ``window_s``,
    from the per-minute aggregates (a 24-hour window reads at most 1,440 rows per version)."""
    now = time.time() if now is None else now
    since = int(now // 60) - (window_s + 59) // 60 + 1
    versions = repo.version_stats(endpoint, since)
    total = sum(v.requests for v in versions)
    errors = sum(v.errors for v in versions)
    merged = [sum(col) for col in zip(*(v.latency_buckets for v in versions), strict=True)]
    return {
        "endpoint": endpoint,
        "window_s": window_s,
        "requests": total,
        "errors": errors,
        "error_rate": errors / total if total else None,
        "latency_s": {
            "p50": histogram_quantile(0.50, merged) if versions else None,
            "p95": histogram_quantile(0.95, merged) if versions else None,
            "p99": histogram_quantile(0.99, merged) if versions else None,
        },
        "versions": [_version_summary(v, total) for v in versions],
        "series": repo.series(endpoint, since),
    }
