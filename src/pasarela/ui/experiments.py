"""What the experiment page shows, as plain data: the report's variants, sample-ratio check and
conclusions, formatted once for the page, and the primary metric's effect over time for its chart.

The effect over time is a series of reports over cumulative windows ``[started_at, t_k)`` at up
to ``CUTOFFS`` evenly spaced cut-offs: each point is what someone looking at ``t_k`` saw, so the
confidence-sequence band is the one that stays valid at every look.

``experiment_page`` and ``effect_over_time`` read the database (blocking); the rest is pure.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import quote

from pasarela.control.experiment_report import (
    build_report,
    experiment_report,
    metric_ratios,
    tuning_sentence,
)
from pasarela.control.experiments import Experiment, get_experiment
from pasarela.registry.service import Registry
from pasarela.storage.windows import reason_windows
from pasarela.ui.pages import render_experiment
from pasarela.ui.views import DASH, PALETTE, count, number, percent

CUTOFFS = 12
"""At most this many points on the effect chart."""

VARIANT_COLUMNS = ("Variant", "Target", "Weight", "Units", "Requests", "Errors")


def cutoffs(started: float, until: float, n: int = CUTOFFS) -> list[float]:
    """Up to ``n`` evenly spaced instants in ``(started, until]``, the last one ``until``."""
    if until <= started:
        return []
    step = (until - started) / n
    return [started + step * k for k in range(1, n)] + [until]


def _mean(value: float | None, stat: str) -> str:
    return percent(value) if stat == "rate" else number(value, 3)


def _variant_row(variant: Mapping[str, Any], primary: str, stat: str) -> dict[str, Any]:
    metric = variant["metrics"][primary]
    mean = f"{_mean(metric['mean'], stat)} (n={metric['n']:,})" if metric["n"] else DASH
    cells = [
        variant["name"],
        variant["target"],
        f"{variant['weight']:g}",
        count(variant["units"]),
        count(variant["requests"]),
        count(variant["errors"]),
        mean,
    ]
    return {"name": variant["name"], "cells": cells}


def _sample_ratio(ratio: Mapping[str, Any]) -> str:
    observed = ", ".join(f"{n:,}" for n in ratio["observed"])
    expected = ", ".join(f"{x:,.0f}" for x in ratio["expected"])
    verdict = "mismatch" if ratio["flagged"] else "check passed"
    return (
        f"Sample ratio {verdict}: units {observed} against {expected} expected "
        f"(p = {ratio['p_value']:.2g})."
    )


def experiment_view(report: Mapping[str, Any]) -> dict[str, Any]:
    """The page's text and table from an ``experiment_report``. Pure."""
    primary = report["metrics"][0]
    experiment_id = report["experiment"]
    return {
        "id": experiment_id,
        "endpoint": report["endpoint"],
        "endpoint_href": f"/ui/endpoints/{quote(report['endpoint'], safe='')}",
        "source": f"/ui/data/experiments/{quote(experiment_id, safe='')}",
        "phase": report["phase"],
        "hypothesis": report["hypothesis"] or DASH,
        "winner": report["winner"],
        "metric": primary["metric"],
        "columns": [*VARIANT_COLUMNS, f"{primary['metric']} ({primary['stat']})"],
        "variants": [
            _variant_row(v, primary["metric"], primary["stat"]) for v in report["variants"]
        ],
        "sample_ratio": _sample_ratio(report["sample_ratio"]),
        "sample_ratio_flagged": report["sample_ratio"]["flagged"],
        "conclusions": list(report["conclusions"]),
        "sequential_tuning": tuning_sentence(report["sequential_tuning"]),
        "chart_title": (
            f"{primary['metric']}: treatment − control (absolute), with the always-valid "
            f"{1 - report['alpha']:.0%} confidence sequence"
        ),
    }


def effect_chart(points: Sequence[tuple[float, Mapping[str, Any]]]) -> dict[str, Any]:
    """The primary metric's absolute effect and confidence sequence of each treatment, from
    ``(cut-off, report)`` pairs oldest first; None where a window had too little data. Pure."""
    x = [t for t, _ in points]
    treatments: dict[str, dict[str, list[float | None]]] = {}
    for i, (_, report) in enumerate(points):
        for row in report["metrics"][0]["comparisons"]:
            values = treatments.setdefault(
                row["variant"], {k: [None] * len(x) for k in ("effect", "lower", "upper")}
            )
            if "sequential" in row:
                values["effect"][i] = row["fixed_horizon"]["absolute"]
                values["lower"][i], values["upper"][i] = row["sequential"]["ci"]
    series = [
        {"label": name, "color": PALETTE[(k + 1) % len(PALETTE)], **values}
        for k, (name, values) in enumerate(treatments.items())
    ]
    return {"x": x, "series": series}


def _window(experiment: Experiment, now: float) -> tuple[float | None, float]:
    started = experiment.state.get("started_at")
    until = float(experiment.state.get("stopped_at") or now)
    return (None if started is None else float(started)), until


def effect_over_time(
    registry: Registry, experiment_id: str, now: float | None = None
) -> dict[str, Any]:
    """The chart's data: one report per cumulative window since the start. Blocking."""
    experiment = get_experiment(registry, experiment_id)
    started, until = _window(experiment, time.time() if now is None else now)
    points = []
    if started is not None:
        for t in cutoffs(started, until):
            windows = reason_windows(
                registry.engine,
                experiment.spec.name,
                started,
                t,
                metric_ratios(experiment),
                codec=registry.payloads,
            )
            points.append((t, build_report(experiment, windows, t)))
    return {"phase": experiment.phase, "chart": effect_chart(points)}


def experiment_page(registry: Registry, experiment_id: str, now: float | None = None) -> str:
    """The experiment's HTML page; NotFound for an unknown id. Blocking."""
    view = experiment_view(experiment_report(registry, experiment_id, now))
    return render_experiment(view)
