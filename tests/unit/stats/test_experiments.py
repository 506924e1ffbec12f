"""The experiment statistics (``pasarela.stats.experiments`` and the ``frequentist``,
``sequential``, ``bayesian`` and ``design`` modules) against statsmodels, scipy, closed forms,
bootstraps and textbook figures. Whole simulated experiments are in
``test_experiments_simulation.py``."""

from __future__ import annotations

import json
import math
import subprocess
import sys

import numpy as np
import pytest
from scipy import special, stats
from statsmodels.stats.multitest import multipletests
from statsmodels.stats.power import NormalIndPower, zt_ind_solve_power
from statsmodels.stats.proportion import (
    confint_proportions_2indep,
    power_proportions_2indep,
    proportion_effectsize,
    proportions_ztest,
    samplesize_proportions_2indep_onetail,
)
from statsmodels.stats.proportion import (
    test_proportions_2indep as score_test,  # renamed: pytest would collect test_*
)
from statsmodels.stats.weightstats import CompareMeans, DescrStatsW

from pasarela.stats.bayesian import BayesEffect, bayesian
from pasarela.stats.design import duration_days, sample_size, units_needed
from pasarela.stats.experiments import RatioSummary, Summary
from pasarela.stats.frequentist import (
    SRM_ALPHA,
    WELCH,
    Z_TEST,
    compare,
    holm,
    sample_ratio,
)
from pasarela.stats.sequential import DEFAULT_HORIZON, METHOD, sequential

Z_975 = stats.norm.isf(0.025)


def rate(successes: int, n: int) -> Summary:
    return Summary.of_rate(successes, n)


def lognormal(seed: int, n: int, mu: float = 1.0, sigma: float = 0.5) -> np.ndarray:
    return np.random.default_rng(seed).lognormal(mu, sigma, n)


# -- Summary --------------------------------------------------------------------------------


def test_a_summary_gives_mean_and_sample_variance() -> None:
    values = [2.0, 4.0, 4.0, 4.0, 5.0, 5.0, 7.0, 9.0]
    summary = Summary.of_values(values)
    assert summary == Summary(8, 40.0, 232.0)
    assert summary.mean == 5.0
    assert summary.variance == pytest.approx(np.var(values, ddof=1))
    assert Summary.of_rate(3, 4) == Summary(4, 3.0, 3.0)


def test_an_empty_or_single_summary_has_no_mean_and_zero_variance() -> None:
    assert math.isnan(Summary(0, 0.0, 0.0).mean)
    assert Summary(1, 5.0, 25.0).variance == 0.0
    # sum_sq - sum²/n a hair below 0 in floating point is clamped
    assert Summary(3, 0.3, 0.03).variance >= 0.0


# -- compare: rates against statsmodels ------------------------------------------------------

RATE_CASES = [(1000, 10_000, 1100, 10_000), (1000, 10_000, 1100, 9_000), (12, 80, 25, 95)]


@pytest.mark.parametrize(("s_c", "n_c", "s_t", "n_t"), RATE_CASES)
def test_a_rate_p_value_is_the_pooled_two_proportion_z_test(
    s_c: int, n_c: int, s_t: int, n_t: int
) -> None:
    effect = compare(rate(s_c, n_c), rate(s_t, n_t), kind="rate")
    assert effect.test == Z_TEST
    # the score test without the n/(n-1) correction is the pooled z-test at "no difference"
    score = score_test(s_t, n_t, s_c, n_c, method="score", correction=False)
    assert effect.p_value == pytest.approx(score.pvalue, rel=1e-9)
    assert effect.p_value == pytest.approx(proportions_ztest([s_t, s_c], [n_t, n_c])[1], rel=1e-9)


@pytest.mark.parametrize(("s_c", "n_c", "s_t", "n_t"), RATE_CASES)
@pytest.mark.parametrize("alpha", [0.05, 0.10])
def test_a_rate_interval_is_the_unpooled_wald_interval(
    s_c: int, n_c: int, s_t: int, n_t: int, alpha: float
) -> None:
    effect = compare(rate(s_c, n_c), rate(s_t, n_t), kind="rate", alpha=alpha)
    low, high = confint_proportions_2indep(s_t, n_t, s_c, n_c, method="wald", alpha=alpha)
    assert effect.absolute_ci == pytest.approx((low, high), rel=1e-9)
    assert effect.absolute == pytest.approx(s_t / n_t - s_c / n_c)
    assert (effect.control_mean, effect.treatment_mean) == (s_c / n_c, s_t / n_t)


