"""Every row's ratio over several runs of the comparison (``benchmarks/harness/repeats.py``)."""

from __future__ import annotations

from typing import Any

from benchmarks.harness.repeats import cells, markdown, summary


def _row(key: str, ratio: float | None, p99: float | None) -> dict[str, Any]:
    wrk = None if p99 is None else {"p99_ms": p99}
    return {"key": key, "label": f"label {key}", "ratio_to_mlserver": ratio, "wrk": wrk}


def test_each_row_gets_its_ratio_per_run_and_the_summary() -> None:
    runs = [
        [_row("pasarela", 10.0, 4.0), _row("mlserver", 1.0, 60.0)],
        [_row("pasarela", 12.0, 5.5), _row("mlserver", 1.0, 70.0)],
        [_row("pasarela", 11.0, 4.5), _row("mlserver", 1.0, 65.0)],
    ]
    first, base = summary(runs)
    assert first["ratios"] == [10.0, 12.0, 11.0]
    assert (first["min_ratio"], first["median_ratio"], first["max_p99_ms"]) == (10.0, 11.0, 5.5)
    assert base["key"] == "mlserver" and base["median_ratio"] == 1.0
    assert cells(first) == [
        "label pasarela",
        "10.00× (4.0 ms)",
        "12.00× (5.5 ms)",
        "11.00× (4.5 ms)",
        "10.00×",
        "11.00×",
        "5.50",
    ]


def test_a_failed_or_missing_row_is_a_dash_and_left_out_of_the_summary() -> None:
    runs = [[_row("a", 8.0, 3.0)], [_row("a", None, None)], []]
    (entry,) = summary(runs)
    assert entry["ratios"] == [8.0, None, None]
    assert entry["median_ratio"] == 8.0
    assert cells(entry)[1:4] == ["8.00× (3.0 ms)", "—", "—"]


def test_the_markdown_table_has_a_column_per_run() -> None:
    lines = markdown(summary([[_row("a", 9.0, 2.0)], [_row("a", 9.5, 2.5)]]), 2)
    assert "| server | run 1 | run 2 | min | median | worst p99 ms |" in lines
    assert lines[-1].startswith("| label a | 9.00× (2.0 ms) | 9.50× (2.5 ms) |")
