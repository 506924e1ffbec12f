"""Simulated canaries: how often the canary judge rolls back a good candidate, and how soon it
catches a bad one.

A canary walks the steps 5, 20, 50 and 100 % of traffic. Each interval brings Poisson traffic
(20 requests/s for 60 s on average), split binomially by the step's weight; errors are binomial
(the baseline fails 1 % of requests) and latencies lognormal (median 20 ms, sigma 0.4). After
every interval the step's window, all traffic since the step began, is judged with
``pasarela.stats.canary.judge``: "rollback" stops the canary, "hold" adds one more interval to
the same window (after 20 intervals the canary is stuck, never promoted), "promote" moves to the
next step; passing the last judged step (50 %) promotes. Every canary has its own seeded RNG.
Run with the project's environment:

    .venv/bin/python benchmarks/canary_simulation.py [--canaries 10000] [--bad-canaries 1000]
        [--tail-windows 1000] [--workers N]

It also runs the issue-15 scenarios: an identical candidate with heavy-tailed latency and
absolute thresholds at the baseline's true p95 and error rate × 1.2, × 1.0 (and × 0.8, where
the gate is truly broken and a rollback is right), and a tail-only regression (p99 +30 %,
median and p95 unchanged) on one window of 200,000 requests a side.
"""

from __future__ import annotations

import argparse
import math
import multiprocessing
import os
import resource
import time
from collections import Counter
from collections.abc import Sequence
from concurrent.futures import Executor, ProcessPoolExecutor
from dataclasses import dataclass, field
from functools import partial
from typing import Literal

import numpy as np

from pasarela.stats.canary import Gates, VersionWindow, judge

STEPS = (5.0, 20.0, 50.0, 100.0)
"""Candidate traffic in percent; every step but the last is judged."""

Outcome = Literal["promoted", "rolled_back", "stuck"]


@dataclass(frozen=True)
class Scenario:
    name: str
    candidate_error_rate: float = 0.01
    candidate_latency_factor: float = 1.0
    candidate_reachable: bool = True
    """False: routing sends the candidate nothing, whatever the weight."""


@dataclass(frozen=True)
class Traffic:
    rate_per_s: float = 20.0
    interval_s: float = 60.0
    baseline_error_rate: float = 0.01
    median_latency_s: float = 0.020
    latency_sigma: float = 0.4
    latency_df: float | None = None
    """None: lognormal latency; a number: log-t with these degrees of freedom (heavy tails:
    the log of the latency is Student-t, scaled by ``latency_sigma``)."""

    def latency_quantile_s(self, q: float) -> float:
        """The baseline's true ``q``-quantile (where thresholds are set)."""
        from scipy import stats

        z = stats.norm.ppf(q) if self.latency_df is None else stats.t.ppf(q, self.latency_df)
        return self.median_latency_s * math.exp(self.latency_sigma * float(z))

    def latencies(self, rng: np.random.Generator, n: int, factor: float) -> np.ndarray:
        median = self.median_latency_s * factor
        if self.latency_df is None:
            return rng.lognormal(math.log(median), self.latency_sigma, n)
        return median * np.exp(self.latency_sigma * rng.standard_t(self.latency_df, n))


TRAFFIC = Traffic()
GATES = Gates()


@dataclass(frozen=True)
class Canary:
    """How one simulated canary ended."""

    outcome: Outcome
    weight: float
    """The step it ended at: where it was rolled back or stuck, 100 when promoted."""
    intervals: int


@dataclass
class _Window:
    requests: int = 0
    errors: int = 0
    latencies: list[np.ndarray] = field(default_factory=list)

    def add(
        self, rng: np.random.Generator, n: int, error_rate: float, traffic: Traffic, factor: float
    ) -> None:
        self.requests += n
        self.errors += int(rng.binomial(n, error_rate))
        self.latencies.append(traffic.latencies(rng, n, factor))

    def frozen(self) -> VersionWindow:
        return VersionWindow(self.requests, self.errors, np.concatenate(self.latencies))


