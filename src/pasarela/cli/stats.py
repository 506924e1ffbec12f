"""``pasarela stats``: the aggregates of an endpoint as a table."""

from __future__ import annotations

from typing import Any

from rich.table import Table

from pasarela.cli.common import catalog, console
from pasarela.storage.feedback import FeedbackRepository
from pasarela.storage.telemetry import TelemetryRepository
from pasarela.telemetry.aggregates import endpoint_stats, parse_window


def _ms(seconds: float | None) -> str:
    return "-" if seconds is None else f"{seconds * 1000:.1f}"


def _pct(share: float | None) -> str:
    return "-" if share is None else f"{share * 100:.1f}%"


def _feedback(version: dict[str, Any]) -> str:
    parts = [
        f"{kind} {summary['mean']:.3g} (n={summary['count']})"
        for kind, summary in version["feedback"].items()
        if kind != "label"
    ]
    performance = version["performance"]
    if "classification" in performance:
        c = performance["classification"]
        parts.append(f"accuracy {c['accuracy']:.3f} F1 {c['f1']:.3f} (n={c['labels']})")
    if "regression" in performance:
        r = performance["regression"]
        parts.append(f"MAE {r['mae']:.3g} RMSE {r['rmse']:.3g} (n={r['labels']})")
    return ", ".join(parts) or "-"


def print_stats(endpoint: str, window: str, *, as_json: bool) -> None:
    tables = catalog()
    tables.endpoints.get(endpoint)  # an unknown name is an error, not an empty table
    engine = tables.engine
    stats = endpoint_stats(
        TelemetryRepository(engine),
        endpoint,
        parse_window(window),
        feedback=FeedbackRepository(engine),
    )
    if as_json:
        console.print_json(data=stats)
        return
    table = Table(
        "version",
        "requests",
        "share",
        "errors",
        "p50 ms",
        "p95 ms",
        "p99 ms",
        "feedback",
        title=f"{endpoint}, last {window}: {stats['requests']} requests, "
        f"error rate {_pct(stats['error_rate'])}",
    )
    for v in stats["versions"]:
        latency = v["latency_s"]
        table.add_row(
            f"{v['model']}@{v['version']}",
            str(v["requests"]),
            _pct(v["share"]),
            _pct(v["error_rate"]),
            _ms(latency["p50"]),
            _ms(latency["p95"]),
            _ms(latency["p99"]),
            _feedback(v),
        )
    console.print(table)
