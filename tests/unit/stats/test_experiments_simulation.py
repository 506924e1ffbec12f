"""The experiment statistics over whole simulated experiments (the simulator is
``benchmarks/experiment_simulation.py``, which prints the same figures as tables)."""

from __future__ import annotations

import numpy as np
import pytest
from benchmarks.experiment_simulation import (
    PeekingFigures,
    aa_peeking,
    cumulative_successes,
    fixed_horizon_power,
    look_p_values,
)

from pasarela.stats.experiments import Summary
from pasarela.stats.frequentist import compare
from pasarela.stats.sequential import sequential

ALPHA = 0.05


@pytest.fixture(scope="module")
def peeking() -> PeekingFigures:
    return aa_peeking(10_000, looks=100, units_per_look=100)


def test_the_sequential_test_keeps_its_false_positive_rate_under_peeking(
    peeking: PeekingFigures,
) -> None:
    # 10,000 A/A experiments at 10 %, tested after every 100 units per variant up to 10,000
    assert peeking.experiments == 10_000 and peeking.looks == 100
    # measured: 1.51 % (151 of 10,000) ever significant
    assert peeking.sequential <= ALPHA


def test_a_fixed_horizon_test_under_the_same_peeking_is_far_above_alpha(
    peeking: PeekingFigures,
) -> None:
    # measured: 38.2 % ever significant (the textbook figure for 100 looks is about 37 %)
    assert peeking.naive > 0.30


def test_the_sequential_test_keeps_its_false_positive_rate_when_looked_at_after_every_unit() -> (
    None
):
    figures = aa_peeking(1_000, looks=10_000, units_per_look=1)
    # measured: 2.0 % sequential, 58.6 % naive, from the very first unit of each arm on
    assert figures.sequential <= ALPHA
    assert figures.naive > 0.40


def test_the_fixed_horizon_test_has_the_power_the_calculator_promises() -> None:
    figures = fixed_horizon_power(4_000)  # 10 % → 11 %, α 0.05, planned power 0.8
    assert figures.units_per_variant == 14_751
    # measured: 80.3 % (the standard error of 4,000 experiments is 0.6 points)
    assert abs(figures.fixed_horizon - 0.80) <= 0.03
    # the price of looking at will: the sequential test has less power at the same size
    assert figures.sequential < figures.fixed_horizon


def test_the_simulation_tests_what_the_api_computes() -> None:
    rng = np.random.default_rng(3)
    successes = cumulative_successes(rng, 50, 40, 25, (0.10, 0.12))
    units = 25 * np.arange(1, 41)
    sequential_p, naive_p = look_p_values(successes, units, alpha=ALPHA, tuning=500)
    for experiment, look in zip(rng.integers(0, 50, 200), rng.integers(0, 40, 200), strict=True):
        n = int(units[look])
        control = Summary.of_rate(int(successes[experiment, look, 0]), n)
        treatment = Summary.of_rate(int(successes[experiment, look, 1]), n)
        expected = sequential(control, treatment, kind="rate", tuning=500).p_value
        assert sequential_p[experiment, look] == pytest.approx(expected, rel=1e-9)
        assert naive_p[experiment, look] == pytest.approx(
            compare(control, treatment, kind="rate").p_value, rel=1e-9
        )


def test_the_figures_do_not_depend_on_the_chunk_size(monkeypatch: pytest.MonkeyPatch) -> None:
    whole = aa_peeking(300, looks=20, units_per_look=50, seed=9)
    monkeypatch.setattr("benchmarks.experiment_simulation.CHUNK_CELLS", 20 * 7)
    chunked = aa_peeking(300, looks=20, units_per_look=50, seed=9)
    assert (whole.sequential, whole.naive) == (chunked.sequential, chunked.naive)
    assert whole.naive > 0
