"""The bandit controller: folds the rewards that feedback brought into each arm's estimate and
recomputes the traffic allocation, every ``update_every``.

The estimates are recomputed from the stored rewards each time (one aggregate query since the
bandit started), so a restart or a second server loses nothing and a late reward still counts;
the allocation and the estimates are persisted in the endpoint's rollout state, which is what
the serving processes read.
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
from pasarela.routing.bandit import BanditOptions, reason_for
from pasarela.routing.canary import duration_s
from pasarela.stats.bandits import ArmStats, BanditConfig, allocation
from pasarela.storage.windows import reason_windows
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
        windows = reason_windows(
            self.registry.repo.engine, spec.name, float(state["started_at"]), now + 1.0
        )
        arms = []
        for arm in options.arms:
            found = windows.get(reason_for(arm.name))
            count, total, total_sq = (
                found.feedback.get(options.reward, (0, 0.0, 0.0)) if found else (0, 0.0, 0.0)
            )
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
