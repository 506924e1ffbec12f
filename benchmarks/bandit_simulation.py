"""Simulated bandits: how much reward each algorithm gives up while it learns, and how much of
the traffic ends on the best arm.

Three Bernoulli arms convert with p = 0.05, 0.06 and 0.08 (conversion rates a point or two
apart: the hard, common case). Each simulated bandit plays 10,000 rounds with
``pasarela.stats.bandits.select_many`` (``select``'s rule for many bandits at once), and after
each round its arm's reward updates its statistics. Two figures per run, averaged over runs:
the cumulative regret, Σ (p_best − p_chosen), the conversions lost to exploring, and the share
of the last 1,000 rounds that went to the best arm. Every configuration keeps
``BanditConfig``'s defaults (warm-up 100 pulls per arm, 1 % floor) unless its row says
otherwise. The runs of one simulation move in lockstep as arrays and share one seeded
Generator: the same seed and number of runs give the same figures. Run with the project's
environment:

    .venv/bin/python benchmarks/bandit_simulation.py [--runs 200] [--seed 0]
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from pasarela.stats.bandits import BanditConfig, select_many

ARMS = (0.05, 0.06, 0.08)
"""Each arm's chance of a reward of 1."""
ROUNDS = 10_000
LAST = 1_000
"""The rounds at the end whose share of the best arm is reported."""

CONFIGS: dict[str, BanditConfig] = {
    "Thompson": BanditConfig(algorithm="thompson"),
    "UCB1-Tuned (ucb1's default index)": BanditConfig(algorithm="ucb1"),
    "UCB1, textbook (ucb_index='classic', c = 1)": BanditConfig(
        algorithm="ucb1", ucb_index="classic"
    ),
    "epsilon-greedy, ε = 0.1": BanditConfig(algorithm="epsilon_greedy"),
    "equal shares, no bandit (endless warm-up)": BanditConfig(warmup=ROUNDS + 1),
}


@dataclass(frozen=True)
class Simulation:
    """Per run: the cumulative regret and the best arm's share of the last rounds."""

    regret: NDArray[np.float64]
    best_share: NDArray[np.float64]

    @property
    def mean_regret(self) -> float:
        return float(self.regret.mean())

    @property
    def mean_best_share(self) -> float:
        return float(self.best_share.mean())


def simulate(
    config: BanditConfig,
    runs: int,
    *,
    seed: int = 0,
    arms: Sequence[float] = ARMS,
    rounds: int = ROUNDS,
    last: int = LAST,
) -> Simulation:
    """``runs`` bandits over Bernoulli arms with chances ``arms``, ``rounds`` rounds each."""
    rng = np.random.default_rng(seed)
    p = np.asarray(arms, dtype=np.float64)
    gaps = p.max() - p
    best = int(p.argmax())
    pulls = np.zeros((runs, p.size))
    sums = np.zeros((runs, p.size))  # 0/1 rewards: the sum of squares is the sum
    rows = np.arange(runs)
    regret = np.zeros(runs)
    late_best = np.zeros(runs)
    for t in range(1, rounds + 1):
        chosen = select_many(config, pulls, sums, sums, t, rng)
        rewards = rng.random(runs) < p[chosen]
        pulls[rows, chosen] += 1
        sums[rows, chosen] += rewards
        regret += gaps[chosen]
        if t > rounds - last:
            late_best += chosen == best
    return Simulation(regret, late_best / last)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=200, help="simulated bandits per row")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    arms = " / ".join(f"{p:g}" for p in ARMS)
    print(
        f"Bernoulli arms p = {arms}; {ROUNDS:,} rounds; {args.runs} runs per row (seed "
        f"{args.seed}); BanditConfig defaults: warm-up 100 pulls per arm, min_share 0.01.\n"
    )
    print(
        f"| algorithm | regret, mean ± s.e. | best arm's share of the last {LAST:,} rounds, "
        "mean | 10th percentile of runs | runs under 50 % | wall time |"
    )
    print("|---|---:|---:|---:|---:|---:|")
    for name, config in CONFIGS.items():
        started = time.perf_counter()
        result = simulate(config, args.runs, seed=args.seed)
        seconds = time.perf_counter() - started
        se = result.regret.std(ddof=1) / np.sqrt(args.runs)
        print(
            f"| {name} | {result.mean_regret:.1f} ± {se:.1f} | {result.mean_best_share:.1%} "
            f"| {np.percentile(result.best_share, 10):.1%} "
            f"| {(result.best_share < 0.5).mean():.1%} | {seconds:.1f} s |"
        )


if __name__ == "__main__":
    main()
