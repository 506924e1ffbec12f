"""An experiment's report: per variant what it did, each treatment against the control with
three readings (fixed-horizon, always-valid sequential, Bayesian), the sample-ratio check, and
what can and cannot be concluded yet, in plain words.

The sequential p-values decide the conclusion: they stay valid however often someone looks,
and the report is meant to be looked at every minute. Treatments are corrected with Holm. The
sequential test's tuning is the one fixed when the experiment started (``sequential_tuning``
in the report), never recomputed from the data the report reads.
"""

from __future__ import annotations

import time
from typing import Any

from pasarela.control.experiments import Experiment, get_experiment
from pasarela.registry.service import Registry
from pasarela.routing.experiment import Metric, reason_for
from pasarela.stats.bayesian import bayesian
from pasarela.stats.design import sample_size
from pasarela.stats.experiments import MetricKind, RatioSummary, Summary
from pasarela.stats.frequentist import compare, holm, sample_ratio
from pasarela.stats.sequential import sequential
from pasarela.storage.windows import ReasonData, reason_windows

SMALL_RATIO_UNITS = 200
"""At or below this many units in an arm, a ratio metric's comparison carries a warning: the
delta method's variance is a large-sample one, and its false-positive rate can run above α
there, by how much depending on the data's shape (5.7 % at α = 5 % in the issue 15 audit,
4.7-5.4 % and 3.5-4.4 % for two models in ``benchmarks/experiment_simulation.py``)."""


def tuning_sentence(tuning: dict[str, Any]) -> str:
    """The always-valid test's tuning (a report's ``sequential_tuning``) in words."""
    units = f"{tuning['units_per_variant']:,.0f} units per variant"
    source = {
        "plan": "the plan's sample size (baseline, mde, alpha, power)",
        "default": "the default, the plan having no baseline",
        "upgrade": "the default given to experiments started before tunings were stored",
    }.get(tuning["source"], tuning["source"])
    when = (
        f"fixed at the start ({tuning['fixed_at']})"
        if tuning["fixed"]
        else "not fixed yet: the start fixes it"
    )
    return f"Always-valid test tuned to {units}, from {source}; {when}."


def experiment_report(
    registry: Registry, experiment_id: str, now: float | None = None
) -> dict[str, Any]:
    """The report of ``experiment_id`` over its window (start to stop, or to now)."""
    experiment = get_experiment(registry, experiment_id)
    now = time.time() if now is None else now
    state = experiment.state
    started = state.get("started_at")
    until = float(state.get("stopped_at") or now)
    windows: dict[str, ReasonData] = {}
    if started is not None:
        windows = reason_windows(
            registry.engine,
            experiment.spec.name,
            float(started),
            until,
            metric_ratios(experiment),
            codec=registry.payloads,
        )
    return build_report(experiment, windows, until)


def metric_ratios(experiment: Experiment) -> list[tuple[str, str | None]]:
    """What the report needs summed per unit: each metric's (kind, per)."""
    options = experiment.options
    return [m.ratio for m in (options.primary_metric, *options.guardrails)]


def build_report(
    experiment: Experiment, windows: dict[str, ReasonData], until: float
) -> dict[str, Any]:
    """The report from each variant's window data, which ends at ``until``. Pure."""
    options = experiment.options
    variants = options.variants
    data = [windows.get(reason_for(v.name), ReasonData()) for v in variants]
    metrics = [options.primary_metric, *options.guardrails]
    summaries = {m.name: _summaries(data, m) for m in metrics}
    report: dict[str, Any] = {
        "experiment": experiment.id,
        "endpoint": experiment.spec.name,
        "phase": experiment.phase,
        "hypothesis": options.hypothesis,
        "started_at": experiment.state.get("started_at"),
        "stopped_at": experiment.state.get("stopped_at"),
        "winner": experiment.state.get("winner"),
        "alpha": options.alpha,
        "variants": [
            {
                "name": v.name,
                "target": v.target,
                "weight": v.weight,
                "units": d.units,
                "requests": d.requests,
                "errors": d.errors,
                "metrics": {m.name: _describe(summaries[m.name][0][i]) for m in metrics},
            }
            for i, (v, d) in enumerate(zip(variants, data, strict=True))
        ],
    }
    ratio = sample_ratio([d.units for d in data], [v.weight for v in variants])
    report["sample_ratio"] = {
        "p_value": ratio.p_value,
        "flagged": ratio.flagged,
        "observed": list(ratio.observed),
        "expected": list(ratio.expected),
    }
    planned = _planned_units(experiment, *summaries[options.primary_metric.name])
    horizon = experiment.tuning.units_per_variant
    report["metrics"] = [
        _metric_section(options.alpha, m, variants, *summaries[m.name], horizon) for m in metrics
    ]
    report["sequential_tuning"] = experiment.tuning.to_json()
    report["plan"] = {"units_per_variant": planned, "mde": options.mde, "power": options.power}
    report["conclusions"] = _conclusions(experiment, report, data, planned)
    report["window_end"] = until
    return report


def _summaries(data: list[ReasonData], metric: Metric) -> tuple[list[Summary], MetricKind]:
    """What to analyse for ``metric``, per variant, and how. When every unit has one
    observation the metric is a plain mean (or rate) over units; otherwise the ratio of the
    units' sums, linearized by the delta method, is analysed as a mean."""
    ratios = [
        RatioSummary(*d.metrics[metric.ratio])
        if metric.ratio in d.metrics
        else RatioSummary(0, 0.0, 0.0, 0.0, 0.0, 0.0)
        for d in data
    ]
    if metric.per is None and all(r.one_per_unit or r.n == 0 for r in ratios):
        return [Summary(r.n, r.sum_x, r.sum_xx) for r in ratios], metric.stat
    return [r.linearized() for r in ratios], "mean"


