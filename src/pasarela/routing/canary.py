"""The ``canary`` policy: a candidate takes a growing share of traffic from the baseline.

The share comes from the endpoint's rollout state, which the canary controller moves step by
step (``control/canary.py``); this module only routes. A request with a ``unit_id`` lands by a
hash of it, so a user stays on one side while the share grows (a unit in the first 5 % is still
in the first 20 %); without one, the injected RNG draws.
"""

from __future__ import annotations

import itertools
import random
import re
from collections.abc import Mapping
from typing import Literal

from pydantic import Field, field_validator, model_validator

from pasarela.routing.base import PolicyOptions, VersionRef
from pasarela.routing.hashing import position
from pasarela.spec import FeedbackGateSpec, GatesSpec
from pasarela.types import JSON, Decision, RequestContext, VersionId

_DURATION = re.compile(r"^(\d+)(s|m|h)$")
_SECONDS = {"s": 1, "m": 60, "h": 3600}


def duration_s(text: str) -> int:
    """``"30s"``, ``"5m"``, ``"1h"`` → seconds."""
    match = _DURATION.match(text.strip())
    if not match or int(match.group(1)) == 0:
        raise ValueError(f"{text!r} is not a duration like 30s, 5m or 1h")
    return int(match.group(1)) * _SECONDS[match.group(2)]


FeedbackGateOptions = FeedbackGateSpec
GatesOptions = GatesSpec
"""A canary's ``gates`` (``spec.GatesSpec``); ``control/canary.py`` hands them to the judge."""


class CanaryOptions(PolicyOptions):
    type: Literal["canary"] = "canary"
    baseline: VersionRef
    candidate: VersionRef
    steps: list[float] = Field(default_factory=lambda: [5.0, 20.0, 50.0, 100.0], min_length=2)
    """Candidate traffic in percent, one step per interval at least; the last must be 100."""
    interval: str = "1m"
    """How long each step runs before it is judged (30s, 5m, 1h)."""
    min_requests: int = Field(100, ge=1)
    """Requests each version needs in a step's window before it is judged; fewer is "wait"."""
    alpha: float = Field(0.05, gt=0, lt=0.5)
    """Chance of rolling back a candidate that is as good as the baseline, for the whole canary."""
    progress_deadline: str | None = None
    """Roll back when a step waits this long for enough data (default: wait for ever)."""
    promote_alias: str | None = "champion"
    """Alias moved to the candidate when it is promoted."""
    gates: GatesSpec = GatesSpec()

    @field_validator("interval", "progress_deadline")
    @classmethod
    def _duration(cls, value: str | None) -> str | None:
        if value is not None:
            duration_s(value)
        return value

    @field_validator("steps")
    @classmethod
    def _steps(cls, steps: list[float]) -> list[float]:
        if any(not 0 < s <= 100 for s in steps):
            raise ValueError("each step is a percentage in (0, 100]")
        if any(b <= a for a, b in itertools.pairwise(steps)):
            raise ValueError("steps must increase")
        if steps[-1] != 100:
            raise ValueError("the last step must be 100 (the candidate takes all traffic)")
        return steps

    @model_validator(mode="after")
    def _distinct(self) -> CanaryOptions:
        if self.baseline == self.candidate:
            raise ValueError("baseline and candidate must be different references")
        return self

    def targets(self) -> tuple[str, ...]:
        return (self.baseline, self.candidate)

    @property
    def interval_s(self) -> int:
        return duration_s(self.interval)

    @property
    def judged_steps(self) -> int:
        """Steps that are judged against the baseline: all but the final 100 %."""
        return len(self.steps) - 1


class CanaryPolicy:
    """Sends ``weight`` percent of traffic to the candidate; all of it once promoted, none once
    rolled back."""

    Options = CanaryOptions

    def __init__(
        self,
        options: CanaryOptions,
        versions: Mapping[str, VersionId],
        state: Mapping[str, JSON],
    ) -> None:
        phase = state.get("phase", "progressing")
        weight = float(state.get("weight", options.steps[0]))
        if phase == "promoted":
            weight = 100.0
        elif phase == "rolled_back":
            weight = 0.0
        self.share = weight / 100.0
        self.salt = f"canary:{options.candidate}"
        self._candidate = Decision(versions[options.candidate], "candidate")
        self._baseline = Decision(versions[options.baseline], "baseline")

    def decide(self, request: RequestContext, rng: random.Random) -> Decision:
        if position(request.unit_id, self.salt, rng) < self.share:
            return self._candidate
        return self._baseline
