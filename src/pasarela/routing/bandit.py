"""The ``bandit`` policy: arms are versions, and traffic follows the current allocation.

The allocation (a share per arm) lives in the endpoint's rollout state; the bandit controller
(``control/bandit.py``) recomputes it from the rewards that feedback brings, so this module
only draws an arm per request with the injected RNG. Draws are not sticky: a bandit moves
traffic as it learns, which is the point.
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from typing import Literal

from pydantic import Field, field_validator

from pasarela.routing.base import PolicyOptions, VersionRef
from pasarela.routing.canary import duration_s
from pasarela.routing.hashing import WeightedSplit
from pasarela.types import JSON, Decision, RequestContext, VersionId

DEFAULT_HALF_LIFE = 40_000
"""Chosen on seeded simulations (benchmarks/bandit_simulation.py, docs/experiments.md)."""


class Arm(PolicyOptions):
    name: str = Field(pattern=r"^[A-Za-z0-9][\w.-]{0,49}$")
    target: VersionRef


class BanditOptions(PolicyOptions):
    type: Literal["bandit"] = "bandit"
    arms: list[Arm] = Field(min_length=2)
    algorithm: Literal["epsilon_greedy", "ucb1", "thompson"] = "thompson"
    reward: str = Field(default="reward", min_length=1, max_length=30)
    """The feedback kind that is the reward (``reward``, ``task_completed``, ``rating``…)."""
    reward_type: Literal["binary", "continuous"] = "binary"
    epsilon: float = Field(default=0.1, ge=0, le=1)
    min_share: float | None = Field(default=None, ge=0, lt=0.5)
    """Every arm keeps at least this share of traffic; unset, 2 % of all traffic split over
    the arms (``stats.bandits.DEFAULT_FLOOR``): 1 % each for two arms, 0.2 % each for ten."""
    half_life: int | None = Field(default=DEFAULT_HALF_LIFE, ge=100, le=10**9)
    """Forgetting, in rewards: a reward this many rewards old weighs half (discounted
    Thompson / UCB), so the bandit follows a best arm that changes. ``null`` never forgets.
    The default's cost and what it buys are in docs/experiments.md."""
    warmup: int = Field(default=100, ge=0)
    """Rewards per arm before the algorithm moves traffic; until then arms share it equally."""
    update_every: str = "10s"
    """How often the controller folds new rewards in and recomputes the allocation."""

    @field_validator("arms")
    @classmethod
    def _distinct(cls, arms: list[Arm]) -> list[Arm]:
        if len({a.name for a in arms}) != len(arms) or len({a.target for a in arms}) != len(arms):
            raise ValueError("arm names and targets must be unique")
        return arms

    @field_validator("update_every")
    @classmethod
    def _duration(cls, value: str) -> str:
        duration_s(value)
        return value

    def targets(self) -> tuple[str, ...]:
        return tuple(a.target for a in self.arms)


def reason_for(arm: str) -> str:
    return f"arm:{arm}"


class BanditPolicy:
    """Draws an arm by the allocation in the rollout state (equal shares until there is one)."""

    Options = BanditOptions

    def __init__(
        self, options: BanditOptions, versions: Mapping[str, VersionId], state: Mapping[str, JSON]
    ) -> None:
        names = [a.name for a in options.arms]
        found = state.get("allocation")
        shares = [float(found.get(n, 0.0)) for n in names] if isinstance(found, dict) else []
        if len(shares) != len(names) or sum(shares) <= 0:
            shares = [1.0] * len(names)
        self._split = WeightedSplit(
            [
                (share, Decision(versions[a.target], reason_for(a.name)))
                for share, a in zip(shares, options.arms, strict=True)
            ]
        )

    def decide(self, request: RequestContext, rng: random.Random) -> Decision:
        del request
        return self._split.at(rng.random())