def simulate_canary(
    scenario: Scenario,
    seed: int,
    *,
    traffic: Traffic = TRAFFIC,
    gates: Gates = GATES,
    alpha: float = 0.05,
    min_requests: int = 50,
    max_intervals: int = 20,
) -> Canary:
    rng = np.random.default_rng(seed)
    judged = STEPS[:-1]
    intervals = 0
    for weight in judged:
        candidate, baseline = _Window(), _Window()
        for _ in range(max_intervals):
            intervals += 1
            n = int(rng.poisson(traffic.rate_per_s * traffic.interval_s))
            to_candidate = int(rng.binomial(n, weight / 100)) if scenario.candidate_reachable else 0
            candidate.add(
                rng,
                to_candidate,
                scenario.candidate_error_rate,
                traffic,
                scenario.candidate_latency_factor,
            )
            baseline.add(rng, n - to_candidate, traffic.baseline_error_rate, traffic, 1.0)
            verdict = judge(
                candidate.frozen(),
                baseline.frozen(),
                gates,
                min_requests=min_requests,
                alpha=alpha,
                looks=len(judged),
            )
            if verdict.action == "rollback":
                return Canary("rolled_back", weight, intervals)
            if verdict.action == "promote":
                break
        else:
            return Canary("stuck", weight, intervals)
    return Canary("promoted", STEPS[-1], intervals)


def simulate(
    scenario: Scenario,
    seeds: Sequence[int],
    *,
    pool: Executor | None = None,
    traffic: Traffic = TRAFFIC,
    gates: Gates = GATES,
    min_requests: int = 50,
) -> list[Canary]:
    """One canary per seed, in the seeds' order, here or shared out to ``pool``'s workers (each
    canary has its own RNG, so the results are the same either way)."""
    run = partial(_simulate_all, scenario, traffic=traffic, gates=gates, min_requests=min_requests)
    if pool is None:
        return run(seeds)
    size = max(25, math.ceil(len(seeds) / 32))  # many chunks a worker even out their pace
    chunks = [seeds[i : i + size] for i in range(0, len(seeds), size)]
    return [canary for chunk in pool.map(run, chunks) for canary in chunk]


def default_workers() -> int:
    """One per CPU this process may use, at most 8."""
    return max(1, min(8, len(os.sched_getaffinity(0))))


def worker_pool(workers: int) -> ProcessPoolExecutor:
    """Processes for ``simulate``."""
    # spawned, not forked: the caller (a test run) may have threads a fork would copy mid-lock
    context = multiprocessing.get_context("spawn")
    return ProcessPoolExecutor(max_workers=workers, mp_context=context)


def _simulate_all(
    scenario: Scenario, seeds: Sequence[int], *, traffic: Traffic, gates: Gates, min_requests: int
) -> list[Canary]:
    return [
        simulate_canary(scenario, seed, traffic=traffic, gates=gates, min_requests=min_requests)
        for seed in seeds
    ]


@dataclass(frozen=True)
class Figures:
    canaries: int
    rolled_back: float
    rolled_back_before_50: float
    """Share of the rolled-back canaries that stopped at the 5 or 20 % step."""
    promoted: float
    stuck: float
    seconds: float


def figures(results: list[Canary], seconds: float) -> Figures:
    outcomes = Counter(r.outcome for r in results)
    rolled_back = [r for r in results if r.outcome == "rolled_back"]
    early = sum(1 for r in rolled_back if r.weight < 50)
    return Figures(
        canaries=len(results),
        rolled_back=outcomes["rolled_back"] / len(results),
        rolled_back_before_50=early / len(rolled_back) if rolled_back else math.nan,
        promoted=outcomes["promoted"] / len(results),
        stuck=outcomes["stuck"] / len(results),
        seconds=seconds,
    )


IDENTICAL = Scenario("identical candidate")
WORSE = (
    Scenario("errors +1 pp (1 % → 2 %, = tolerance)", candidate_error_rate=0.02),
    Scenario("errors +2 pp (1 % → 3 %, 2× tolerance)", candidate_error_rate=0.03),
    Scenario("errors +5 pp (1 % → 6 %)", candidate_error_rate=0.06),
    Scenario("latency +10 % (= tolerance)", candidate_latency_factor=1.10),
    Scenario("latency +20 % (2× tolerance)", candidate_latency_factor=1.20),
)
UNREACHABLE = Scenario("no traffic reaches the candidate", candidate_reachable=False)

