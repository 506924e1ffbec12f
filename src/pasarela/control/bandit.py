"""The bandit controller: folds the rewards that feedback brought into each arm's estimate and
recomputes the traffic allocation, every ``update_every``.

Rewards are counted incrementally, not re-read: the record writer folds each reward once into
its version's per-minute and per-hour counters (``feedback_stats``: count, sum, sum of squares),
whichever of the record and the feedback arrives first, so a late reward still counts. Arms are
distinct versions, so an update reads each arm's sums since the bandit started from those
counters: about 24 hourly rows a day plus at most ~118 minute rows per arm, however many
rewards came in. The allocation and the estimates are persisted in the endpoint's rollout
state, which is what the serving processes read; a restart or a second server loses nothing.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

import numpy as np

from pasarela.errors import Conflict, PasarelaError
from pasarela.registry.service import Registry
from pasarela.routing import policy_options
from pasarela.routing.bandit import BanditOptions
from pasarela.routing.canary import duration_s
from pasarela.stats.bandits import ArmStats, BanditConfig, allocation
from pasarela.storage.feedback import FeedbackRepository
from pasarela.storage.telemetry import cover
from pasarela.types import EndpointSpec

log = logging.getLogger(__name__)

ACTOR = "bandit-controller"


def initial_bandit_state(spec: EndpointSpec, now: float | None = None) -> dict[str, Any]:
    options = policy_options("bandit", spec.options)
    assert isinstance(options, BanditOptions)
    share = 1.0 / len(options.arms)
    return {
        "phase": "running",
        "started_at": time.time() if now is None else now,
        "updated_at": 0.0,
        "allocation": {a.name: share for a in options.arms},
        "estimates": {a.name: {"rewards": 0, "mean": None} for a in options.arms},
    }


def next_allocation(
    options: BanditOptions, arms: list[ArmStats], rng: np.random.Generator
) -> dict[str, float]:
    """The allocation for these arm statistics. Pure."""
    config = BanditConfig(
        algorithm=options.algorithm,
        reward=options.reward_type,
        epsilon=options.epsilon,
        min_share=options.min_share,
        warmup=options.warmup,
    )
    shares = allocation(config, arms, rng)
    return {a.name: float(s) for a, s in zip(options.arms, shares, strict=True)}


class BanditController:
    """Updates every running bandit whose update is due; one per deployment (the leader)."""

    def __init__(
        self,
        registry: Registry,
        clock: Callable[[], float] = time.time,
        rng: np.random.Generator | None = None,
    ) -> None:
        self.registry = registry
        self.clock = clock
        self.rng = rng or np.random.default_rng()

    def tick(self) -> int:
        """Update what is due; returns how many bandits were updated. Blocking."""
        updated = 0
        states = self.registry.repo.rollout_states()
        for spec in self.registry.repo.list_endpoints():
            state = states.get(spec.name)
            if spec.policy != "bandit" or not state or state.get("phase") != "running":
                continue
            try:
                updated += self._update(spec, state)
            except Conflict:
                continue
            except PasarelaError as exc:
                log.error("bandit %s not updated: %s", spec.name, exc.message)
            except ValueError as exc:  # rewards that do not fit the reward type (2.0 as binary)
                log.error("bandit %s not updated: %s", spec.name, exc)
        return updated

    def _update(self, spec: EndpointSpec, state: dict[str, Any]) -> int:
        options = policy_options("bandit", spec.options)
        assert isinstance(options, BanditOptions)
        now = self.clock()
        if now - float(state.get("updated_at", 0.0)) < duration_s(options.update_every):
            return 0
        # From the minute the bandit started: rewards of its versions on this endpoint in the
        # seconds before it count too (they are rewards of the same versions).
        since = int(float(state["started_at"]) // 60) * 60
        until = (int(now // 60) + 1) * 60
        found = FeedbackRepository(self.registry.repo.engine).version_feedback(
            spec.name, cover(since, until)
        )
        arms = []
        for arm in options.arms:
            version = self.registry.resolve(arm.target)
            kinds = found.get((version.model, version.version), {}).get("kinds", {})
            count, total, total_sq = kinds.get(options.reward, (0, 0.0, 0.0))
            arms.append(ArmStats(count, total, total_sq))
        shares = next_allocation(options, arms, self.rng)
        new = {
            **state,
            "updated_at": now,
            "allocation": shares,
            "estimates": {
                a.name: {"rewards": s.pulls, "mean": s.mean if s.pulls else None}
                for a, s in zip(options.arms, arms, strict=True)
            },
        }
        self.registry.repo.update_rollout(
            spec.name, new, generation=int(state["generation"]), actor=ACTOR, event=None, detail={}
        )
        return 1
