"""Experiments: find them by id, start and stop them, and roll a winner out.

An experiment is an endpoint whose policy is ``experiment``; its lifecycle (``draft`` →
``running`` → ``stopped``) is the endpoint's rollout state, and every move is appended to the
endpoint's history, so a report always knows the window it covers.

The always-valid test's tuning (the units per variant at which its confidence sequence is
narrowest) is fixed when the experiment starts, from its plan (``baseline``, ``mde``,
``alpha``, ``power``: ``stats.design.sample_size``) or the documented default
(``stats.sequential.DEFAULT_HORIZON``), and stored with it; every report reads it back. Tuning
it from the data seen would void the test's guarantee.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from pasarela.control.apply import apply_spec
from pasarela.control.manifest import parse_document
from pasarela.errors import Conflict, InvalidRequest, NotFound
from pasarela.registry.service import Registry
from pasarela.routing import policy_options
from pasarela.routing.experiment import ExperimentOptions
from pasarela.stats.design import sample_size
from pasarela.stats.sequential import DEFAULT_HORIZON
from pasarela.types import EndpointSpec

TuningSource = Literal["plan", "default", "upgrade"]
"""``plan``: sized from the experiment's baseline and mde; ``default``: no baseline in the plan,
``DEFAULT_HORIZON``; ``upgrade``: started before tunings were stored, ``DEFAULT_HORIZON``."""


@dataclass(frozen=True, slots=True)
class SequentialTuning:
    """What the always-valid test is tuned to: its confidence sequence is narrowest at
    ``units_per_variant``. ``fixed_at`` is when the experiment's start fixed it; None for a
    draft, whose tuning is what starting it now would fix."""

    units_per_variant: float
    source: TuningSource
    fixed_at: datetime | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "units_per_variant": self.units_per_variant,
            "source": self.source,
            "fixed": self.fixed_at is not None,
            "fixed_at": None if self.fixed_at is None else self.fixed_at.isoformat(),
        }


def planned_tuning(options: ExperimentOptions) -> SequentialTuning:
    """The tuning the experiment's plan gives: ``sample_size`` for its primary metric when the
    plan has a ``baseline``, else ``DEFAULT_HORIZON``. Data never enters it."""
    if options.baseline is None:
        return SequentialTuning(DEFAULT_HORIZON, "default")
    metric = options.primary_metric
    rate = metric.stat == "rate" and metric.per is None
    units = sample_size(
        kind="rate" if rate else "mean",
        baseline_mean=options.baseline,
        mde=options.mde,
        relative=True,
        alpha=options.alpha,
        power=options.power,
        baseline_sd=None if rate else options.baseline_sd,
        variants=len(options.variants),
    )
    return SequentialTuning(float(units), "plan")


@dataclass(frozen=True, slots=True)
class Experiment:
    """An experiment as stored: its endpoint, its design, where its lifecycle stands and the
    always-valid test's tuning (fixed at the start; the plan's for a draft)."""

    spec: EndpointSpec
    options: ExperimentOptions
    state: dict[str, Any]
    tuning: SequentialTuning

    @property
    def id(self) -> str:
        return self.options.experiment

    @property
    def phase(self) -> str:
        return str(self.state.get("phase", "draft"))


def list_experiments(registry: Registry) -> list[Experiment]:
    states = registry.rollouts.states()
    tunings = registry.rollouts.experiment_tunings()
    found = []
    for spec in registry.endpoints.all():
        if spec.policy == "experiment":
            options = policy_options("experiment", spec.options)
            assert isinstance(options, ExperimentOptions)
            state = states.get(spec.name, {"phase": "draft"})
            found.append(Experiment(spec, options, state, _tuning(options, state, tunings)))
    return found


def _tuning(
    options: ExperimentOptions, state: dict[str, Any], tunings: dict[str, dict[str, Any]]
) -> SequentialTuning:
    """The stored tuning of a started experiment; a draft's comes from its plan."""
    stored = tunings.get(options.experiment)
    if stored is None or state.get("phase", "draft") == "draft":
        return planned_tuning(options)
    return SequentialTuning(
        float(stored["units_per_variant"]), stored["source"], stored["fixed_at"]
    )


def get_experiment(registry: Registry, experiment_id: str) -> Experiment:
    """The live experiment with this id, or one whose winner was rolled out (its design from
    the endpoint's revisions, its lifecycle from the endpoint's history)."""
    for experiment in list_experiments(registry):
        if experiment.id == experiment_id:
            return experiment
    for spec in registry.endpoints.all():
        for revision in reversed(registry.endpoints.revisions(spec.name)):
            old = revision.spec
            if old and old.policy == "experiment" and old.options["experiment"] == experiment_id:
                options = policy_options("experiment", old.options)
                assert isinstance(options, ExperimentOptions)
                state = _replayed(registry, spec.name, experiment_id)
                tuning = _tuning(options, state, registry.rollouts.experiment_tunings())
                return Experiment(old, options, state, tuning)
    raise NotFound(f"no experiment {experiment_id!r}", code="experiment_not_found")