HEAVY_TAILS = Traffic(latency_df=3.0)
"""Heavy-tailed latency: log-t with 3 degrees of freedom (median 20 ms, scale 0.4: p95 51 ms,
p99 123 ms, p99.9 ≈ 300 ms), the same traffic and errors otherwise."""


def threshold_gates(traffic: Traffic, factor: float) -> Gates:
    """Default gates plus absolute thresholds at ``factor`` times the baseline's true p95 and
    error rate (1.2: 20 % of headroom; 1.0: a candidate right at the limit)."""
    return Gates(
        max_p95_latency_ms=factor * traffic.latency_quantile_s(0.95) * 1000,
        max_error_rate=factor * traffic.baseline_error_rate,
    )


# -- a tail-only regression on one busy window ----------------------------------------------

TAIL_MEDIAN_S = 0.100
TAIL_SIGMA = math.log(4.35) / 2.3263478740408408
"""Lognormal latency with median 100 ms and p99 435 ms (the issue's numbers)."""
TAIL_FROM = 0.97
"""The regression stretches only the latencies above the baseline's p97."""


def tail_latencies(rng: np.random.Generator, n: int, p99_factor: float) -> np.ndarray:
    """Latencies whose p99 is ``p99_factor`` × the baseline's and whose distribution below
    its p97 (median and p95 included) is the baseline's: x above the p97 c becomes
    c·(x/c)^k, k chosen so the p99 moves by the factor."""
    from scipy import stats

    values = rng.lognormal(math.log(TAIL_MEDIAN_S), TAIL_SIGMA, n)
    if p99_factor == 1.0:
        return values
    start = TAIL_MEDIAN_S * math.exp(TAIL_SIGMA * float(stats.norm.ppf(TAIL_FROM)))
    p99 = TAIL_MEDIAN_S * math.exp(TAIL_SIGMA * float(stats.norm.ppf(0.99)))
    k = math.log(p99_factor * p99 / start) / math.log(p99 / start)
    tail = values > start
    values[tail] = start * (values[tail] / start) ** k
    return values


@dataclass(frozen=True)
class TailWindow:
    """One judged window of the tail-only regression."""

    action: str
    tail_failed: bool
    median_failed: bool


def judge_tail_window(
    seed: int,
    *,
    requests: int = 200_000,
    p99_factor: float = 1.3,
    latencies_judged: int | None = None,
    gates: Gates = GATES,
    looks: int = 3,
) -> TailWindow:
    """``requests`` a side, 1 % errors on both, the candidate's p99 × ``p99_factor``; the judge
    sees every latency, or the last ``latencies_judged`` of each (the controller reads the
    latest 20,000), with the canary's Bonferroni split over ``looks``."""
    rng = np.random.default_rng(seed)
    errors = rng.binomial(requests, 0.01, 2)
    shown = requests if latencies_judged is None else min(requests, latencies_judged)
    candidate = VersionWindow(requests, int(errors[0]), tail_latencies(rng, shown, p99_factor))
    baseline = VersionWindow(requests, int(errors[1]), tail_latencies(rng, shown, 1.0))
    verdict = judge(candidate, baseline, gates, min_requests=50, looks=looks)
    status = {check.name: check.status for check in verdict.checks}
    return TailWindow(
        verdict.action,
        status.get("tail_latency_vs_baseline") == "fail",
        status.get("latency_vs_baseline") == "fail",
    )


def _judge_tail_all(seeds: Sequence[int], **options: object) -> list[TailWindow]:
    return [judge_tail_window(seed, **options) for seed in seeds]  # type: ignore[arg-type]


def simulate_tail(
    seeds: Sequence[int], *, pool: Executor | None = None, **options: object
) -> list[TailWindow]:
    """``judge_tail_window`` for each seed, here or on ``pool``'s workers."""
    run = partial(_judge_tail_all, **options)
    if pool is None:
        return run(seeds)
    size = max(5, math.ceil(len(seeds) / 32))
    chunks = [seeds[i : i + size] for i in range(0, len(seeds), size)]
    return [window for chunk in pool.map(run, chunks) for window in chunk]


