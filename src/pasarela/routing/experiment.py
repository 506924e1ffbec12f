"""The ``experiment`` policy: an A/B/n test of versions, with sticky assignment.

A unit (``unit_id``: a user, a session) always sees the same variant: its bucket is a hash of
the unit with the experiment's salt, so assignment survives restarts and agrees across
processes. Requests without a unit are drawn with the injected RNG, each on its own.

The lifecycle (``draft`` → ``running`` → ``stopped``) lives in the endpoint's rollout state:
a draft serves the control only, a running experiment splits by weight, a stopped one serves
its winner (or the control when there was none).
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from typing import Literal

from pydantic import Field, field_validator, model_validator

from pasarela.routing.base import PolicyOptions, VersionRef
from pasarela.routing.hashing import WeightedSplit, position
from pasarela.types import JSON, Decision, RequestContext, VersionId

MetricKind = Literal["rate", "mean"]


class Variant(PolicyOptions):
    name: str = Field(pattern=r"^[A-Za-z0-9][\w.-]{0,49}$")
    target: VersionRef
    weight: float = Field(gt=0, le=100)


class Metric(PolicyOptions):
    """A metric taken from feedback (``kind``: ``task_completed``, ``reward``, ``rating``,
    ``label_correct``, ``cost``…) or ``latency_ms`` from the request records, per unit."""

    kind: str = Field(min_length=1, max_length=30)
    per: str | None = Field(default=None, min_length=1, max_length=30)
    """Makes the metric a ratio: ``kind`` summed over ``per`` summed (``kind: cost, per:
    task_completed`` is the cost per success). None: the mean of ``kind``."""
    stat: MetricKind = "mean"
    higher_is_better: bool = True

    @property
    def name(self) -> str:
        return f"{self.kind}/{self.per}" if self.per else self.kind

    @property
    def ratio(self) -> tuple[str, str | None]:
        """What ``storage.windows.reason_windows`` sums per unit for this metric."""
        return (self.kind, self.per)


class ExperimentOptions(PolicyOptions):
    type: Literal["experiment"] = "experiment"
    experiment: str = Field(pattern=r"^[A-Za-z0-9][\w.-]{0,99}$")
    """The experiment's id: reports and the assignment salt use it."""
    variants: list[Variant] = Field(min_length=2)
    """The first is the control."""
    salt: str | None = None
    hypothesis: str = ""
    primary_metric: Metric
    guardrails: list[Metric] = Field(default_factory=list)
    mde: float = Field(default=0.05, gt=0)
    """Minimum detectable effect, relative to the control (0.05: 5 %)."""
    alpha: float = Field(default=0.05, gt=0, lt=0.5)
    power: float = Field(default=0.8, gt=0, lt=1)
    duration_days: float | None = Field(default=None, gt=0)
    """The planned duration."""
    baseline: float | None = Field(default=None, gt=0, le=1e12)
    """The primary metric's expected control mean (a rate: 0.10 is 10 %). With ``mde``,
    ``alpha`` and ``power`` it sizes the experiment, and that size tunes the always-valid test
    when the experiment starts; None: the documented default (10,000 units per variant)."""
    baseline_sd: float | None = Field(default=None, gt=0, le=1e12)
    """A mean's expected standard deviation per unit (needed with ``baseline`` for a mean)."""

    @field_validator("variants")
    @classmethod
    def _weights(cls, variants: list[Variant]) -> list[Variant]:
        names = [v.name for v in variants]
        if len(set(names)) != len(names):
            raise ValueError("variant names must be unique")
        if abs(sum(v.weight for v in variants) - 100.0) > 1e-6:
            raise ValueError("variant weights must add up to 100")
        return variants

    @model_validator(mode="after")
    def _targets_distinct(self) -> ExperimentOptions:
        targets = [v.target for v in self.variants]
        if len(set(targets)) != len(targets):
            raise ValueError("each variant needs a target of its own")
        return self

    @model_validator(mode="after")
    def _plan(self) -> ExperimentOptions:
        """A plan the sample-size formula can size (``stats.design.sample_size``'s domain)."""
        if self.baseline is None:
            return self
        if self.primary_metric.stat == "rate" and self.primary_metric.per is None:
            if not self.baseline * (1 + self.mde) < 1:
                raise ValueError(
                    "a rate's baseline and the rate it should detect, baseline × (1 + mde), "
                    "must be below 1"
                )
        elif self.baseline_sd is None:
            raise ValueError("a mean's baseline needs baseline_sd, its standard deviation")
        return self

    def targets(self) -> tuple[str, ...]:
        return tuple(v.target for v in self.variants)

    @property
    def split_salt(self) -> str:
        return self.salt or f"experiment:{self.experiment}"

    @property
    def control(self) -> Variant:
        return self.variants[0]


def reason_for(variant: str) -> str:
    """The decision reason recorded with each request: reports group records by it."""
    return f"variant:{variant}"


class ExperimentPolicy:
    """Splits units between variants by weight while the experiment runs."""

    Options = ExperimentOptions

    def __init__(
        self,
        options: ExperimentOptions,
        versions: Mapping[str, VersionId],
        state: Mapping[str, JSON],
    ) -> None:
        self.salt = options.split_salt
        decisions = {
            v.name: Decision(versions[v.target], reason_for(v.name)) for v in options.variants
        }
        phase = state.get("phase", "draft")
        fixed = None
        if phase == "draft":
            fixed = options.control.name
        elif phase == "stopped":
            winner = state.get("winner")
            fixed = winner if isinstance(winner, str) and winner in decisions else None
            fixed = fixed or options.control.name
        self._fixed = decisions[fixed] if fixed else None
        self._split = WeightedSplit([(v.weight, decisions[v.name]) for v in options.variants])

    def decide(self, request: RequestContext, rng: random.Random) -> Decision:
        if self._fixed is not None:
            return self._fixed
        return self._split.at(position(request.unit_id, self.salt, rng))