def test_a_worked_two_proportion_example_by_hand() -> None:
    # 10.0 % vs 11.0 % of 10,000 each: pooled 10.5 %, SE sqrt(.105 × .895 × 2/10,000)
    effect = compare(rate(1000, 10_000), rate(1100, 10_000), kind="rate")
    z = 0.01 / math.sqrt(0.105 * 0.895 * 2 / 10_000)
    assert z == pytest.approx(2.3067, abs=1e-4)
    assert effect.p_value == pytest.approx(0.02107, abs=1e-5)
    assert effect.relative == pytest.approx(0.10)


def test_identical_all_zero_rates_have_no_difference() -> None:
    effect = compare(rate(0, 500), rate(0, 400), kind="rate")
    assert effect.p_value == 1.0
    assert effect.absolute_ci == (0.0, 0.0)
    assert effect.relative is None and effect.relative_ci is None  # control mean 0


# -- compare: means against scipy and statsmodels --------------------------------------------


@pytest.mark.parametrize(("n_c", "n_t", "shift"), [(400, 400, 0.1), (50, 300, 0.0), (30, 12, 1.0)])
def test_a_mean_is_compared_with_welchs_t_test(n_c: int, n_t: int, shift: float) -> None:
    x_c = lognormal(1, n_c)
    x_t = lognormal(2, n_t, sigma=0.8) + shift
    control, treatment = Summary.of_values(x_c), Summary.of_values(x_t)
    effect = compare(control, treatment, kind="mean", alpha=0.1)
    assert effect.test == WELCH
    scipy_p = stats.ttest_ind_from_stats(
        x_t.mean(), x_t.std(ddof=1), n_t, x_c.mean(), x_c.std(ddof=1), n_c, equal_var=False
    ).pvalue
    assert effect.p_value == pytest.approx(scipy_p, rel=1e-9)
    means = CompareMeans(DescrStatsW(x_t), DescrStatsW(x_c))
    assert effect.p_value == pytest.approx(means.ttest_ind(usevar="unequal")[1], rel=1e-9)
    interval = means.tconfint_diff(alpha=0.1, usevar="unequal")
    assert effect.absolute_ci == pytest.approx(interval, rel=1e-9)


def test_constant_means_are_certain() -> None:
    same = compare(Summary(10, 20.0, 40.0), Summary(10, 20.0, 40.0), kind="mean")
    assert (same.p_value, same.absolute_ci) == (1.0, (0.0, 0.0))
    apart = compare(Summary(10, 20.0, 40.0), Summary(10, 30.0, 90.0), kind="mean")
    assert (apart.p_value, apart.absolute_ci) == (0.0, (1.0, 1.0))


# -- compare: the relative interval (delta method) against a bootstrap ------------------------


def test_the_relative_interval_of_a_rate_matches_a_parametric_bootstrap() -> None:
    n, s_c, s_t = 10_000, 1000, 1100
    effect = compare(rate(s_c, n), rate(s_t, n), kind="rate")
    rng = np.random.default_rng(7)
    boot_c = rng.binomial(n, s_c / n, 40_000) / n
    boot_t = rng.binomial(n, s_t / n, 40_000) / n
    bootstrap = np.quantile(boot_t / boot_c - 1, [0.025, 0.975])
    assert effect.relative_ci is not None
    width = effect.relative_ci[1] - effect.relative_ci[0]
    assert width == pytest.approx(bootstrap[1] - bootstrap[0], rel=0.03)
    assert effect.relative_ci == pytest.approx(tuple(bootstrap), abs=0.03 * width)


def test_the_relative_interval_of_a_mean_matches_a_nonparametric_bootstrap() -> None:
    x_c, x_t = lognormal(3, 2000), lognormal(4, 2000) * 1.05
    effect = compare(Summary.of_values(x_c), Summary.of_values(x_t), kind="mean")
    rng = np.random.default_rng(11)
    means_c = x_c[rng.integers(0, x_c.size, (4000, x_c.size))].mean(axis=1)
    means_t = x_t[rng.integers(0, x_t.size, (4000, x_t.size))].mean(axis=1)
    bootstrap = np.quantile(means_t / means_c - 1, [0.025, 0.975])
    assert effect.relative_ci is not None
    width = effect.relative_ci[1] - effect.relative_ci[0]
    assert effect.relative_ci == pytest.approx(tuple(bootstrap), abs=0.05 * width)