def _replayed(registry: Registry, endpoint: str, experiment_id: str) -> dict[str, Any]:
    """An ended experiment's lifecycle, rebuilt from the endpoint's history."""
    state: dict[str, Any] = {"phase": "draft", "experiment": experiment_id}
    for event in registry.rollouts.events(endpoint, limit=10_000):
        detail = event["detail"]
        if detail.get("experiment") != experiment_id:
            continue
        if event["kind"] == "experiment_start":
            state.update(phase="running", started_at=detail["started_at"])
        elif event["kind"] == "experiment_stop":
            state.update(
                phase="stopped",
                stopped_at=detail["stopped_at"],
                winner=detail.get("winner"),
                conclusion=detail.get("conclusion", ""),
            )
    return state


def start(registry: Registry, experiment_id: str, *, actor: str) -> dict[str, Any]:
    """draft → running: traffic splits from now, and the report's window opens."""
    experiment = get_experiment(registry, experiment_id)
    if experiment.phase != "draft":
        raise Conflict(
            f"experiment {experiment_id!r} is {experiment.phase}; only a draft can start",
            code="experiment_state",
        )
    # Fixed before the move, so no running experiment is ever without its tuning (a start
    # that then loses a race leaves a tuning that its next start replaces).
    tuning = planned_tuning(experiment.options)
    fixed_at = registry.rollouts.fix_experiment_tuning(
        experiment_id,
        endpoint=experiment.spec.name,
        units_per_variant=tuning.units_per_variant,
        source=tuning.source,
    )
    tuning = SequentialTuning(tuning.units_per_variant, tuning.source, fixed_at)
    now = time.time()
    state = {**experiment.state, "phase": "running", "started_at": now}
    detail = {"started_at": now, "sequential_tuning": tuning.to_json()}
    _move(registry, experiment, state, actor, "experiment_start", detail)
    return {
        "experiment": experiment_id,
        "phase": "running",
        "started_at": now,
        "sequential_tuning": tuning.to_json(),
    }


def stop(
    registry: Registry,
    experiment_id: str,
    *,
    actor: str,
    winner: str | None = None,
    roll_out: bool = False,
    conclusion: str = "",
) -> dict[str, Any]:
    """running → stopped, with a winning variant or none; ``roll_out`` then makes the winner
    the endpoint's single version (a recorded revision)."""
    experiment = get_experiment(registry, experiment_id)
    if experiment.phase != "running":
        raise Conflict(
            f"experiment {experiment_id!r} is {experiment.phase}; only a running one can stop",
            code="experiment_state",
        )
    names = [v.name for v in experiment.options.variants]
    if winner is not None and winner not in names:
        raise InvalidRequest(f"winner {winner!r} is not a variant; one of {', '.join(names)}")
    if roll_out and winner is None:
        raise InvalidRequest("rolling out needs a winner")
    now = time.time()
    state = {
        **experiment.state,
        "phase": "stopped",
        "stopped_at": now,
        "winner": winner,
        "conclusion": conclusion,
    }
    detail = {"stopped_at": now, "winner": winner, "conclusion": conclusion}
    _move(registry, experiment, state, actor, "experiment_stop", detail)
    result: dict[str, Any] = {"experiment": experiment_id, "phase": "stopped", "winner": winner}
    if roll_out and winner is not None:
        target = next(v.target for v in experiment.options.variants if v.name == winner)
        manifest = experiment.spec.to_manifest()
        manifest["policy"] = {"type": "single", "target": target}
        change = apply_spec(registry, parse_document(manifest), actor=actor, action="rollout")
        result["rolled_out"] = {"target": target, "revision": change.revision}
    return result


def _move(
    registry: Registry,
    experiment: Experiment,
    state: dict[str, Any],
    actor: str,
    event: str,
    detail: dict[str, Any],
) -> None:
    generation = experiment.state.get("generation")
    if generation is None:
        raise Conflict(
            f"experiment {experiment.id!r} has no lifecycle state; apply its endpoint again",
            code="experiment_state",
        )
    registry.rollouts.update(
        experiment.spec.name,
        state,
        generation=int(generation),
        actor=actor,
        event=event,
        detail={"experiment": experiment.id, **detail},
    )
