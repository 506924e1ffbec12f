"""Simulated experiments: the false-positive rate of A/A tests watched continuously, with the
always-valid sequential test and with a naive fixed-horizon z-test, and the power of a
fixed-horizon test at the sample size the calculator promises.

- **A/A with peeking**: both arms convert at the same rate (10 %); after every look (100 units
  per variant by default, 100 looks) the experiment is tested, and it counts as a false
  positive if *any* look is significant at α = 0.05: ``pasarela.stats.sequential``'s
  always-valid p-value, and the pooled two-proportion z-test of ``pasarela.stats.frequentist``
  as if each look were the only one. A second run looks after every single unit.
- **Power**: treatment converts 10 % more (10 % → 11 %); each experiment runs to
  ``sample_size(...)`` units per variant and is tested once; the sequential test tuned to that
  horizon, looked at 100 times on the way, is shown next to it.

- **A/A with 200 peeks, tuning fixed at the start**: the always-valid test tuned once, before
  the data, as ``control.experiments.start`` does: to the plan's sample size (10 % baseline,
  +10 %: 14,751 units per variant) and to the default (10,000); looked at every 75 units to
  15,000 (issue 15 item 4).
- **Ratio metrics on few units**: A/A experiments on a per-request rate with users making 1 to
  several requests (the ratio of unit sums, delta method), compared with ``compare`` (Welch's
  t on the linearized summary) at 100, 150, 200 and 1,000 users per arm (issue 15 item 6b).

Experiments are simulated all at once with numpy: binomial successes per look, cumulative
sums, and the tests' array forms (the same functions the scalar API calls). One seeded
generator; the figures do not depend on the chunk size. Run with the project's environment:

    .venv/bin/python benchmarks/experiment_simulation.py [--experiments 10000]
"""

from __future__ import annotations

import argparse
import math
import time
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from pasarela.stats.design import sample_size
from pasarela.stats.experiments import RatioSummary
from pasarela.stats.frequentist import compare, pooled_z_p_value
from pasarela.stats.sequential import (
    DEFAULT_HORIZON,
    mixing_variance,
    mixture_p_value,
)

ALPHA = 0.05
BASELINE = 0.10
RELATIVE_MDE = 0.10
CHUNK_CELLS = 2_000_000
"""Experiments × looks simulated at once (bounds memory to a few hundred MB)."""


@dataclass(frozen=True)
class PeekingFigures:
    experiments: int
    looks: int
    units_per_look: int
    sequential: float
    """Share of experiments whose sequential p-value was below α at some look."""
    naive: float
    """The same for the fixed-horizon z-test applied at every look."""
    seconds: float


@dataclass(frozen=True)
class PowerFigures:
    experiments: int
    units_per_variant: int
    planned: float
    fixed_horizon: float
    """Share of experiments significant at the single look at ``units_per_variant``."""
    sequential: float
    """Share significant at any of 100 looks up to it, sequential test tuned to it."""
    seconds: float


def cumulative_successes(
    rng: np.random.Generator,
    experiments: int,
    looks: int,
    units_per_look: int,
    rates: tuple[float, float],
) -> NDArray[np.int64]:
    """Successes so far at each look, shape (experiments, looks, 2): control, treatment."""
    batches = rng.binomial(units_per_look, rates, size=(experiments, looks, 2))
    return np.cumsum(batches, axis=1)