def test_relative_change_keeps_its_sign_for_a_negative_control_mean() -> None:
    control = Summary.of_values([-10.0, -12.0, -8.0, -10.0])
    treatment = Summary.of_values([-5.0, -6.0, -4.0, -5.0])
    effect = compare(control, treatment, kind="mean")
    assert effect.absolute == 5.0
    assert effect.relative == pytest.approx(0.5)  # higher than control, by half its size
    assert effect.relative_ci is not None and effect.relative_ci[0] < 0.5 < effect.relative_ci[1]


def test_an_effect_is_plain_json() -> None:
    payload = compare(rate(100, 1000), rate(120, 1000), kind="rate").to_json()
    assert json.loads(json.dumps(payload)) == payload
    assert set(payload) == {
        "control_mean",
        "treatment_mean",
        "absolute",
        "absolute_ci",
        "relative",
        "relative_ci",
        "p_value",
        "test",
    }
    assert all(type(v) in (float, str, list) for v in payload.values())


@pytest.mark.parametrize(
    ("control", "treatment", "kind", "message"),
    [
        (rate(0, 0), rate(1, 10), "rate", "control has 0 units"),
        (Summary.of_values([1.0]), Summary.of_values([1.0, 2.0]), "mean", "at least 2"),
        (rate(5, 10), Summary(10, 11.0, 11.0), "rate", "between 0 and n"),
        (rate(5, 10), rate(5, 10), "ratio", "kind must be"),
    ],
)
def test_summaries_that_cannot_be_analysed_are_refused(
    control: Summary, treatment: Summary, kind: str, message: str
) -> None:
    for analysis in (compare, sequential, bayesian):
        with pytest.raises(ValueError, match=message):
            analysis(control, treatment, kind=kind)  # type: ignore[arg-type]


@pytest.mark.parametrize("alpha", [0.0, 1.0, -0.1, math.nan])
def test_alpha_must_be_a_probability(alpha: float) -> None:
    for analysis in (compare, sequential, bayesian):
        with pytest.raises(ValueError, match="alpha"):
            analysis(rate(10, 100), rate(12, 100), kind="rate", alpha=alpha)


# -- sequential -----------------------------------------------------------------------------


def mixture_ratio(difference: float, variance: float, tau2: float) -> float:
    """Johari et al.'s mixture likelihood ratio at "no difference", by hand."""
    return math.sqrt(variance / (variance + tau2)) * math.exp(
        tau2 * difference**2 / (2 * variance * (variance + tau2))
    )


C_ALPHA = 2 * math.log(20) + math.log(1 + 2 * math.log(20))  # at α = 0.05


def test_the_sequential_p_value_is_one_over_the_mixture_likelihood_ratio() -> None:
    n, horizon = 5000, 20_000.0
    effect = sequential(rate(500, n), rate(580, n), kind="rate", tuning=horizon)
    pooled = 1080 / (2 * n)
    variance = 2 * pooled * (1 - pooled) / n
    tau2 = C_ALPHA * 2 * pooled * (1 - pooled) / horizon  # narrowest at the horizon
    assert effect.p_value == pytest.approx(1 / mixture_ratio(80 / n, variance, tau2), rel=1e-9)
    assert effect.method == METHOD
    # tuned to the units seen, τ²/V is c_α
    at_horizon = sequential(rate(500, n), rate(580, n), kind="rate", tuning=n)
    expected = 1 / mixture_ratio(80 / n, variance, C_ALPHA * variance)
    assert at_horizon.p_value == pytest.approx(expected, rel=1e-9)


