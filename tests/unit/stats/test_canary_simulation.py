"""The canary judge over whole simulated canaries (the simulator is
``benchmarks/canary_simulation.py``, which prints the same figures as a table)."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import Executor

import pytest
from benchmarks.canary_simulation import (
    HEAVY_TAILS,
    IDENTICAL,
    UNREACHABLE,
    Canary,
    Scenario,
    default_workers,
    simulate,
    simulate_tail,
    threshold_gates,
    worker_pool,
)

ALPHA = 0.05  # the simulator judges with alpha 0.05 and Gates() defaults


def share(results: list[Canary], outcome: str) -> float:
    return sum(1 for r in results if r.outcome == outcome) / len(results)


@pytest.fixture(scope="module")
def pool() -> Iterator[Executor]:
    with worker_pool(default_workers()) as pool:
        yield pool


@pytest.fixture(scope="module")
def identical(pool: Executor) -> list[Canary]:
    # 2,500 canaries keep the suite fast and alpha ~12 standard errors above the measured rate;
    # benchmarks/canary_simulation.py runs 10,000.
    return simulate(IDENTICAL, range(2_500), pool=pool)


def test_an_identical_candidate_is_wrongly_rolled_back_at_most_alpha_of_the_time(
    identical: list[Canary],
) -> None:
    assert len(identical) == 2_500
    # measured: 1.84 % (46 of 2,500; the benchmark's 10,000: 1.82 %), most of them at the 5 or
    # 20 % step (2.99 % before issue 15: the exact Fisher test and the tail comparison's share
    # of alpha)
    assert share(identical, "rolled_back") <= ALPHA


def test_an_identical_candidate_is_promoted_in_most_canaries(identical: list[Canary]) -> None:
    assert share(identical, "promoted") >= 0.95
    assert share(identical, "stuck") == 0


def test_five_points_more_errors_are_rolled_back_before_half_the_traffic(pool: Executor) -> None:
    scenario = Scenario("errors 1 % → 6 %", candidate_error_rate=0.06)
    results = simulate(scenario, range(1000), pool=pool)
    assert share(results, "rolled_back") == 1.0
    early = sum(1 for r in results if r.outcome == "rolled_back" and r.weight < 50)
    # measured: 94.9 % at the 5 or 20 % step (the 5 % step sees ~60 requests: ~3.6 errors);
    # 98.0 % before issue 15, with the z-test that was liberal at these counts, α′ = 0.05 / 6
    # (now 0.05 / 9: the tail comparison takes a share) and Fisher's exact test: the price of
    # an honest level, about 1.3 points for the share and 2 for the exact test
    assert early / len(results) >= 0.93


def test_a_candidate_without_traffic_is_never_promoted() -> None:
    results = simulate(UNREACHABLE, range(50))
    assert all(r.outcome == "stuck" and r.weight == 5.0 for r in results)
    assert all(r.intervals == 20 for r in results)


def test_results_do_not_depend_on_where_the_canaries_run(pool: Executor) -> None:
    scenario = Scenario("errors 1 % → 2 %", candidate_error_rate=0.02)
    assert simulate(scenario, range(100), pool=pool) == simulate(scenario, range(100))


# -- issue 15: thresholds within alpha, tail-only regressions ---------------------------------


def test_heavy_tailed_identical_canaries_with_thresholds_stay_within_alpha(pool: Executor) -> None:
    # absolute thresholds 20 % above the baseline's true p95 and error rate; the benchmark runs
    # 10,000 canaries (1.5 %), this the first 500 (before issue 15, thresholds compared the
    # noisy estimate with the limit: a 60-request window with one error read 1.7 % > 1.2 %)
    gates = threshold_gates(HEAVY_TAILS, 1.2)
    results = simulate(IDENTICAL, range(500), pool=pool, traffic=HEAVY_TAILS, gates=gates)
    assert share(results, "rolled_back") <= ALPHA
    assert share(results, "promoted") >= 0.95


def test_a_truly_broken_threshold_is_still_caught(pool: Executor) -> None:
    # thresholds 20 % below the baseline's: the candidate truly breaks them, a rollback is right
    gates = threshold_gates(HEAVY_TAILS, 0.8)
    results = simulate(IDENTICAL, range(100), pool=pool, traffic=HEAVY_TAILS, gates=gates)
    assert share(results, "rolled_back") >= 0.7


def test_a_p99_only_regression_on_200k_requests_a_side_is_caught(pool: Executor) -> None:
    # p99 +30 % (435 → 566 ms), median and p95 unchanged; the benchmark runs 1,000 windows
    windows = simulate_tail(range(20), pool=pool, p99_factor=1.3)
    assert sum(w.tail_failed for w in windows) / len(windows) >= 0.9
    assert not any(w.median_failed for w in windows)  # the median alone would promote
    # what the controller reads (the latest 20,000 latencies a side) still catches it
    sampled = simulate_tail(range(20), pool=pool, p99_factor=1.3, latencies_judged=20_000)
    assert sum(w.tail_failed for w in sampled) / len(sampled) >= 0.9
