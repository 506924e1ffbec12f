"""Every row's ratio to MLServer over several runs of the comparison (``run.py --repeat N``):
the issue's check is ``make bench`` three times, each row's ratio in each run. Pure: rows in,
table cells out (no ``harness`` imports, so it is tested without a server)."""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from typing import Any

Rows = Sequence[dict[str, Any]]


def summary(runs: Sequence[Rows]) -> list[dict[str, Any]]:
    """Per row (in the first run's order): its label, its ratio and p99 in each run (None
    where the row failed or MLServer did), and the lowest and median ratio and the highest
    p99 over the runs that have one.

    >>> row = {"key": "a", "label": "a", "ratio_to_mlserver": 10.0, "wrk": {"p99_ms": 4.0}}
    >>> summary([[row], [{**row, "ratio_to_mlserver": 12.0}]])[0]["median_ratio"]
    11.0
    """
    keys = list(dict.fromkeys(r["key"] for run in runs for r in run))
    out = []
    for key in keys:
        found = [next((r for r in run if r["key"] == key), None) for run in runs]
        label = next(r["label"] for r in found if r is not None)
        ratios = [None if r is None else r.get("ratio_to_mlserver") for r in found]
        p99s = [None if r is None or r.get("wrk") is None else r["wrk"]["p99_ms"] for r in found]
        have = [x for x in ratios if x is not None]
        have_p99 = [x for x in p99s if x is not None]
        out.append(
            {
                "key": key,
                "label": label,
                "ratios": ratios,
                "p99_ms": p99s,
                "min_ratio": min(have) if have else None,
                "median_ratio": statistics.median(have) if have else None,
                "max_p99_ms": max(have_p99) if have_p99 else None,
            }
        )
    return out


def headers(runs: int) -> list[str]:
    per_run = [f"run {i + 1}" for i in range(runs)]
    return ["server", *per_run, "min", "median", "worst p99 ms"]


def cells(entry: dict[str, Any]) -> list[str]:
    """One table row: the ratio and p99 of each run, then the summary."""

    def ratio(value: float | None) -> str:
        return "—" if value is None else f"{value:.2f}×"

    runs = [
        "—" if r is None else f"{ratio(r)} ({p:.1f} ms)" if p is not None else ratio(r)
        for r, p in zip(entry["ratios"], entry["p99_ms"], strict=True)
    ]
    worst = entry["max_p99_ms"]
    return [
        entry["label"],
        *runs,
        ratio(entry["min_ratio"]),
        ratio(entry["median_ratio"]),
        "—" if worst is None else f"{worst:.2f}",
    ]


def markdown(entries: list[dict[str, Any]], runs: int) -> list[str]:
    head = headers(runs)
    lines = [
        "",
        f"Ratio to MLServer (p99 in brackets) over {runs} runs of the comparison:",
        "",
        "| " + " | ".join(head) + " |",
        "|" + "|".join(["---"] + ["---:"] * (len(head) - 1)) + "|",
    ]
    lines += ["| " + " | ".join(cells(e)) + " |" for e in entries]
    return lines