@pytest.mark.parametrize("kind", ["rate", "mean"])
def test_the_p_value_is_below_alpha_exactly_when_the_sequence_excludes_zero(kind: str) -> None:
    rng = np.random.default_rng(5)
    decided = 0
    for _ in range(300):
        n_c, n_t = (int(x) for x in rng.integers(50, 5000, 2))
        if kind == "rate":
            control = rate(int(rng.binomial(n_c, 0.1)), n_c)
            treatment = rate(int(rng.binomial(n_t, rng.uniform(0.08, 0.16))), n_t)
        else:
            control = Summary.of_values(rng.normal(10, 3, n_c))
            treatment = Summary.of_values(rng.normal(rng.uniform(9.5, 11), 3, n_t))
        effect = sequential(control, treatment, kind=kind, tuning=2000)  # type: ignore[arg-type]
        low, high = effect.ci
        assert low <= treatment.mean - control.mean <= high
        assert (effect.p_value < 0.05) == (low > 0 or high < 0)
        decided += effect.p_value < 0.05
    assert 30 < decided < 270  # both outcomes are exercised


def test_the_sequence_is_wider_than_the_fixed_horizon_interval_by_the_documented_factor() -> None:
    control, treatment = rate(1000, 10_000), rate(1000, 10_000)  # pooled = unpooled variance
    fixed = compare(control, treatment, kind="rate")
    tuned = sequential(control, treatment, kind="rate", tuning=10_000)
    ratio = (tuned.ci[1] - tuned.ci[0]) / (fixed.absolute_ci[1] - fixed.absolute_ci[0])
    assert ratio == pytest.approx(1.5486, abs=1e-4)
    assert tuned.p_value == 1.0


def test_the_sequence_is_narrowest_near_its_tuned_horizon() -> None:
    control = Summary.of_values(np.random.default_rng(1).normal(5, 2, 3000))
    treatment = Summary.of_values(np.random.default_rng(2).normal(5, 2, 3000))

    def width(tuning: float) -> float:
        low, high = sequential(control, treatment, kind="mean", tuning=tuning).ci
        return high - low

    best = min(width(t) for t in np.geomspace(300, 30_000, 201))
    assert width(3000) == pytest.approx(best, rel=1e-3)
    assert width(30_000) / best == pytest.approx(1.270, abs=0.005)  # tuned to 10× the units
    assert width(300) / best == pytest.approx(1.068, abs=0.005)  # to a tenth of them
    assert width(DEFAULT_HORIZON) == width(None)  # type: ignore[arg-type]


def test_a_large_effect_is_detected_and_no_effect_is_not() -> None:
    found = sequential(rate(1000, 10_000), rate(1300, 10_000), kind="rate")
    assert found.p_value < 1e-6 and found.ci[0] > 0
    none = sequential(rate(1000, 10_000), rate(1010, 10_000), kind="rate")
    assert none.p_value == 1.0 and none.ci[0] < 0 < none.ci[1]


def test_a_rate_sequence_with_nothing_to_go_on_spans_every_difference() -> None:
    assert sequential(rate(0, 3), rate(0, 5), kind="rate").ci == (-1.0, 1.0)
    assert sequential(rate(3, 3), rate(5, 5), kind="rate").p_value == 1.0
    # one success out of one against none out of one is not certain, unlike the unpooled SE
    early = sequential(rate(0, 1), rate(1, 1), kind="rate")
    assert early.p_value > 0.99 and early.ci == (-1.0, 1.0)


@pytest.mark.parametrize("tuning", [0.0, -5.0, math.nan])
def test_tuning_must_be_positive(tuning: float) -> None:
    with pytest.raises(ValueError, match="tuning"):
        sequential(rate(10, 100), rate(12, 100), kind="rate", tuning=tuning)


def test_a_sequential_effect_is_plain_json() -> None:
    payload = sequential(rate(100, 1000), rate(120, 1000), kind="rate").to_json()
    assert json.loads(json.dumps(payload)) == payload


# -- bayesian -------------------------------------------------------------------------------


def exact_probability_to_beat(s_c: int, n_c: int, s_t: int, n_t: int) -> float:
    """P(B > A) for A ~ Beta(a_c, b_c), B ~ Beta(a_t, b_t), integer a_t (Evan Miller, "Formulas
    for Bayesian A/B testing", 2015): a sum of a_t terms."""
    a_c, b_c, a_t, b_t = 1 + s_c, 1 + n_c - s_c, 1 + s_t, 1 + n_t - s_t
    return sum(
        math.exp(
            special.betaln(a_c + i, b_c + b_t)
            - math.log(b_t + i)
            - special.betaln(1 + i, b_t)
            - special.betaln(a_c, b_c)
        )
        for i in range(a_t)
    )