def look_p_values(
    successes: NDArray[np.int64], units: NDArray[np.int64], *, alpha: float, tuning: float
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """(sequential, naive) p-values at every look; ``units`` per variant at each look.

    The sequential one is ``sequential(kind="rate")``'s, vectorised: pooled variance
    p̄(1 - p̄) each arm, the mixing variance tuned to ``tuning`` units, p = min(1, 1/Λ(0)).
    """
    s_c, s_t = successes[..., 0], successes[..., 1]
    pooled = (s_c + s_t) / (2 * units)
    unit = pooled * (1 - pooled)
    variance = 2 * unit / units
    difference = (s_t - s_c) / units
    mixing = mixing_variance(2 * unit, tuning, alpha)
    sequential = mixture_p_value(difference, variance, mixing)  # 1 where the variance is 0
    return sequential, pooled_z_p_value(s_c, units, s_t, units)


def aa_peeking(
    experiments: int = 10_000,
    looks: int = 100,
    units_per_look: int = 100,
    *,
    rate: float = BASELINE,
    alpha: float = ALPHA,
    tuning: float = DEFAULT_HORIZON,
    seed: int = 0,
) -> PeekingFigures:
    """A/A experiments tested after every look; the share ever significant per test."""
    started = time.perf_counter()
    rng = np.random.default_rng(seed)
    units = units_per_look * np.arange(1, looks + 1)
    chunk = max(1, CHUNK_CELLS // looks)
    sequential_hits = naive_hits = 0
    for first in range(0, experiments, chunk):
        size = min(chunk, experiments - first)
        successes = cumulative_successes(rng, size, looks, units_per_look, (rate, rate))
        sequential, naive = look_p_values(successes, units, alpha=alpha, tuning=tuning)
        sequential_hits += int(np.count_nonzero((sequential < alpha).any(axis=1)))
        naive_hits += int(np.count_nonzero((naive < alpha).any(axis=1)))
    return PeekingFigures(
        experiments,
        looks,
        units_per_look,
        sequential_hits / experiments,
        naive_hits / experiments,
        time.perf_counter() - started,
    )


def fixed_horizon_power(
    experiments: int = 4_000,
    *,
    baseline: float = BASELINE,
    relative_mde: float = RELATIVE_MDE,
    alpha: float = ALPHA,
    power: float = 0.8,
    seed: int = 0,
) -> PowerFigures:
    """Experiments with a true effect of ``relative_mde``, at the calculator's sample size."""
    started = time.perf_counter()
    n = sample_size(kind="rate", baseline_mean=baseline, mde=relative_mde, alpha=alpha, power=power)
    rates = (baseline, baseline * (1 + relative_mde))
    rng = np.random.default_rng(seed)
    final = rng.binomial(n, rates, size=(experiments, 2))
    fixed = pooled_z_p_value(final[:, 0], n, final[:, 1], n) < alpha
    # the sequential test tuned to n, looked at 100 times up to (just past) n
    looks, per_look = 100, math.ceil(n / 100)
    units = per_look * np.arange(1, looks + 1)
    successes = cumulative_successes(rng, experiments, looks, per_look, rates)
    sequential, _ = look_p_values(successes, units, alpha=alpha, tuning=n)
    return PowerFigures(
        experiments,
        n,
        power,
        float(fixed.mean()),
        float((sequential < alpha).any(axis=1).mean()),
        time.perf_counter() - started,
    )


RATIO_MODELS = ("propensity", "cost")
"""``propensity``: users make 1 + Poisson(1) requests and complete each with their own chance,
0.2 or 0.8 (half each): task completion per request. ``cost``: 1 + Poisson(2) requests of
lognormal(0, 1.5) cost each, completed with a Beta(2, 3) chance: cost per success."""


def ratio_unit_moments(
    rng: np.random.Generator, units: int, model: str
) -> tuple[int, float, float, float, float, float]:
    """One arm's per-unit moments (``RatioSummary`` fields) under ``model``."""
    if model == "propensity":
        k = 1 + rng.poisson(1.0, units)
        chance = np.where(rng.random(units) < 0.5, 0.8, 0.2)
        x = rng.binomial(k, chance).astype(float)
        y = k.astype(float)
    elif model == "cost":
        k = 1 + rng.poisson(2.0, units)
        costs = rng.lognormal(0.0, 1.5, int(k.sum()))
        x = np.add.reduceat(costs, np.concatenate(([0], np.cumsum(k)[:-1])))
        y = rng.binomial(k, rng.beta(2, 3, units)).astype(float)
    else:
        raise ValueError(f"model must be one of {RATIO_MODELS}, not {model!r}")
    return (
        units,
        float(x.sum()),
        float(y.sum()),
        float((x * x).sum()),
        float((y * y).sum()),
        float((x * y).sum()),
    )


def ratio_false_positives(
    units_per_variant: int,
    experiments: int = 10_000,
    *,
    model: str = "propensity",
    alpha: float = ALPHA,
    seed: int = 0,
) -> float:
    """Share of A/A ratio experiments that ``compare`` finds significant at ``alpha``, each
    arm's ratio linearized by the delta method as the report does."""
    rng = np.random.default_rng(seed)
    hits = 0
    for _ in range(experiments):
        control, treatment = (
            RatioSummary(*ratio_unit_moments(rng, units_per_variant, model)).linearized()
            for _ in range(2)
        )
        hits += compare(control, treatment, kind="mean", alpha=alpha).p_value < alpha
    return hits / experiments


def _units(count: int) -> str:
    return "unit" if count == 1 else f"{count:,} units"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--experiments", type=int, default=10_000, help="A/A runs, 100 looks")
    parser.add_argument("--every-unit", type=int, default=1_000, help="A/A runs, every unit")
    parser.add_argument("--power-experiments", type=int, default=4_000, help="power runs")
    parser.add_argument("--ratio-experiments", type=int, default=10_000, help="ratio A/A runs")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    print(
        f"A/A: both arms convert {BASELINE:.0%}; α = {ALPHA}; a false positive is p < α at any "
        f"look. Sequential test tuned to {DEFAULT_HORIZON:,.0f} units per variant (the default)."
        "\n"
    )
    print("| looks | experiments | sequential (always valid) | naive z-test | wall time |")
    print("|---|---:|---:|---:|---:|")
    runs = [
        aa_peeking(args.experiments, seed=args.seed),
        aa_peeking(args.every_unit, looks=10_000, units_per_look=1, seed=args.seed),
    ]
    for f in runs:
        last = f.looks * f.units_per_look
        print(
            f"| every {_units(f.units_per_look)} to {last:,} ({f.looks:,} looks) "
            f"| {f.experiments:,} | {f.sequential:.2%} | {f.naive:.2%} | {f.seconds:.1f} s |"
        )
    planned = sample_size(kind="rate", baseline_mean=BASELINE, mde=RELATIVE_MDE, alpha=ALPHA)
    print(
        "\nA/A, 200 looks every 75 units (to 15,000 per variant), the tuning fixed before the "
        "data:\n"
    )
    print("| tuning (units per variant) | experiments | sequential (always valid) | wall time |")
    print("|---|---:|---:|---:|")
    for tuning, source in ((planned, "plan"), (DEFAULT_HORIZON, "default")):
        f = aa_peeking(
            args.experiments, looks=200, units_per_look=75, tuning=tuning, seed=args.seed
        )
        print(
            f"| {tuning:,.0f} ({source}) | {f.experiments:,} | {f.sequential:.2%} "
            f"| {f.seconds:.1f} s |"
        )
    print(
        f"\nRatio metrics, A/A, α = {ALPHA}: false positives of the delta method + Welch's t "
        f"({args.ratio_experiments:,} experiments per cell).\n"
    )
    sizes = (100, 150, 200, 1_000)
    print("| model | " + " | ".join(f"{n:,} users/arm" for n in sizes) + " |")
    print("|---|" + "---:|" * len(sizes))
    for model in RATIO_MODELS:
        rates = [
            ratio_false_positives(n, args.ratio_experiments, model=model, seed=args.seed)
            for n in sizes
        ]
        print(f"| {model} | " + " | ".join(f"{r:.2%}" for r in rates) + " |")
    p = fixed_horizon_power(args.power_experiments, seed=args.seed)
    print(
        f"\nPower: {BASELINE:.0%} → {BASELINE * (1 + RELATIVE_MDE):.0%} "
        f"(relative MDE {RELATIVE_MDE:.0%}), α = {ALPHA}, planned power {p.planned:.0%}.\n"
    )
    print("| units per variant | experiments | fixed horizon | sequential, 100 looks | wall time |")
    print("|---:|---:|---:|---:|---:|")
    print(
        f"| {p.units_per_variant:,} | {p.experiments:,} | {p.fixed_horizon:.1%} "
        f"| {p.sequential:.1%} | {p.seconds:.1f} s |"
    )


if __name__ == "__main__":
    main()
