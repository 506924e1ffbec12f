"""The results table (rich and markdown) and the JSON files under benchmarks/results/."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from rich.table import Table

from harness.measure import BUSY_WARNING, OTHER_WARNING

BASELINE = "mlserver"
HEADERS = [
    "server",
    "req/s",
    "p50 ms",
    "p99 ms",
    "errors",
    "vs MLServer",
    "RSS peak MiB",
    "RSS final MiB",
    "status",
]


def add_ratios(rows: list[dict[str, Any]]) -> None:
    """``ratio`` = req/s over MLServer's, for rows that passed (None otherwise)."""
    base = next((r for r in rows if r["key"] == BASELINE and r["status"] == "ok"), None)
    for row in rows:
        row["ratio_to_mlserver"] = (
            round(row["wrk"]["rps"] / base["wrk"]["rps"], 3)
            if base is not None and row["status"] == "ok"
            else None
        )


def _cells(row: dict[str, Any]) -> list[str]:
    wrk = row.get("wrk")
    rss = row.get("rss", {})
    ratio = row.get("ratio_to_mlserver")
    status = row["status"] + (f": {row['detail']}" if row.get("detail") else "")
    if row.get("background_cpu_pct", 0.0) > BUSY_WARNING:
        status += f" (machine {row['background_cpu_pct']:.0f}% busy before)"
    if row.get("other_cpu_pct", 0.0) > OTHER_WARNING:
        status += f" (other load {row['other_cpu_pct']:.0f}% during the run)"
    if wrk is None:
        return [row["label"], "—", "—", "—", "—", "—", "—", "—", status]
    return [
        row["label"],
        f"{wrk['rps']:,.0f}",
        f"{wrk['p50_ms']:.2f}",
        f"{wrk['p99_ms']:.2f}",
        str(wrk["error_count"]),
        f"{ratio:.2f}×" if ratio is not None else "—",
        f"{rss['peak_mib']:.0f}" if rss else "—",
        f"{rss['final_mib']:.0f}" if rss else "—",
        status,
    ]


def rich_table(rows: list[dict[str, Any]], title: str) -> Table:
    table = Table(title=title)
    for i, header in enumerate(HEADERS):
        table.add_column(header, justify="left" if i in (0, len(HEADERS) - 1) else "right")
    for row in rows:
        cells = _cells(row)
        style = None if row["status"] == "ok" else "red"
        table.add_row(*cells, style=style)
    return table


def markdown(rows: list[dict[str, Any]], meta: dict[str, Any]) -> str:
    opts = meta["options"]
    machine = meta["machine"]
    lines = [
        f"# pasarela serving benchmark — {meta['timestamp']}",
        "",
        f"wrk -t1 -c{opts['connections']} -d{opts['duration_s']:.0f}s (after a "
        f"{opts['warmup_s']:.0f} s warm-up), one breast-cancer row per request, "
        f"predict_proba everywhere. Machine: {machine['cpu_count']} CPUs "
        f"({machine['cpu_model']}), {machine['memory_gib']} GiB, Python {machine['python']}. "
        "wrk runs on the same machine.",
        "",
        "| " + " | ".join(HEADERS) + " |",
        "|" + "|".join(["---"] + ["---:"] * (len(HEADERS) - 2) + ["---"]) + "|",
    ]
    lines += ["| " + " | ".join(_cells(r)) + " |" for r in rows]
    lines += ["", "Versions:", ""]
    for name, versions in meta["versions"].items():
        text = ", ".join(f"{k} {v}" for k, v in versions.items())
        lines.append(f"- {name}: {text}")
    lines.append("")
    return "\n".join(lines)


def write(
    results: Path, stamp: str, payload: dict[str, Any], md: str | None, prefix: str = ""
) -> list[Path]:
    """``<prefix><stamp>.json`` and ``<prefix>latest.json`` (and ``.md``); returns the paths."""
    results.mkdir(parents=True, exist_ok=True)
    text = json.dumps(payload, indent=2) + "\n"
    paths = [results / f"{prefix}{stamp}.json", results / f"{prefix}latest.json"]
    for path in paths:
        path.write_text(text)
    if md is not None:
        paths.append(results / f"{prefix}latest.md")
        paths[-1].write_text(md)
    return paths