@pytest.mark.parametrize(
    ("s_c", "n_c", "s_t", "n_t"),
    [(12, 100, 20, 100), (30, 200, 25, 150), (0, 3, 2, 2), (3, 10, 3000, 10_000), (4, 8, 4, 8)],
)
def test_the_chance_to_beat_of_a_rate_matches_the_exact_formula(
    s_c: int, n_c: int, s_t: int, n_t: int
) -> None:
    exact = exact_probability_to_beat(s_c, n_c, s_t, n_t)
    effect = bayesian(rate(s_c, n_c), rate(s_t, n_t), kind="rate")
    assert effect.probability_to_beat == pytest.approx(exact, abs=1e-7)


@pytest.mark.parametrize(("successes", "n"), [(0, 1), (1, 1), (3, 20), (100, 1000), (5000, 50_000)])
def test_identical_rate_arms_read_exactly_even_odds(successes: int, n: int) -> None:
    """Issue 15 item 6a: every report reused seed-0 draws, so identical arms read 0.496-0.499
    every time; the integral is exact, and the interval is symmetric about 0."""
    arm = rate(successes, n)
    effect = bayesian(arm, arm, kind="rate")
    assert effect.probability_to_beat == pytest.approx(0.5, abs=1e-9)
    low, high = effect.credible_interval
    assert low == pytest.approx(-high, abs=1e-8) and low < 0 < high
    lower = bayesian(arm, arm, kind="rate", higher_is_better=False)
    assert lower.probability_to_beat == pytest.approx(0.5, abs=1e-9)
    assert lower.expected_loss == pytest.approx(effect.expected_loss, rel=1e-6)


def test_a_rate_read_out_matches_monte_carlo_with_many_draws() -> None:
    """The loss and the interval have no closed form: against 2 million posterior draws."""
    control, treatment = rate(30, 200), rate(25, 150)
    effect = bayesian(control, treatment, kind="rate", alpha=0.1, higher_is_better=False)
    rng = np.random.default_rng(11)
    draws_c = rng.beta(31, 171, 2_000_000)
    draws_t = rng.beta(26, 126, 2_000_000)
    difference = draws_t - draws_c
    assert effect.probability_to_beat == pytest.approx(np.mean(difference < 0), abs=0.002)
    assert effect.expected_loss == pytest.approx(np.mean(np.maximum(difference, 0)), rel=0.01)
    assert effect.credible_interval == pytest.approx(
        tuple(np.quantile(difference, [0.05, 0.95])), abs=5e-4
    )


def test_a_rate_with_many_units_matches_the_normal_closed_forms() -> None:
    control, treatment = rate(10_000, 100_000), rate(10_150, 100_000)
    drawn = bayesian(control, treatment, kind="rate")
    # Beta(1 + s, 1 + n - s) is close to N(p, p(1 - p)/n) here; the mean path is the closed form
    normal = bayesian(
        Summary(100_000, 10_000.0, 10_000.0), Summary(100_000, 10_150.0, 10_150.0), kind="mean"
    )
    assert drawn.probability_to_beat == pytest.approx(normal.probability_to_beat, abs=0.004)
    assert drawn.expected_loss == pytest.approx(normal.expected_loss, rel=0.03)
    assert drawn.credible_interval == pytest.approx(normal.credible_interval, abs=2e-4)


def test_the_closed_forms_of_a_mean_match_monte_carlo() -> None:
    control, treatment = Summary.of_values(lognormal(5, 500)), Summary.of_values(lognormal(6, 400))
    effect = bayesian(control, treatment, kind="mean", alpha=0.1)
    rng = np.random.default_rng(8)
    draws_c = rng.normal(control.mean, math.sqrt(control.variance / control.n), 1_000_000)
    draws_t = rng.normal(treatment.mean, math.sqrt(treatment.variance / treatment.n), 1_000_000)
    difference = draws_t - draws_c
    assert effect.probability_to_beat == pytest.approx(np.mean(difference > 0), abs=0.002)
    assert effect.expected_loss == pytest.approx(np.mean(np.maximum(-difference, 0)), rel=0.01)
    assert effect.credible_interval == pytest.approx(
        tuple(np.quantile(difference, [0.05, 0.95])), abs=0.002
    )