def _cpu_s() -> float:
    """CPU seconds of this process and of its finished workers."""
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time() + children.ru_utime + children.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--canaries", type=int, default=10_000, help="identical-candidate runs")
    parser.add_argument("--bad-canaries", type=int, default=1_000, help="runs per other scenario")
    parser.add_argument("--tail-windows", type=int, default=1_000, help="tail-only windows")
    parser.add_argument("--workers", type=int, default=default_workers(), help="processes")
    args = parser.parse_args()

    with worker_pool(args.workers) as pool:
        print(
            f"Steps {', '.join(f'{s:g}' for s in STEPS)} %; {TRAFFIC.rate_per_s:g} req/s × "
            f"{TRAFFIC.interval_s:g} s per interval (Poisson); baseline 1 % errors, lognormal "
            "latency (median 20 ms, sigma 0.4); Gates() defaults, alpha 0.05, looks 3, "
            f"min_requests 50. {args.workers} worker processes.\n"
        )
        print(
            "| scenario | canaries | rolled back | of those, before 50 % | promoted | stuck "
            "| wall time |"
        )
        print("|---|---:|---:|---:|---:|---:|---:|")
        runs = [(IDENTICAL, args.canaries), *((s, args.bad_canaries) for s in WORSE)]
        runs.append((UNREACHABLE, max(1, args.bad_canaries // 10)))
        for scenario, count in runs:
            started = time.perf_counter()
            results = simulate(scenario, range(count), pool=pool)
            f = figures(results, time.perf_counter() - started)
            early = "–" if math.isnan(f.rolled_back_before_50) else f"{f.rolled_back_before_50:.1%}"
            print(
                f"| {scenario.name} | {f.canaries:,} | {f.rolled_back:.2%} | {early} "
                f"| {f.promoted:.1%} | {f.stuck:.1%} | {f.seconds:.1f} s |"
            )
        print(
            "\nHeavy-tailed latency (log-t, 3 df, median 20 ms, scale 0.4: p95 "
            f"{HEAVY_TAILS.latency_quantile_s(0.95) * 1000:.1f} ms), identical candidate, "
            "Gates() plus max_p95_latency_ms and max_error_rate at a factor of the baseline's "
            "true p95 and error rate (5 tests a step, alpha 0.05 / 15 each):\n"
        )
        print("| thresholds at | canaries | rolled back | promoted | stuck | wall time |")
        print("|---|---:|---:|---:|---:|---:|")
        for factor, count in ((1.2, args.canaries), (1.0, args.canaries), (0.8, args.bad_canaries)):
            started = time.perf_counter()
            gates = threshold_gates(HEAVY_TAILS, factor)
            results = simulate(IDENTICAL, range(count), pool=pool, traffic=HEAVY_TAILS, gates=gates)
            f = figures(results, time.perf_counter() - started)
            print(
                f"| {factor:g} × baseline | {f.canaries:,} | {f.rolled_back:.2%} "
                f"| {f.promoted:.1%} | {f.stuck:.1%} | {f.seconds:.1f} s |"
            )
        print(
            "\nTail-only regression: one window, 200,000 requests a side, lognormal latency "
            "(median 100 ms, p99 435 ms), the candidate's latencies above the p97 stretched; "
            "Gates() defaults, alpha 0.05, looks 3:\n"
        )
        print(
            "| p99 | latencies judged | windows | rolled back | tail check failed "
            "| median check failed | wall time |"
        )
        print("|---|---:|---:|---:|---:|---:|---:|")
        for factor, judged in ((1.3, None), (1.3, 20_000), (1.0, None)):
            started = time.perf_counter()
            windows = simulate_tail(
                range(args.tail_windows), pool=pool, p99_factor=factor, latencies_judged=judged
            )
            n = len(windows)
            print(
                f"| ×{factor:g} | {judged or 200_000:,} a side | {n:,} "
                f"| {sum(w.action == 'rollback' for w in windows) / n:.1%} "
                f"| {sum(w.tail_failed for w in windows) / n:.1%} "
                f"| {sum(w.median_failed for w in windows) / n:.1%} "
                f"| {time.perf_counter() - started:.1f} s |"
            )
    print(f"\nCPU time, all processes: {_cpu_s():.0f} s")


if __name__ == "__main__":
    main()
