"""What the dashboard shows, as plain data: ``endpoint_stats`` results turned into formatted
numbers, version shares, table rows and chart series. The HTML pages render these views and the
refresh script receives the same views as JSON, so numbers are formatted in one place only."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from pasarela.errors import InvalidRequest
from pasarela.telemetry.aggregates import histogram_quantile
from pasarela.telemetry.metrics import LATENCY_BUCKETS


@dataclass(frozen=True)
class Window:
    seconds: int
    label: str


WINDOWS: Mapping[str, Window] = {
    "1h": Window(3600, "last hour"),
    "24h": Window(86400, "last 24 hours"),
}
"""The windows the dashboard offers, by the name used in ``?window=``."""

DEFAULT_WINDOW = "1h"
PALETTE = ("#2563eb", "#059669", "#d97706", "#7c3aed", "#0891b2", "#db2777", "#65a30d")
ERROR_COLOR = "#dc2626"
VERSION_COLUMNS = (
    "Version",
    "Requests",
    "Share",
    "Errors",
    "Error rate",
    "p50",
    "p95",
    "p99",
    "Task completed",
    "Rating",
    "Performance",
)
DASH = "—"


def window_named(name: str) -> Window:
    """The dashboard window called ``name``; InvalidRequest for any other."""
    try:
        return WINDOWS[name]
    except KeyError:
        choices = ", ".join(WINDOWS)
        raise InvalidRequest(f"window {name!r} is not offered here; choose {choices}") from None


# -- formatting ------------------------------------------------------------------------------
def count(n: int | None) -> str:
    return DASH if n is None else f"{n:,}"


def percent(x: float | None) -> str:
    return DASH if x is None else f"{x * 100:.1f}%"


def seconds(s: float | None) -> str:
    """A latency, in ms below one second."""
    if s is None:
        return DASH
    if s >= 1:
        return f"{s:.2f} s"
    ms = s * 1000
    return f"{ms:.2f} ms" if ms < 10 else f"{ms:.1f} ms" if ms < 100 else f"{ms:.0f} ms"


def number(x: float | None, digits: int = 2) -> str:
    return DASH if x is None else f"{x:.{digits}f}"


# -- feedback across versions ----------------------------------------------------------------
def pooled_feedback(versions: Sequence[Mapping[str, Any]], kind: str) -> tuple[int, float | None]:
    """(reports, mean) of one feedback kind over every version, weighted by reports."""
    found = [v["feedback"][kind] for v in versions if kind in v["feedback"]]
    n = sum(f["count"] for f in found)
    return n, (sum(f["count"] * f["mean"] for f in found) / n if n else None)


def pooled_accuracy(versions: Sequence[Mapping[str, Any]]) -> tuple[int, float | None]:
    """(labels, accuracy) over every version with classification labels."""
    found = [
        v["performance"]["classification"] for v in versions if "classification" in v["performance"]
    ]
    n = sum(f["labels"] for f in found)
    return n, (sum(f["labels"] * f["accuracy"] for f in found) / n if n else None)


def _with_count(text: str, n: int) -> str:
    return f"{text} (n={n:,})"


def _performance(performance: Mapping[str, Any]) -> str:
    if "classification" in performance:
        c = performance["classification"]
        return f"accuracy {percent(c['accuracy'])}, F1 {number(c['f1'], 3)} (n={c['labels']:,})"
    if "regression" in performance:
        r = performance["regression"]
        return f"MAE {number(r['mae'], 3)}, RMSE {number(r['rmse'], 3)} (n={r['labels']:,})"
    return DASH


# -- views -----------------------------------------------------------------------------------
def _label(version: Mapping[str, Any]) -> str:
    return f"{version['model']}@{version['version']}"


def _fields(stats: Mapping[str, Any], window: Window) -> dict[str, str]:
    versions = stats["versions"]
    tasks, task_rate = pooled_feedback(versions, "task_completed")
    ratings, rating = pooled_feedback(versions, "rating")
    labels, accuracy = pooled_accuracy(versions)
    per = "minute" if stats["series_bucket_s"] <= 60 else "hour"
    return {
        "requests": count(stats["requests"]),
        "errors": count(stats["errors"]),
        "errors_n": f"{count(stats['errors'])} errors",
        "error_rate": percent(stats["error_rate"]),
        "p50": seconds(stats["latency_s"]["p50"]),
        "p95": seconds(stats["latency_s"]["p95"]),
        "p99": seconds(stats["latency_s"]["p99"]),
        "task_completed": percent(task_rate),
        "task_completed_n": f"{tasks:,} reports",
        "rating": number(rating),
        "rating_n": f"{ratings:,} ratings",
        "accuracy": percent(accuracy),
        "accuracy_n": f"{labels:,} labels",
        "window": window.label,
        "chart_title": f"Requests and errors per {per}, {window.label}",
        "latency_title": f"Latency per {per} (p50, p95, p99 in ms), {window.label}",
    }


def _version_row(v: Mapping[str, Any]) -> dict[str, Any]:
    feedback = v["feedback"]
    task = feedback.get("task_completed")
    rating = feedback.get("rating")
    latency = v["latency_s"]
    cells = [
        _label(v),
        count(v["requests"]),
        percent(v["share"]),
        count(v["errors"]),
        percent(v["error_rate"]),
        seconds(latency["p50"]),
        seconds(latency["p95"]),
        seconds(latency["p99"]),
        _with_count(percent(task["mean"]), task["count"]) if task else DASH,
        _with_count(number(rating["mean"]), rating["count"]) if rating else DASH,
        _performance(v["performance"]),
    ]
    return {"label": _label(v), "cells": cells}


MIN_CHART_BUCKETS = 5
"""A chart shows at least this many buckets and otherwise starts just before the window's first
request: a fresh install's few minutes of traffic fill the chart instead of making one spike at
the right edge of an empty hour."""

LATENCY_LINES = (("p50", 0.50, "#2563eb"), ("p95", 0.95, "#d97706"), ("p99", 0.99, "#dc2626"))


def chart_x(stats: Mapping[str, Any], now: float, data_starts: Sequence[int]) -> list[int]:
    """The start of every bucket a chart shows, oldest first: from just before the first bucket
    with data (at least ``MIN_CHART_BUCKETS`` back, never before the window) to now."""
    bucket = int(stats["series_bucket_s"])
    last = int(now // bucket) * bucket
    window_first = last - (math.ceil(stats["window_s"] / bucket) - 1) * bucket
    first_data = min(data_starts, default=last)
    start = max(window_first, min(first_data - bucket, last - (MIN_CHART_BUCKETS - 1) * bucket))
    start = min(start, first_data)  # never hide a bucket that holds data
    return sorted(set(range(start, last + 1, bucket)) | set(data_starts))


def chart(
    stats: Mapping[str, Any], now: float, colors: Mapping[str, str], *, by_version: bool
) -> dict[str, Any]:
    """Requests (in all, or per version) and errors per bucket, oldest first, with empty
    buckets as zeros, over the buckets ``chart_x`` picks; ``x`` in seconds since the epoch."""
    bucket = int(stats["series_bucket_s"])
    rows = stats["series"]
    x = chart_x(stats, now, [row["minute"] * 60 // bucket * bucket for row in rows])
    at = {start: i for i, start in enumerate(x)}
    labels = sorted(colors) if by_version else ["requests"]
    requests = {label: [0] * len(x) for label in labels}
    errors = [0] * len(x)
    for row in rows:
        i = at[row["minute"] * 60 // bucket * bucket]
        requests[_label(row) if by_version else "requests"][i] += row["requests"]
        errors[i] += row["errors"]
    series = [
        {
            "label": label,
            "kind": "requests",
            "color": colors.get(label, PALETTE[0]),
            "values": values,
        }
        for label, values in requests.items()
    ]
    series.append({"label": "errors", "kind": "errors", "color": ERROR_COLOR, "values": errors})
    return {"x": x, "series": series}


def latency_chart(
    stats: Mapping[str, Any], latency: Sequence[Mapping[str, Any]], x: Sequence[int]
) -> dict[str, Any]:
    """p50, p95 and p99 in milliseconds per bucket of ``x`` (None where nothing was served),
    from ``latency``: the rows of ``TelemetryRepository.latency_series`` (requests per latency
    bucket per time bucket, the same aggregates as the window's quantiles)."""
    bucket = int(stats["series_bucket_s"])
    at = {start: i for i, start in enumerate(x)}
    histograms = [[0] * (len(LATENCY_BUCKETS) + 1) for _ in x]
    for row in latency:
        i = at.get(int(row["start"]) // bucket * bucket)
        if i is not None:
            histograms[i][row["bucket"]] += row["requests"]
    series = []
    for label, q, color in LATENCY_LINES:
        values = []
        for counts in histograms:
            found = histogram_quantile(q, counts)
            values.append(None if found is None else round(found * 1000, 3))
        series.append({"label": label, "kind": "latency", "color": color, "values": values})
    return {"x": list(x), "series": series}


def endpoint_view(
    stats: Mapping[str, Any],
    *,
    window: Window,
    now: float,
    policy: str,
    problem: str | None = None,
    by_version: bool = False,
    breakers: Sequence[Mapping[str, Any]] = (),
    latency: Sequence[Mapping[str, Any]] | None = None,
    experiment: str | None = None,
) -> dict[str, Any]:
    """Everything the dashboard shows of one endpoint: ``stats`` is what ``endpoint_stats``
    returned for ``window`` at ``now``; ``problem`` is why the endpoint cannot serve, if so;
    ``breakers`` what ``DataPlane.breakers`` says of its versions (this server's view);
    ``latency`` the rows of its latency chart (none: no chart); ``experiment`` the id of the
    experiment it runs, if any."""
    name = stats["endpoint"]
    versions = stats["versions"]
    seen = sorted({_label(v) for v in versions} | {_label(r) for r in stats["series"]})
    colors = {label: PALETTE[i % len(PALETTE)] for i, label in enumerate(seen)}
    requests_chart = chart(stats, now, colors, by_version=by_version)
    href = f"/ui/endpoints/{quote(name, safe='')}"
    return {
        "name": name,
        "href": href,
        "rollout_href": f"{href}/rollout",
        "experiment": experiment,
        "experiment_href": (
            None if experiment is None else f"/ui/experiments/{quote(experiment, safe='')}"
        ),
        "source": f"/ui/data/endpoints/{quote(name, safe='')}",
        "policy": policy,
        "status": "serving" if problem is None else "failed",
        "problem": problem,
        "fields": _fields(stats, window),
        "shares": [
            {
                "label": _label(v),
                "percent": round((v["share"] or 0) * 100, 2),
                "text": percent(v["share"]),
                "color": colors[_label(v)],
            }
            for v in versions
        ],
        "versions": [_version_row(v) for v in versions],
        "breakers": [_breaker_row(b) for b in breakers],
        "chart": requests_chart,
        "latency_chart": (
            None if latency is None else latency_chart(stats, latency, requests_chart["x"])
        ),
    }


def _breaker_row(b: Mapping[str, Any]) -> dict[str, Any]:
    calls = b["successes"] + b["failures"]
    window = f"{b['failures']:,} failed of {calls:,} in the last {b['window_s']:g} s"
    return {
        "label": _label(b),
        "state": b["state"],
        "cells": [_label(b), b["role"], b["state"].replace("_", "-"), window],
    }


def page_view(window_name: str, endpoints: list[dict[str, Any]]) -> dict[str, Any]:
    """The data of one page (the overview, or one endpoint): its window and endpoint views."""
    return {
        "window": window_name,
        "window_label": WINDOWS[window_name].label,
        "endpoints": endpoints,
    }