def test_lower_is_better_flips_the_chance_and_the_loss_not_the_interval() -> None:
    control, treatment = Summary.of_values(lognormal(5, 500)), Summary.of_values(lognormal(6, 400))
    higher = bayesian(control, treatment, kind="mean")
    lower = bayesian(control, treatment, kind="mean", higher_is_better=False)
    assert lower.probability_to_beat == pytest.approx(1 - higher.probability_to_beat)
    assert lower.credible_interval == higher.credible_interval
    d = treatment.mean - control.mean
    # E[max(-D, 0)] - E[max(D, 0)] = -E[D]
    assert higher.expected_loss - lower.expected_loss == pytest.approx(-d)
    rates = bayesian(rate(100, 1000), rate(130, 1000), kind="rate", higher_is_better=False)
    assert rates.probability_to_beat < 0.05 and rates.expected_loss > 0.02


def test_a_rate_read_out_is_deterministic_and_plain_json() -> None:
    control, treatment = rate(100, 1000), rate(115, 1000)
    first = bayesian(control, treatment, kind="rate")
    assert first == bayesian(control, treatment, kind="rate")
    assert isinstance(first, BayesEffect)
    assert json.loads(json.dumps(first.to_json())) == first.to_json()


def test_constant_means_have_a_certain_bayesian_read_out() -> None:
    effect = bayesian(Summary(10, 20.0, 40.0), Summary(10, 10.0, 10.0), kind="mean")
    assert effect == BayesEffect(0.0, 1.0, (-1.0, -1.0))


# -- sample ratio mismatch ------------------------------------------------------------------


def test_a_broken_50_50_split_is_flagged_loudly() -> None:
    check = sample_ratio([50_000, 48_000], [0.5, 0.5])
    assert check.flagged
    assert check.p_value == pytest.approx(1.67e-10, rel=0.01)  # chi² = 2 × 1000² / 49,000
    assert check.expected == (49_000.0, 49_000.0)
    assert check.observed == (50_000, 48_000)


def test_a_small_sample_with_the_same_skew_is_not_flagged() -> None:
    check = sample_ratio([5000, 4800], [50, 50])  # chi² = 4.08, p = 0.043: could be chance
    assert check.p_value == pytest.approx(stats.chisquare([5000, 4800]).pvalue, rel=1e-9)
    assert check.p_value == pytest.approx(0.04335, abs=1e-5)
    assert not check.flagged and SRM_ALPHA == 0.001


@pytest.mark.parametrize("weights", [(50, 50), (90, 10), (1, 1, 2)])
def test_correct_traffic_is_not_flagged(weights: tuple[float, ...]) -> None:
    shares = np.asarray(weights) / sum(weights)
    for seed in range(50):
        counts = np.random.default_rng(seed).multinomial(100_000, shares)
        check = sample_ratio([int(c) for c in counts], weights)
        assert check.p_value == pytest.approx(
            stats.chisquare(counts, 100_000 * shares).pvalue, rel=1e-6
        )
        assert not check.flagged


def test_a_three_way_split_that_starves_one_variant_is_flagged() -> None:
    assert sample_ratio([34_000, 34_000, 32_000], [1, 1, 1]).flagged


def test_no_traffic_is_no_evidence_of_a_mismatch() -> None:
    check = sample_ratio([0, 0], [1, 1])
    assert (check.p_value, check.flagged) == (1.0, False)
    assert json.loads(json.dumps(check.to_json())) == check.to_json()


@pytest.mark.parametrize(
    ("counts", "weights"), [([10], [1]), ([10, 10], [1]), ([10, -1], [1, 1]), ([5, 5], [1, 0])]
)
def test_a_malformed_split_is_refused(counts: list[int], weights: list[float]) -> None:
    with pytest.raises(ValueError):
        sample_ratio(counts, weights)


# -- holm -----------------------------------------------------------------------------------


@pytest.mark.parametrize("seed", range(5))
def test_holm_matches_statsmodels(seed: int) -> None:
    rng = np.random.default_rng(seed)
    p = [*rng.uniform(0, 0.1, 8), 0.01, 0.01, 1.0]  # with ties and a 1
    rng.shuffle(p)
    expected = multipletests(p, method="holm")[1]
    assert holm(p) == pytest.approx(list(expected), rel=1e-12)


def test_holm_of_a_few_values() -> None:
    assert holm([]) == []
    assert holm([0.2]) == [0.2]
    assert holm([0.01, 0.04, 0.03]) == pytest.approx([0.03, 0.06, 0.06])
    with pytest.raises(ValueError, match="between 0 and 1"):
        holm([0.5, 1.5])