def _describe(summary: Summary) -> dict[str, Any]:
    return {"n": summary.n, "mean": summary.mean if summary.n else None}


def _metric_section(
    alpha: float,
    metric: Metric,
    variants: list[Any],
    summaries: list[Summary],
    stat: MetricKind,
    horizon: float,
) -> dict[str, Any]:
    control = summaries[0]
    rows = []
    for variant, treatment in zip(variants[1:], summaries[1:], strict=True):
        row: dict[str, Any] = {"variant": variant.name, "n": treatment.n}
        if min(control.n, treatment.n) >= 2:
            row["fixed_horizon"] = compare(control, treatment, kind=stat, alpha=alpha).to_json()
            # Tuned when the experiment started: tightest around its planned sample size.
            seq = sequential(control, treatment, kind=stat, alpha=alpha, tuning=horizon)
            row["sequential"] = {"p_value": seq.p_value, "ci": list(seq.ci), "method": seq.method}
            bayes = bayesian(
                control,
                treatment,
                kind=stat,
                alpha=alpha,
                higher_is_better=metric.higher_is_better,
            )
            row["bayesian"] = {
                "probability_to_beat": bayes.probability_to_beat,
                "expected_loss": bayes.expected_loss,
                "credible_interval": list(bayes.credible_interval),
            }
        unit_ratio = stat != metric.stat or metric.per is not None
        if unit_ratio and 0 < min(control.n, treatment.n) <= SMALL_RATIO_UNITS:
            row["warnings"] = [
                f"small sample: {min(control.n, treatment.n)} units in the smaller arm; the "
                f"ratio's delta-method variance needs more than {SMALL_RATIO_UNITS} a variant, "
                "below that its p-values run a little low (false positives above alpha)"
            ]
        rows.append(row)
    tested = [r for r in rows if "sequential" in r]
    for row, adjusted in zip(
        tested, holm([r["sequential"]["p_value"] for r in tested]), strict=True
    ):
        row["sequential"]["p_adjusted"] = adjusted
    return {
        "metric": metric.name,
        "stat": stat,
        "unit_ratio": stat != metric.stat or metric.per is not None,
        "higher_is_better": metric.higher_is_better,
        "control_n": control.n,
        "comparisons": rows,
    }


def _planned_units(
    experiment: Experiment, summaries: list[Summary], stat: MetricKind
) -> int | None:
    options = experiment.options
    control = summaries[0]
    if control.n < 2 or not control.mean:
        return None
    sd = None if stat == "rate" else max(control.variance, 1e-12) ** 0.5
    if stat == "rate" and not 0 < control.mean < 1:
        return None
    planned: int = sample_size(
        kind=stat,
        baseline_mean=control.mean,
        mde=options.mde,
        relative=True,
        alpha=options.alpha,
        power=options.power,
        baseline_sd=sd,
        variants=len(options.variants),
    )
    return planned


def _conclusions(
    experiment: Experiment, report: dict[str, Any], data: list[ReasonData], planned: int | None
) -> list[str]:
    if experiment.phase == "draft":
        return ["The experiment has not started: a draft serves the control only."]
    said = []
    ratio = report["sample_ratio"]
    if ratio["flagged"]:
        said.append(
            f"Sample ratio mismatch (p = {ratio['p_value']:.2g}): units reached the variants "
            f"as {ratio['observed']}, not in the planned proportions. Assignment or logging is "
            "broken; no effect below can be trusted until it is fixed."
        )
    alpha = experiment.options.alpha
    primary, *guardrails = report["metrics"]
    smallest = min((d.units for d in data), default=0)
    for row in primary["comparisons"]:
        said.append(_verdict(primary, row, alpha, planned, smallest, experiment.options.mde))
    for section in report["metrics"]:
        for row in section["comparisons"]:
            for warning in row.get("warnings", []):
                said.append(f"{section['metric']}, {row['variant']}: {warning}.")
    for section in guardrails:
        for row in section["comparisons"]:
            seq = row.get("sequential")
            if seq and seq["p_adjusted"] < alpha and _worse(section, row):
                said.append(
                    f"Guardrail {section['metric']}: {row['variant']} is significantly worse "
                    f"(sequential p = {seq['p_adjusted']:.2g})."
                )
    return said


def _worse(section: dict[str, Any], row: dict[str, Any]) -> bool:
    difference = row["fixed_horizon"]["absolute"]
    return bool(difference < 0 if section["higher_is_better"] else difference > 0)


def _verdict(
    section: dict[str, Any],
    row: dict[str, Any],
    alpha: float,
    planned: int | None,
    smallest: int,
    mde: float,
) -> str:
    metric, variant = section["metric"], row["variant"]
    seq = row.get("sequential")
    if seq is None:
        return f"{variant}: not enough {metric} data yet to compare with the control."
    effect = row["fixed_horizon"]
    relative = effect.get("relative")
    size = f"{effect['absolute']:+.4g}" + (f" ({relative:+.1%})" if relative is not None else "")
    if seq["p_adjusted"] < alpha:
        direction = "worse" if _worse(section, row) else "better"
        return (
            f"{variant} is {direction} than the control on {metric}: {size}; always-valid "
            f"p = {seq['p_adjusted']:.2g} < {alpha}, confidence sequence "
            f"[{seq['ci'][0]:+.4g}, {seq['ci'][1]:+.4g}]."
        )
    more = ""
    if planned is not None:
        more = (
            f" To detect a {mde:.0%} change it needs ~{max(planned - smallest, 0):,} more units "
            f"per variant (plan: {planned:,})."
        )
    return (
        f"{variant}: no significant difference on {metric} yet ({size}, always-valid "
        f"p = {seq['p_adjusted']:.2g}).{more}"
    )
