"""Reading the aggregates: windows, shares, latency quantiles. Pure functions over what the
telemetry repository returns."""

from __future__ import annotations

import math
import re
import time
from collections.abc import Sequence
from typing import Any

from pasarela.errors import InvalidRequest
from pasarela.storage.feedback import FeedbackRepository
from pasarela.storage.telemetry import Span, TelemetryRepository, VersionStats, cover
from pasarela.telemetry.metrics import LATENCY_BUCKETS

# ASCII digits, a few of them: \d takes any script's digits, and int() refuses 5,000 of them.
_WINDOW = re.compile(r"^([0-9]{1,9})([smhd])$")
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


def classification_metrics(confusion: dict[tuple[str, str], int]) -> dict[str, Any] | None:
    """Accuracy and macro precision, recall and F1 from (actual, predicted) counts."""
    total = sum(confusion.values())
    if not total:
        return None
    classes = sorted({a for a, _ in confusion} | {p for _, p in confusion})
    per_class = {}
    for c in classes:
        tp = confusion.get((c, c), 0)
        predicted = sum(n for (_, p), n in confusion.items() if p == c)
        actual = sum(n for (a, _), n in confusion.items() if a == c)
        precision = tp / predicted if predicted else 0.0
        recall = tp / actual if actual else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        per_class[c] = {"precision": precision, "recall": recall, "f1": f1, "support": actual}
    return {
        "labels": total,
        "accuracy": sum(n for (a, p), n in confusion.items() if a == p) / total,
        "precision": sum(m["precision"] for m in per_class.values()) / len(classes),
        "recall": sum(m["recall"] for m in per_class.values()) / len(classes),
        "f1": sum(m["f1"] for m in per_class.values()) / len(classes),
        "per_class": per_class,
    }


def _feedback_summary(found: dict[str, Any] | None) -> tuple[dict[str, Any], dict[str, Any]]:
    """(feedback by kind, label-based performance) of one version."""
    kinds = (found or {}).get("kinds", {})
    feedback = {}
    for kind in ("reward", "rating", "task_completed", "cost", "label"):
        if kind in kinds:
            count, total, total_sq = kinds[kind]
            mean = total / count
            feedback[kind] = {
                "count": count,
                "mean": mean,
                "std": math.sqrt(max(total_sq / count - mean * mean, 0.0)),
            }
    performance: dict[str, Any] = {}
    classification = classification_metrics((found or {}).get("confusion", {}))
    if classification is not None:
        performance["classification"] = classification
    if "label_abs_error" in kinds:
        count, abs_sum, _ = kinds["label_abs_error"]
        _, sq_sum, _ = kinds["label_sq_error"]
        performance["regression"] = {
            "labels": count,
            "mae": abs_sum / count,
            "rmse": math.sqrt(sq_sum / count),
        }
    return feedback, performance


def _version_summary(v: VersionStats, total: int, found: dict[str, Any] | None) -> dict[str, Any]:
    feedback, performance = _feedback_summary(found)
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
        "feedback": feedback,
        "performance": performance,
    }


def chart_span(window_s: int, now: float) -> Span:
    """The time buckets the charts of a ``window_s`` window show at ``now``: minutes up to
    three hours, hours beyond, up to the end of the current minute."""
    until = (int(now // 60) + 1) * 60
    since = until - (window_s + 59) // 60 * 60
    bucket = 60 if window_s <= 3 * 3600 else 3600
    return Span(bucket, since // bucket * bucket, until)


def endpoint_stats(
    repo: TelemetryRepository,
    endpoint: str,
    window_s: int,
    now: float | None = None,
    feedback: FeedbackRepository | None = None,
) -> dict[str, Any]:
    """Traffic, errors, latency, version shares, feedback and label-based performance of
    ``endpoint`` over the last ``window_s``, from the per-minute aggregates (a 24-hour window
    reads about 24 hourly and at most ~118 minute rows per version and kind)."""
    now = time.time() if now is None else now
    until = (int(now // 60) + 1) * 60  # the end of the current minute
    since = until - (window_s + 59) // 60 * 60
    spans = cover(since, until)
    versions = repo.version_stats(endpoint, spans)
    found = feedback.version_feedback(endpoint, spans) if feedback is not None else {}
    series_span = chart_span(window_s, now)
    series_bucket = series_span.bucket_s
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
        "versions": [_version_summary(v, total, found.get((v.model, v.version))) for v in versions],
        "series_bucket_s": series_bucket,
        "series": repo.series(endpoint, series_span),
    }