# -- design ---------------------------------------------------------------------------------


def test_the_textbook_two_proportion_sample_size() -> None:
    # baseline 10 %, +10 % relative (→ 11 %), α 0.05 two-sided, power 0.8: ~14,750 a group
    n = sample_size(kind="rate", baseline_mean=0.10, mde=0.10)
    assert n == 14_751
    assert n == math.ceil(samplesize_proportions_2indep_onetail(0.01, 0.10, 0.8, alpha=0.05))
    cohen = NormalIndPower().solve_power(proportion_effectsize(0.11, 0.10), alpha=0.05, power=0.8)
    assert n == pytest.approx(cohen, rel=0.001)  # the arcsine approximation: 14,744
    assert power_proportions_2indep(0.01, 0.10, n).power == pytest.approx(0.80, abs=1e-4)
    assert sample_size(kind="rate", baseline_mean=0.10, mde=0.01, relative=False) == n


def test_a_decrease_is_sized_with_its_own_variance() -> None:
    n = sample_size(kind="rate", baseline_mean=0.10, mde=-0.10)  # 10 % → 9 %
    assert n == math.ceil(samplesize_proportions_2indep_onetail(-0.01, 0.10, 0.8))
    assert n < sample_size(kind="rate", baseline_mean=0.10, mde=0.10)


@pytest.mark.parametrize(("sd", "delta", "power"), [(10.0, 5.0, 0.8), (2.5, 0.3, 0.9)])
def test_a_mean_sample_size_matches_statsmodels(sd: float, delta: float, power: float) -> None:
    n = sample_size(
        kind="mean", baseline_mean=50.0, mde=delta, relative=False, baseline_sd=sd, power=power
    )
    assert n == math.ceil(zt_ind_solve_power(delta / sd, alpha=0.05, power=power))


def test_the_textbook_mean_sample_size() -> None:
    # σ = 10, δ = 5: n = 2 (1.96 + 0.84)² × 100 / 25 = 62.8 → 63 a group
    assert sample_size(kind="mean", baseline_mean=100, mde=0.05, baseline_sd=10) == 63


