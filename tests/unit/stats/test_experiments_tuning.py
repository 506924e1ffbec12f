"""Issue 15 item 4: the always-valid test's tuning is fixed when the experiment starts (from its
plan, or the documented default), stored with it, shown in the report, and never recomputed
from the data a report reads; experiments started before migration 0010 get the default."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from pydantic import ValidationError

from pasarela.control.apply import apply_spec
from pasarela.control.experiment_report import SMALL_RATIO_UNITS, build_report, tuning_sentence
from pasarela.control.experiments import Experiment, get_experiment, planned_tuning, start
from pasarela.control.manifest import parse_document
from pasarela.registry.service import Registry
from pasarela.routing import policy_options
from pasarela.routing.experiment import ExperimentOptions
from pasarela.stats.design import sample_size
from pasarela.stats.experiments import Summary
from pasarela.stats.sequential import DEFAULT_HORIZON, sequential
from pasarela.storage import schema
from pasarela.storage.db import create_engine, upgrade
from pasarela.storage.windows import ReasonData
from pasarela.ui.experiments import experiment_view


def manifest(**plan: Any) -> dict[str, Any]:
    return {
        "kind": "Endpoint",
        "name": "checkout",
        "policy": {
            "type": "experiment",
            "experiment": "checkout-v2",
            "variants": [
                {"name": "control", "target": "sums@1", "weight": 50},
                {"name": "treatment", "target": "sums@2", "weight": 50},
            ],
            "primary_metric": {"kind": "task_completed", "stat": "rate"},
            "guardrails": [{"kind": "latency_ms", "stat": "mean", "higher_is_better": False}],
            "mde": 0.1,
            **plan,
        },
    }


def options(**plan: Any) -> ExperimentOptions:
    parsed = policy_options("experiment", manifest(**plan)["policy"])
    assert isinstance(parsed, ExperimentOptions)
    return parsed


def window(units: int, successes: int, latency: float) -> ReasonData:
    """One variant: ``units`` units, one observation each, a rate and a latency per unit."""
    spread = latency * 0.2
    sum_sq = units * (latency**2 + spread**2)
    return ReasonData(
        requests=units,
        units=units,
        metrics={
            ("task_completed", None): (units, successes, units, successes, units, successes),
            ("latency_ms", None): (units, units * latency, units, sum_sq, units, units * latency),
        },
    )


@pytest.fixture
def experiment_registry(registry: Registry) -> Registry:
    for _ in range(2):
        registry.register("sums", entrypoint="pasarela.testing:row_sums")
    return registry


def apply(registry: Registry, **plan: Any) -> None:
    apply_spec(registry, parse_document(manifest(**plan)), actor="ana")


# -- the plan -------------------------------------------------------------------------------


def test_a_plan_without_a_baseline_gets_the_documented_default() -> None:
    tuning = planned_tuning(options())
    assert (tuning.units_per_variant, tuning.source, tuning.fixed_at) == (
        DEFAULT_HORIZON,
        "default",
        None,
    )


def test_a_plan_with_a_baseline_is_tuned_to_its_sample_size() -> None:
    tuning = planned_tuning(options(baseline=0.1))
    assert tuning.source == "plan"
    assert tuning.units_per_variant == sample_size(kind="rate", baseline_mean=0.1, mde=0.1) == 14751


def test_a_mean_plan_is_sized_with_its_standard_deviation() -> None:
    plan = manifest(baseline=200.0, baseline_sd=50.0)["policy"]
    plan["primary_metric"] = {"kind": "reward", "stat": "mean"}
    parsed = policy_options("experiment", plan)
    assert isinstance(parsed, ExperimentOptions)
    expected = sample_size(kind="mean", baseline_mean=200.0, mde=0.1, baseline_sd=50.0)
    assert planned_tuning(parsed).units_per_variant == expected


@pytest.mark.parametrize(
    ("plan", "message"),
    [
        ({"baseline": 0.95}, "below 1"),
        ({"baseline": 0.0}, "greater than 0"),
        ({"baseline_sd": -1.0}, "greater than 0"),
    ],
)
def test_a_plan_that_cannot_be_sized_is_refused_when_applied(
    plan: dict[str, Any], message: str
) -> None:
    with pytest.raises(ValidationError, match=message):
        options(**plan)


def test_a_mean_baseline_without_its_spread_is_refused() -> None:
    plan = manifest(baseline=200.0)["policy"]
    plan["primary_metric"] = {"kind": "reward", "stat": "mean"}
    with pytest.raises(ValidationError, match="baseline_sd"):
        policy_options("experiment", plan)


# -- fixed at the start, read back by every report ------------------------------------------


def test_the_report_uses_the_tuning_fixed_at_the_start_whatever_the_data(
    experiment_registry: Registry,
) -> None:
    apply(experiment_registry, baseline=0.1)
    draft = get_experiment(experiment_registry, "checkout-v2")
    assert draft.tuning.fixed_at is None and draft.tuning.source == "plan"
    started = start(experiment_registry, "checkout-v2", actor="ana")
    assert started["sequential_tuning"]["units_per_variant"] == 14751
    assert started["sequential_tuning"]["fixed"] is True

    experiment = get_experiment(experiment_registry, "checkout-v2")
    assert experiment.tuning.units_per_variant == 14751 and experiment.tuning.fixed_at
    # Two reads whose controls convert at very different rates: the old report re-derived the
    # horizon from the control's rate each time (sample_size at 5 % and at 30 %).
    early = {"variant:control": window(400, 20, 120.0), "variant:treatment": window(410, 35, 118.0)}
    late = {
        "variant:control": window(3000, 900, 121.0),
        "variant:treatment": window(2990, 960, 125.0),
    }
    reports = [build_report(experiment, data, 0.0) for data in (early, late)]
    for report, data in zip(reports, (early, late), strict=True):
        assert report["sequential_tuning"] == experiment.tuning.to_json()
        assert report["sequential_tuning"]["source"] == "plan"
        control, treatment = (
            data[f"variant:{v}"].metrics[("task_completed", None)] for v in ("control", "treatment")
        )
        expected = sequential(
            Summary(*control[:2], control[3]),
            Summary(*treatment[:2], treatment[3]),
            kind="rate",
            tuning=14751,
        )
        (row,) = report["metrics"][0]["comparisons"]
        assert row["sequential"]["p_value"] == pytest.approx(expected.p_value, rel=1e-12)
        assert row["sequential"]["ci"] == pytest.approx(list(expected.ci), rel=1e-12)
    # and the planned sample size the data imply did move, so the data were different enough
    assert reports[0]["plan"]["units_per_variant"] != reports[1]["plan"]["units_per_variant"]


def test_a_changed_plan_is_a_new_experiment_tuned_at_its_own_start(
    experiment_registry: Registry,
) -> None:
    apply(experiment_registry)
    start(experiment_registry, "checkout-v2", actor="ana")
    before = get_experiment(experiment_registry, "checkout-v2").tuning
    assert (before.units_per_variant, before.source) == (DEFAULT_HORIZON, "default")
    assert before.fixed_at is not None
    apply(experiment_registry, baseline=0.1)  # a changed design goes back to draft
    draft = get_experiment(experiment_registry, "checkout-v2")
    assert draft.phase == "draft" and draft.tuning.fixed_at is None
    start(experiment_registry, "checkout-v2", actor="ana")
    again = get_experiment(experiment_registry, "checkout-v2").tuning
    assert (again.units_per_variant, again.source) == (14751, "plan")
    assert again.fixed_at is not None and again.fixed_at >= before.fixed_at


def test_the_tuning_survives_the_winner_roll_out(experiment_registry: Registry) -> None:
    from pasarela.control.experiments import stop

    apply(experiment_registry, baseline=0.1)
    start(experiment_registry, "checkout-v2", actor="ana")
    stop(experiment_registry, "checkout-v2", actor="ana", winner="treatment", roll_out=True)
    ended = get_experiment(experiment_registry, "checkout-v2")  # replayed from the history
    assert ended.phase == "stopped"
    assert (ended.tuning.units_per_variant, ended.tuning.source) == (14751, "plan")
    assert ended.tuning.fixed_at is not None


def test_the_report_shows_a_drafts_tuning_as_not_fixed(experiment_registry: Registry) -> None:
    apply(experiment_registry)
    experiment: Experiment = get_experiment(experiment_registry, "checkout-v2")
    report = build_report(experiment, {}, 0.0)
    assert report["sequential_tuning"] == {
        "units_per_variant": DEFAULT_HORIZON,
        "source": "default",
        "fixed": False,
        "fixed_at": None,
    }


# -- migration 0010 -------------------------------------------------------------------------


def test_experiments_started_before_0010_get_the_documented_default(
    database_url: str, tmp_path: Path
) -> None:
    engine = create_engine(database_url)
    upgrade(engine, "0009")
    started_at = sa.func.now()
    with engine.begin() as conn:
        for endpoint, detail in [
            ("checkout", {"experiment": "old-one", "started_at": 1.0}),
            ("search", {"experiment": "old-two", "started_at": 2.0}),
            ("search", {"experiment": "old-two", "started_at": 3.0}),  # started again
        ]:
            conn.execute(
                schema.rollout_events.insert().values(
                    endpoint=endpoint,
                    at=started_at,
                    actor="ana",
                    kind="experiment_start",
                    detail=detail,
                )
            )
        conn.execute(
            schema.rollout_events.insert().values(
                endpoint="pay", at=started_at, actor="ana", kind="step", detail={"weight": 5}
            )
        )
    upgrade(engine)
    with engine.connect() as conn:
        rows = conn.execute(sa.select(schema.experiment_tunings)).all()
    engine.dispose()
    assert sorted((r.experiment, r.endpoint, r.units_per_variant, r.source) for r in rows) == [
        ("old-one", "checkout", DEFAULT_HORIZON, "upgrade"),
        ("old-two", "search", DEFAULT_HORIZON, "upgrade"),
    ]


def test_the_tuning_is_shown_in_words_on_the_page_and_in_the_cli(
    experiment_registry: Registry,
) -> None:
    apply(experiment_registry, baseline=0.1)
    start(experiment_registry, "checkout-v2", actor="ana")
    experiment = get_experiment(experiment_registry, "checkout-v2")
    report = build_report(experiment, {}, 0.0)
    sentence = tuning_sentence(report["sequential_tuning"])
    assert sentence.startswith("Always-valid test tuned to 14,751 units per variant, from the plan")
    assert "fixed at the start (" in sentence
    assert experiment_view(report)["sequential_tuning"] == sentence


# -- item 6b: a ratio metric on few units says so -------------------------------------------


def ratio_window(units: int, seed: int) -> ReasonData:
    """Units with 1-4 requests each: task_completed per request is a ratio of unit sums."""
    import numpy as np

    rng = np.random.default_rng(seed)
    k = rng.integers(1, 5, units).astype(float)
    x = rng.binomial(k.astype(int), 0.4).astype(float)
    moments = (units, x.sum(), k.sum(), (x * x).sum(), (k * k).sum(), (x * k).sum())
    return ReasonData(
        requests=int(k.sum()), units=units, metrics={("task_completed", None): moments}
    )


@pytest.mark.parametrize(
    ("units", "warned"), [(150, True), (SMALL_RATIO_UNITS, True), (201, False)]
)
def test_a_ratio_metric_on_few_units_carries_a_visible_warning(
    experiment_registry: Registry, units: int, warned: bool
) -> None:
    apply(experiment_registry)
    start(experiment_registry, "checkout-v2", actor="ana")
    experiment = get_experiment(experiment_registry, "checkout-v2")
    data = {
        "variant:control": ratio_window(units + 7, 1),
        "variant:treatment": ratio_window(units, 2),
    }
    report = build_report(experiment, data, 0.0)
    section = report["metrics"][0]
    assert section["unit_ratio"] is True
    (row,) = section["comparisons"]
    assert ("warnings" in row) is warned
    flagged = [c for c in report["conclusions"] if "small sample" in c]
    if warned:
        assert row["warnings"][0].startswith(f"small sample: {units} units in the smaller arm")
        assert flagged == [f"task_completed, treatment: {row['warnings'][0]}."]
    else:
        assert flagged == []


def test_a_plain_rate_on_few_units_is_not_warned(experiment_registry: Registry) -> None:
    apply(experiment_registry)
    start(experiment_registry, "checkout-v2", actor="ana")
    experiment = get_experiment(experiment_registry, "checkout-v2")
    data = {"variant:control": window(50, 10, 100.0), "variant:treatment": window(60, 14, 90.0)}
    report = build_report(experiment, data, 0.0)
    assert all("warnings" not in r for m in report["metrics"] for r in m["comparisons"])
    assert not any("small sample" in c for c in report["conclusions"])


def test_the_cli_report_prints_the_tuning(
    experiment_registry: Registry, settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from typer.testing import CliRunner

    from pasarela.cli.experiments import experiments_app

    apply(experiment_registry, baseline=0.1)
    start(experiment_registry, "checkout-v2", actor="ana")
    monkeypatch.setenv("PASARELA_HOME", str(settings.home))
    result = CliRunner().invoke(experiments_app, ["report", "checkout-v2"], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    assert "Always-valid test tuned to 14,751 units per variant" in result.output
