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
from pasarela.stats.bandits import ArmStats, BanditConfig, allocation, forget
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
    options: BanditOptions,
    arms: list[ArmStats],
    rng: np.random.Generator,
    *,
    batch: int = 1,
    seen: list[float] | None = None,
) -> dict[str, float]:
    """The allocation for these (possibly discounted) arm statistics; ``batch``, the rewards
    expected before the next update; ``seen``, the raw reward counts for the warm-up. Pure."""
    config = BanditConfig(
        algorithm=options.algorithm,
        reward=options.reward_type,
        epsilon=options.epsilon,
        min_share=options.min_share,
        warmup=options.warmup,
    )
    shares = allocation(config, arms, rng, batch=batch, seen=seen)
    return {a.name: float(s) for a, s in zip(options.arms, shares, strict=True)}


def fold_rewards(
    options: BanditOptions, totals: list[ArmStats], state: dict[str, Any]
) -> tuple[list[ArmStats], int]:
    """The discounted statistics after this update, and how many rewards came in since the
    last: ``totals`` are the raw sums since the bandit started; ``state`` holds the last
    update's ``seen`` totals and ``kept`` statistics. Pure.

    A total below the last one (retention removed buckets) starts that arm's count afresh
    from the totals, without new rewards this time."""
    stored = state.get("statistics")
    stored = stored if isinstance(stored, dict) else {}
    kept, new = [], []
    for arm, total in zip(options.arms, totals, strict=True):
        saved = stored.get(arm.name, {})
        before = ArmStats(*saved.get("seen", (0, 0.0, 0.0)))
        kept.append(ArmStats(*saved.get("kept", (0, 0.0, 0.0))))
        if total.pulls >= before.pulls:
            new.append(
                ArmStats(
                    total.pulls - before.pulls,
                    total.reward_sum - before.reward_sum,
                    total.reward_sum_sq - before.reward_sum_sq,
                )
            )
        else:
            new.append(ArmStats())
    arrived = round(sum(arm.pulls for arm in new))
    return forget(kept, new, options.half_life), arrived


class BanditController:
    """Updates every running bandit whose update is due; one per deployment (the leader)."""

    def __init__(
        self,
        registry: Registry,
        clock: Callable[[], float] = time.time,
        rng: np.random.Generator | None = None,
        feedback: FeedbackRepository | None = None,
    ) -> None:
        self.registry = registry
        self.clock = clock
        self.rng = rng or np.random.default_rng()
        # The workspace's (``workspace.feedback``) where the caller has one.
        self.feedback = feedback or FeedbackRepository(registry.engine)

    def tick(self) -> int:
        """Update what is due; returns how many bandits were updated. Blocking."""
        updated = 0
        states = self.registry.rollouts.states()
        for spec in self.registry.endpoints.all():
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
        found = self.feedback.version_feedback(spec.name, cover(since, until))
        arms = []
        for arm in options.arms:
            version = self.registry.resolve(arm.target)
            kinds = found.get((version.model, version.version), {}).get("kinds", {})
            count, total, total_sq = kinds.get(options.reward, (0, 0.0, 0.0))
            arms.append(ArmStats(count, total, total_sq))
        kept, arrived = fold_rewards(options, arms, state)
        shares = next_allocation(
            options, kept, self.rng, batch=max(1, arrived), seen=[a.pulls for a in arms]
        )
        new = {
            **state,
            "updated_at": now,
            "allocation": shares,
            "statistics": {
                a.name: {
                    "seen": [t.pulls, t.reward_sum, t.reward_sum_sq],
                    "kept": [k.pulls, k.reward_sum, k.reward_sum_sq],
                }
                for a, t, k in zip(options.arms, arms, kept, strict=True)
            },
            "estimates": {
                a.name: {
                    "rewards": int(t.pulls),
                    "weight": k.pulls,
                    "mean": k.mean if k.pulls else None,
                }
                for a, t, k in zip(options.arms, arms, kept, strict=True)
            },
        }
        self.registry.rollouts.update(
            spec.name, new, generation=int(state["generation"]), actor=ACTOR, event=None, detail={}
        )
        return 1