def test_more_variants_are_sized_at_a_bonferroni_corrected_alpha() -> None:
    three = sample_size(kind="rate", baseline_mean=0.10, mde=0.10, variants=3)
    assert three == sample_size(kind="rate", baseline_mean=0.10, mde=0.10, alpha=0.025)
    four = sample_size(kind="mean", baseline_mean=1, mde=0.1, baseline_sd=1, variants=4)
    assert four == sample_size(kind="mean", baseline_mean=1, mde=0.1, baseline_sd=1, alpha=0.05 / 3)


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"kind": "rate", "baseline_mean": 0.1, "mde": 0.0}, "nonzero"),
        ({"kind": "rate", "baseline_mean": 0.0, "mde": 0.1}, "nonzero"),
        ({"kind": "rate", "baseline_mean": 0.95, "mde": 0.1}, "between 0 and 1"),
        ({"kind": "rate", "baseline_mean": 0.1, "mde": 0.1, "baseline_sd": 0.3}, "applies"),
        ({"kind": "mean", "baseline_mean": 1.0, "mde": 0.1}, "baseline_sd"),
        ({"kind": "mean", "baseline_mean": 1.0, "mde": 0.1, "baseline_sd": 0.0}, "baseline_sd"),
        ({"kind": "rate", "baseline_mean": 0.1, "mde": 0.1, "power": 1.0}, "power"),
        ({"kind": "rate", "baseline_mean": 0.1, "mde": 0.1, "variants": 1}, "variants"),
        ({"kind": "ratio", "baseline_mean": 0.1, "mde": 0.1}, "kind"),
    ],
)
def test_an_impossible_design_is_refused(arguments: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        sample_size(**arguments)  # type: ignore[arg-type]


def test_duration_counts_every_variant_and_the_traffic_share() -> None:
    assert duration_days(14_751, 2, daily_units=5_000, traffic_share=0.5) == pytest.approx(11.8008)
    assert duration_days(1000, 3, daily_units=3000) == 1.0
    for bad in ({"daily_units": 0.0}, {"daily_units": 10.0, "traffic_share": 0.0}):
        with pytest.raises(ValueError):
            duration_days(100, 2, **bad)


def test_units_needed_is_the_rest_of_the_sample_size_from_what_was_observed() -> None:
    control, treatment = rate(500, 5_000), rate(540, 5_000)
    assert units_needed(control, treatment, kind="rate", mde=0.10) == 14_751 - 5_000
    # the smaller arm decides
    assert units_needed(control, rate(300, 3_000), kind="rate", mde=0.10) == 14_751 - 3_000
    assert units_needed(rate(2000, 20_000), rate(2100, 20_000), kind="rate", mde=0.10) == 0


def test_units_needed_for_a_mean_uses_the_observed_spread() -> None:
    x_c = np.random.default_rng(1).normal(100, 10, 40)
    x_t = np.random.default_rng(2).normal(100, 10, 40)
    control, treatment = Summary.of_values(x_c), Summary.of_values(x_t)
    sd = math.sqrt((x_c.var(ddof=1) + x_t.var(ddof=1)) / 2)
    planned = sample_size(kind="mean", baseline_mean=control.mean, mde=0.05, baseline_sd=sd)
    assert units_needed(control, treatment, kind="mean", mde=0.05) == planned - 40
    constant = Summary(40, 4000.0, 400_000.0)
    assert units_needed(constant, constant, kind="mean", mde=0.05) == 0


def test_importing_the_statistics_does_not_import_scipy() -> None:
    modules = ("experiments", "frequentist", "sequential", "bayesian", "design")
    imports = "; ".join(f"import pasarela.stats.{m}" for m in modules)
    code = f"import sys; {imports}; assert 'scipy' not in sys.modules, 'scipy was imported'"
    subprocess.run([sys.executable, "-c", code], check=True)


# -- RatioSummary: per-unit ratios by the delta method ------------------------------------


def test_a_ratio_linearizes_to_the_variance_of_its_residuals() -> None:
    rng = np.random.default_rng(3)
    x, y = rng.gamma(2.0, 3.0, 300), rng.poisson(3.0, 300).astype(float)
    summary = RatioSummary.of_units(zip(x, y, strict=True)).linearized()
    ratio = x.sum() / y.sum()
    assert summary.n == 300
    assert summary.mean == pytest.approx(ratio)
    # The delta method's per-unit variance is that of x - R·y, divided by the mean of y squared.
    assert summary.variance == pytest.approx(np.var(x - ratio * y, ddof=1) / y.mean() ** 2)


def test_one_observation_per_unit_is_a_plain_mean() -> None:
    values = [1.0, 0.0, 1.0, 1.0, 0.0]
    ratio = RatioSummary.of_units((v, 1.0) for v in values)
    assert ratio.one_per_unit
    plain = Summary.of_values(values)
    assert ratio.linearized().mean == pytest.approx(plain.mean)
    assert ratio.linearized().variance == pytest.approx(plain.variance)
    assert not RatioSummary.of_units([(1.0, 2.0), (0.0, 1.0)]).one_per_unit


def test_a_ratio_with_no_denominator_has_nothing_to_analyse() -> None:
    assert RatioSummary.of_units([(3.0, 0.0), (1.0, 0.0)]).linearized().n == 0
    assert RatioSummary.of_units([]).linearized().n == 0
    assert math.isnan(RatioSummary.of_units([]).ratio)


def test_the_delta_method_matches_the_spread_over_replicated_experiments() -> None:
    """Users make several requests and some users convert more than others: the ratio's
    spread over 2,000 replicated experiments is what the delta method predicts, and treating
    requests as independent would understate it."""
    rng = np.random.default_rng(11)
    ratios, predicted, naive = [], [], []
    for _ in range(2000):
        requests = 1 + rng.poisson(2.0, 400)
        propensity = rng.beta(2.0, 8.0, 400)
        successes = rng.binomial(requests, propensity)
        summary = RatioSummary.of_units(zip(successes, requests, strict=True))
        ratios.append(summary.ratio)
        linear = summary.linearized()
        predicted.append(linear.variance / linear.n)
        naive.append(summary.ratio * (1 - summary.ratio) / requests.sum())
    observed = float(np.var(ratios, ddof=1))
    assert float(np.mean(predicted)) == pytest.approx(observed, rel=0.08)
    assert float(np.mean(naive)) < 0.8 * observed
