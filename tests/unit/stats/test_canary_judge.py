from __future__ import annotations

import dataclasses
import json
import math
from collections.abc import Mapping, Sequence

import numpy as np
import pytest
from scipy import stats

from pasarela.stats.canary import (
    MAX_LATENCY_SAMPLE,
    Check,
    FeedbackGate,
    FeedbackSummary,
    Gates,
    Verdict,
    VersionWindow,
    comparisons_per_step,
    hypotheses_per_step,
    judge,
    quantile_lower_bound,
    tail_exceedance_p,
    thresholds_per_step,
)

ALPHA_ADJ = 0.05 / (3 * 3)  # default gates: 3 comparisons a step; a canary of 3 judged steps


def latencies(seed: int, n: int, median_s: float = 0.020, sigma: float = 0.4) -> np.ndarray:
    return np.random.default_rng(seed).lognormal(math.log(median_s), sigma, n)


def window(
    requests: int,
    errors: int = 0,
    latencies_s: Sequence[float] | None = None,
    feedback: Mapping[str, FeedbackSummary] | None = None,
    *,
    seed: int = 0,
) -> VersionWindow:
    if latencies_s is None:
        latencies_s = latencies(seed, requests)
    return VersionWindow(requests, errors, latencies_s, dict(feedback or {}))


def checks(verdict: Verdict) -> dict[str, Check]:
    return {check.name: check for check in verdict.checks}


def summarize(values: Sequence[float]) -> FeedbackSummary:
    array = np.asarray(values, dtype=float)
    return FeedbackSummary(len(array), float(array.sum()), float((array**2).sum()))


def fisher_p(x1: int, n1: int, x2: int, n2: int) -> float:
    """scipy's one-sided Fisher exact test (H1: 1 > 2), the reference for the judge's."""
    table = [[x1, n1 - x1], [x2, n2 - x2]]
    return float(stats.fisher_exact(table, alternative="greater").pvalue)


# -- traffic: no data is wait, never pass -----------------------------------------------------


@pytest.mark.parametrize(("candidate", "baseline"), [(49, 1000), (1000, 49), (0, 1200), (0, 0)])
def test_too_few_requests_holds_on_a_traffic_wait(candidate: int, baseline: int) -> None:
    verdict = judge(window(candidate), window(baseline, seed=1), Gates(), min_requests=50, looks=3)
    assert verdict.action == "hold"
    traffic = checks(verdict)["traffic"]
    assert traffic.status == "wait"
    assert (traffic.candidate, traffic.baseline, traffic.threshold) == (candidate, baseline, 50)
    assert "need 50 each" in traffic.detail
    # every configured check is listed as waiting, none judged on too little data
    assert [c.name for c in verdict.checks] == [
        "traffic",
        "error_rate_vs_baseline",
        "latency_vs_baseline",
        "tail_latency_vs_baseline",
    ]
    assert all(c.status == "wait" and c.p_value is None for c in verdict.checks)
    assert verdict.summary == (
        "waiting: traffic, error_rate_vs_baseline, latency_vs_baseline, tail_latency_vs_baseline"
    )


def test_a_broken_candidate_with_too_little_traffic_still_only_holds() -> None:
    gates = Gates(max_error_rate=0.05, max_p95_latency_ms=100)
    verdict = judge(window(40, errors=40), window(1000), gates, min_requests=50)
    assert verdict.action == "hold"
    assert {c.name: c.status for c in verdict.checks} == {
        "traffic": "wait",
        "error_rate": "wait",
        "p95_latency": "wait",
        "error_rate_vs_baseline": "wait",
        "latency_vs_baseline": "wait",
        "tail_latency_vs_baseline": "wait",
    }


def test_enough_requests_pass_the_traffic_check() -> None:
    traffic = checks(judge(window(50), window(50, seed=1), Gates(), min_requests=50))["traffic"]
    assert traffic.status == "pass"
    assert traffic.detail == "candidate 50 requests, baseline 50 (≥ 50 each)"


# -- an equal candidate -----------------------------------------------------------------------


def test_an_equal_candidate_is_promoted() -> None:
    candidate = window(240, errors=2, seed=1)
    baseline = window(960, errors=10, seed=2)
    verdict = judge(candidate, baseline, Gates(), min_requests=50, looks=3)
    assert verdict.action == "promote"
    assert verdict.summary == "all 4 checks passed"
    assert [c.status for c in verdict.checks] == ["pass", "pass", "pass", "pass"]
    latency = checks(verdict)["latency_vs_baseline"]
    assert latency.p_value is not None and latency.p_value > ALPHA_ADJ


def test_identical_windows_are_promoted() -> None:
    same = window(1000, errors=10, latencies_s=[0.02] * 1000)
    verdict = judge(same, same, Gates(), min_requests=100, looks=3)
    assert verdict.action == "promote"
    assert checks(verdict)["error_rate_vs_baseline"].p_value == pytest.approx(
        fisher_p(10, 1000, 10, 1000)
    )
    assert checks(verdict)["latency_vs_baseline"].p_value == 1.0


# -- error rate against the baseline ----------------------------------------------------------


def test_five_points_more_errors_roll_back() -> None:
    # the 20 % step of one minute at 20 requests/s: 240 requests for the candidate, 960 baseline
    candidate = window(240, errors=14, seed=1)
    baseline = window(960, errors=10, seed=2)
    verdict = judge(candidate, baseline, Gates(), min_requests=50, looks=3)
    assert verdict.action == "rollback"
    assert verdict.summary == "failed: error_rate_vs_baseline"
    check = checks(verdict)["error_rate_vs_baseline"]
    expected_p = fisher_p(14, 240, 10, 960)
    assert check.status == "fail"
    assert check.test == "Fisher exact test"
    assert check.p_value == pytest.approx(expected_p, rel=1e-9)
    assert check.alpha == pytest.approx(ALPHA_ADJ)
    assert check.p_value < check.alpha
    assert check.candidate == pytest.approx(14 / 240)
    assert check.baseline == pytest.approx(10 / 960)
    assert check.threshold == 0.01
    assert check.detail == (
        "candidate error rate 5.8% vs baseline 1.0% (+4.8 pp > 1 pp tolerance), "
        f"p={expected_p:.2g} < 0.0056"
    )


def test_the_error_comparison_is_fishers_exact_test_from_the_hypergeometric_tail() -> None:
    # the same p-value as the hypergeometric tail: P(≥ 61 of the 101 errors in the candidate)
    check = checks(judge(window(1000, 61), window(4000, 40), Gates(), min_requests=50))
    expected = stats.hypergeom.sf(61 - 1, 5000, 101, 1000)
    assert check["error_rate_vs_baseline"].p_value == pytest.approx(expected, rel=1e-9)
    assert check["error_rate_vs_baseline"].test == "Fisher exact test"


def test_a_significant_degradation_within_tolerance_passes() -> None:
    # +0.5 pp on a million requests each: very significant, yet within the 1 pp tolerance
    candidate = window(1_000_000, errors=15_000, latencies_s=latencies(1, 5000))
    baseline = window(1_000_000, errors=10_000, latencies_s=latencies(2, 5000))
    verdict = judge(candidate, baseline, Gates(), min_requests=50, looks=3)
    check = checks(verdict)["error_rate_vs_baseline"]
    assert check.p_value is not None and check.p_value < 1e-20
    assert check.status == "pass"
    assert check.detail.endswith(": significant but within tolerance")
    assert "(+0.5 pp ≤ 1 pp tolerance)" in check.detail
    assert verdict.action == "promote"


def test_a_large_degradation_on_little_traffic_is_not_significant() -> None:
    # 2 errors in 60 requests reads as +2.4 pp, but is well within chance at 1 %
    verdict = judge(window(60, errors=2), window(1140, errors=11), Gates(), min_requests=50)
    check = checks(verdict)["error_rate_vs_baseline"]
    assert check.p_value == pytest.approx(fisher_p(2, 60, 11, 1140))
    assert check.p_value > 0.05
    assert check.status == "pass"
    assert "> 1 pp tolerance" in check.detail
    assert check.detail.endswith(": not significant")


def test_no_errors_on_either_side_pass_with_p_one() -> None:
    check = checks(judge(window(500), window(500, seed=1), Gates(), min_requests=50))
    assert check["error_rate_vs_baseline"].status == "pass"
    assert check["error_rate_vs_baseline"].p_value == 1.0


def test_a_better_candidate_passes() -> None:
    check = checks(judge(window(1000, 0), window(1000, 60, seed=1), Gates(), min_requests=50))
    assert check["error_rate_vs_baseline"].status == "pass"
    assert check["error_rate_vs_baseline"].p_value == pytest.approx(1.0)


def test_a_wider_tolerance_forgives_the_same_degradation() -> None:
    gates = Gates(error_rate_tolerance=0.06)
    verdict = judge(window(240, 14), window(960, 10, seed=1), gates, min_requests=50)
    assert checks(verdict)["error_rate_vs_baseline"].status == "pass"
    assert verdict.action == "promote"


# -- latency against the baseline -------------------------------------------------------------


def test_a_clearly_slower_candidate_rolls_back() -> None:
    candidate = latencies(1, 240, median_s=0.026)  # +30 %
    baseline = latencies(2, 960)
    verdict = judge(window(240, 2, candidate), window(960, 10, baseline), Gates(), min_requests=50)
    assert verdict.action == "rollback"
    check = checks(verdict)["latency_vs_baseline"]
    expected = stats.mannwhitneyu(candidate, baseline, alternative="greater", method="asymptotic")
    assert check.test == "Mann-Whitney U"
    assert check.p_value == pytest.approx(float(expected.pvalue), rel=1e-12)
    assert check.alpha == pytest.approx(0.05 / 3)  # one look, three comparisons
    assert check.p_value < check.alpha
    assert check.candidate == pytest.approx(np.median(candidate) * 1000)
    assert check.baseline == pytest.approx(np.median(baseline) * 1000)
    ratio = np.median(candidate) / np.median(baseline) - 1
    assert f"(+{100 * ratio:.1f}% > 10% tolerance)" in check.detail
    assert check.detail.startswith(
        f"candidate median latency {np.median(candidate) * 1000:.1f} ms vs baseline "
        f"{np.median(baseline) * 1000:.1f} ms"
    )


def test_a_slightly_slower_candidate_within_tolerance_passes() -> None:
    # +4 % on 2,000 requests each is significant, but within the 10 % tolerance
    candidate, baseline = (
        latencies(1, 2000, median_s=0.0208, sigma=0.1),
        latencies(2, 2000, sigma=0.1),
    )
    verdict = judge(
        window(2000, 20, candidate), window(2000, 20, baseline), Gates(), min_requests=50
    )
    check = checks(verdict)["latency_vs_baseline"]
    assert check.p_value is not None and check.p_value < ALPHA_ADJ
    assert check.status == "pass"
    assert check.detail.endswith(": significant but within tolerance")


def test_large_latency_samples_are_thinned_to_evenly_spaced_order_statistics() -> None:
    candidate, baseline = latencies(1, 50_000, median_s=0.021), latencies(2, 80_000)
    check = checks(
        judge(window(50_000, 0, candidate), window(80_000, 0, baseline), Gates(), min_requests=50)
    )["latency_vs_baseline"]

    def thinned(values: np.ndarray) -> np.ndarray:
        picks = np.linspace(0, values.size - 1, MAX_LATENCY_SAMPLE).round().astype(int)
        return np.sort(values)[picks]

    expected = stats.mannwhitneyu(
        thinned(candidate), thinned(baseline), alternative="greater", method="asymptotic"
    )
    assert check.p_value == pytest.approx(float(expected.pvalue), rel=1e-12)
    # the medians still come from every value
    assert check.candidate == pytest.approx(np.median(candidate) * 1000)


def test_the_verdict_is_deterministic_and_ignores_the_order_of_latencies() -> None:
    candidate, baseline = latencies(1, 10_000, median_s=0.023), latencies(2, 10_000)
    first = judge(
        window(10_000, 100, candidate), window(10_000, 90, baseline), Gates(), min_requests=50
    )
    shuffled = np.random.default_rng(3).permutation(candidate)
    second = judge(
        window(10_000, 100, shuffled), window(10_000, 90, baseline), Gates(), min_requests=50
    )
    assert first == second


def test_missing_latency_samples_wait() -> None:
    verdict = judge(window(100, 0, []), window(1000), Gates(), min_requests=50)
    assert verdict.action == "hold"
    check = checks(verdict)["latency_vs_baseline"]
    assert check.status == "wait"
    assert check.detail == "no latency samples for the candidate yet"
    assert checks(verdict)["error_rate_vs_baseline"].status == "pass"


# -- thresholds on the candidate --------------------------------------------------------------


def test_the_error_rate_threshold_fails_only_beyond_its_confidence_bound() -> None:
    gates = Gates(
        max_error_rate=0.05,
        compare_error_rate=False,
        compare_latency=False,
        compare_tail_latency=False,
    )
    # 6.1 % observed on 1,000 requests is within chance of a true 5 %: the old rule failed it
    near = checks(judge(window(1000, 61), window(1000, 61, seed=1), gates, min_requests=50))
    check = near["error_rate"]
    expected = stats.binomtest(61, 1000, 0.05, alternative="greater").pvalue
    assert check.p_value == pytest.approx(expected, rel=1e-9)
    assert (check.status, check.candidate, check.threshold) == ("pass", 0.061, 0.05)
    assert (check.test, check.alpha) == ("exact binomial test", 0.05)
    # 8 % is beyond it: the Clopper-Pearson lower bound at 95 % is above 5 %
    far = checks(judge(window(1000, 80), window(1000, 0), gates, min_requests=50))["error_rate"]
    ci = stats.binomtest(80, 1000, 0.05, alternative="greater").proportion_ci(0.95)
    assert ci.low > 0.05
    assert far.status == "fail"
    assert far.detail.startswith("candidate error rate 8.0% > 5.0% maximum, p=")
    assert far.detail.endswith(": beyond it with confidence")
    assert judge(window(1000, 80), window(1000, 0), gates, min_requests=50).action == "rollback"


def test_the_p95_threshold_is_the_exact_order_statistic_bound_as_scipy() -> None:
    values = latencies(3, 400, median_s=0.050, sigma=0.6)
    gates = Gates(compare_error_rate=False, compare_latency=False, compare_tail_latency=False)
    p95_ms = float(np.percentile(values, 95)) * 1000
    for limit_ms in (0.7 * p95_ms, 0.9 * p95_ms, p95_ms, 1.2 * p95_ms):
        limited = dataclasses.replace(gates, max_p95_latency_ms=limit_ms)
        check = checks(judge(window(400, 0, values), window(400), limited, min_requests=50))[
            "p95_latency"
        ]
        reference = stats.quantile_test(values * 1000, q=limit_ms, p=0.95, alternative="greater")
        assert check.p_value == pytest.approx(float(reference.pvalue), rel=1e-9)
        lower = float(reference.confidence_interval(1 - 0.05).low)
        # fail exactly when scipy's lower confidence bound of the p95 is above the maximum
        assert check.status == ("fail" if lower > limit_ms else "pass")
        assert check.candidate == pytest.approx(p95_ms)
        assert check.test == "order-statistic bound"
    assert quantile_lower_bound(values, 0.95, 0.05) * 1000 == pytest.approx(
        float(
            stats.quantile_test(values * 1000, q=1, p=0.95, alternative="greater")
            .confidence_interval(0.95)
            .low
        )
    )
    # 30 % below the observed p95 is beyond chance on 400 values; at the p95 itself it is not
    assert [
        checks(
            judge(
                window(400, 0, values),
                window(400),
                Gates(max_p95_latency_ms=limit, compare_tail_latency=False),
                min_requests=50,
            )
        )["p95_latency"].status
        for limit in (0.7 * p95_ms, p95_ms)
    ] == ["fail", "pass"]


def test_the_p95_threshold_of_the_old_rule_no_longer_fails_on_noise() -> None:
    # 1 … 100 ms: p95 95.05 ms > 90 ms, but 10 values of 100 above 90 ms are P ≈ 0.028 for a
    # true p95 at 90 ms: not beyond chance at 0.05 / 4 (the old rule failed it)
    values = [ms / 1000 for ms in range(1, 101)]
    check = checks(
        judge(
            window(100, 0, values),
            window(100, 0, values),
            Gates(max_p95_latency_ms=90),
            min_requests=50,
        )
    )["p95_latency"]
    assert check.status == "pass"
    assert check.p_value == pytest.approx(stats.binom.sf(10 - 1, 100, 0.05))
    assert check.detail.startswith("candidate p95 latency 95.0 ms (lower 98.75 % bound ")


def test_the_p95_threshold_waits_without_latencies() -> None:
    gates = Gates(max_p95_latency_ms=50, compare_latency=False, compare_tail_latency=False)
    verdict = judge(window(100, 0, []), window(100), gates, min_requests=50)
    assert checks(verdict)["p95_latency"].status == "wait"
    assert verdict.action == "hold"


# -- feedback ---------------------------------------------------------------------------------

COMPLETED = FeedbackGate("task_completed", stat="rate", tolerance=0.02)
REWARD = FeedbackGate("reward", stat="mean", tolerance=0.02)
FEEDBACK_ONLY = Gates(
    compare_error_rate=False,
    compare_latency=False,
    compare_tail_latency=False,
    feedback=(COMPLETED,),
)


def test_a_worse_success_rate_rolls_back() -> None:
    candidate = window(1000, feedback={"task_completed": FeedbackSummary(400, 280, 280)})
    baseline = window(1000, feedback={"task_completed": FeedbackSummary(400, 320, 320)}, seed=1)
    verdict = judge(candidate, baseline, FEEDBACK_ONLY, min_requests=50)
    check = checks(verdict)["feedback:task_completed_vs_baseline"]
    assert verdict.action == "rollback"
    assert check.status == "fail"
    assert check.test == "Fisher exact test"
    # higher is better: H1 is "baseline rate > candidate rate"
    assert check.p_value == pytest.approx(fisher_p(320, 400, 280, 400), rel=1e-9)
    assert check.alpha == pytest.approx(0.05)  # one comparison, one look
    assert (check.candidate, check.baseline, check.threshold) == (0.7, 0.8, 0.02)
    assert check.detail.startswith(
        "candidate task_completed rate 70.0% vs baseline 80.0% (10.0 pp worse > 2 pp tolerance)"
    )


def test_an_equal_success_rate_passes() -> None:
    same = {"task_completed": FeedbackSummary(400, 300, 300)}
    verdict = judge(
        window(1000, feedback=same), window(1000, feedback=same), FEEDBACK_ONLY, min_requests=50
    )
    assert verdict.action == "promote"
    assert checks(verdict)["feedback:task_completed_vs_baseline"].p_value == pytest.approx(
        fisher_p(300, 400, 300, 400)
    )


def test_a_rate_where_lower_is_better() -> None:
    gates = Gates(
        compare_error_rate=False,
        compare_latency=False,
        feedback=(FeedbackGate("complaint", stat="rate", higher_is_better=False),),
    )
    worse = window(1000, feedback={"complaint": FeedbackSummary(400, 60, 60)})
    base = window(1000, feedback={"complaint": FeedbackSummary(400, 20, 20)})
    check = checks(judge(worse, base, gates, min_requests=50))["feedback:complaint_vs_baseline"]
    assert check.status == "fail"
    assert check.p_value == pytest.approx(fisher_p(60, 400, 20, 400), rel=1e-9)
    # the same numbers the other way round are an improvement
    better = checks(judge(base, worse, gates, min_requests=50))["feedback:complaint_vs_baseline"]
    assert better.status == "pass"
    assert "better" in better.detail


def test_a_worse_mean_reward_rolls_back_on_welch() -> None:
    rng = np.random.default_rng(7)
    rewards_c, rewards_b = rng.normal(0.6, 0.2, 200), rng.normal(0.7, 0.3, 300)
    gates = Gates(feedback=(REWARD,))
    candidate = window(1000, feedback={"reward": summarize(rewards_c)})
    baseline = window(1000, feedback={"reward": summarize(rewards_b)}, seed=1)
    verdict = judge(candidate, baseline, gates, min_requests=50, looks=3)
    check = checks(verdict)["feedback:reward_vs_baseline"]
    expected = stats.ttest_ind(rewards_c, rewards_b, equal_var=False, alternative="less")
    assert verdict.action == "rollback"
    assert check.test == "Welch t-test"
    assert check.p_value == pytest.approx(float(expected.pvalue), rel=1e-6)
    assert check.alpha == pytest.approx(0.05 / (3 * 4))
    assert check.candidate == pytest.approx(rewards_c.mean())
    assert check.baseline == pytest.approx(rewards_b.mean())
    assert "worse > 0.02 tolerance" in check.detail


def test_an_equal_mean_reward_passes_and_lower_is_better_flips_the_test() -> None:
    rng = np.random.default_rng(8)
    rewards_c, rewards_b = rng.normal(0.7, 0.2, 200), rng.normal(0.7, 0.2, 300)
    feedback_c, feedback_b = {"reward": summarize(rewards_c)}, {"reward": summarize(rewards_b)}
    verdict = judge(
        window(1000, feedback=feedback_c),
        window(1000, feedback=feedback_b),
        Gates(feedback=(REWARD,)),
        min_requests=50,
    )
    assert checks(verdict)["feedback:reward_vs_baseline"].status == "pass"
    assert verdict.action == "promote"

    cost = FeedbackGate("reward", higher_is_better=False)
    check = checks(
        judge(
            window(1000, feedback=feedback_c),
            window(1000, feedback=feedback_b),
            Gates(feedback=(cost,)),
            min_requests=50,
        )
    )["feedback:reward_vs_baseline"]
    expected = stats.ttest_ind(rewards_c, rewards_b, equal_var=False, alternative="greater")
    assert check.p_value == pytest.approx(float(expected.pvalue), rel=1e-6)


def test_constant_feedback_values_need_no_variance() -> None:
    gates = Gates(
        compare_error_rate=False,
        compare_latency=False,
        compare_tail_latency=False,
        feedback=(REWARD,),
    )
    ones, halves = FeedbackSummary(50, 50.0, 50.0), FeedbackSummary(50, 25.0, 12.5)
    worse = checks(
        judge(
            window(100, feedback={"reward": halves}),
            window(100, feedback={"reward": ones}),
            gates,
            min_requests=50,
        )
    )
    assert worse["feedback:reward_vs_baseline"].status == "fail"
    same = checks(
        judge(
            window(100, feedback={"reward": ones}),
            window(100, feedback={"reward": ones}),
            gates,
            min_requests=50,
        )
    )
    assert same["feedback:reward_vs_baseline"].status == "pass"


@pytest.mark.parametrize(("count_c", "count_b"), [(29, 400), (400, 29), (0, 0)])
def test_too_little_feedback_holds(count_c: int, count_b: int) -> None:
    candidate = window(1000, feedback={"task_completed": FeedbackSummary(count_c, 0.0, 0.0)})
    baseline = window(1000, feedback={"task_completed": FeedbackSummary(count_b, 0.0, 0.0)})
    verdict = judge(candidate, baseline, FEEDBACK_ONLY, min_requests=50)
    check = checks(verdict)["feedback:task_completed_vs_baseline"]
    assert verdict.action == "hold"
    assert check.status == "wait"
    assert check.detail == (
        f"{count_c} task_completed items for the candidate and {count_b} for the baseline, "
        "need 30 each"
    )
    assert verdict.summary == "waiting: feedback:task_completed_vs_baseline"


def test_feedback_that_never_arrived_holds() -> None:
    verdict = judge(window(1000), window(1000, seed=1), Gates(feedback=(REWARD,)), min_requests=50)
    assert verdict.action == "hold"
    assert checks(verdict)["feedback:reward_vs_baseline"].status == "wait"


def test_feedback_thresholds_fail_only_past_a_confidence_bound() -> None:
    gate = FeedbackGate("reward", min=0.65, max=0.95, compare=False, min_count=10)
    gates = Gates(
        compare_error_rate=False,
        compare_latency=False,
        compare_tail_latency=False,
        feedback=(gate,),
    )
    base = window(1000)

    def outcome(values: np.ndarray) -> Check:
        summary = summarize(values)
        return checks(
            judge(window(1000, feedback={"reward": summary}), base, gates, min_requests=50)
        )["feedback:reward"]

    rng = np.random.default_rng(11)
    low_values = rng.normal(0.6, 0.2, 100)
    low = outcome(low_values)
    expected = stats.ttest_1samp(low_values, 0.65, alternative="less").pvalue
    assert low.p_value == pytest.approx(float(expected), rel=1e-6)
    assert expected < 0.01  # 0.6 ± 0.2 on 100 items is below 0.65 with confidence
    assert (low.status, low.threshold, low.test) == ("fail", 0.65, "one-sample t-test")
    high_values = rng.normal(0.99, 0.05, 100)
    high = outcome(high_values)
    assert (high.status, high.threshold) == ("fail", 0.95)
    assert high.p_value == pytest.approx(
        float(stats.ttest_1samp(high_values, 0.95, alternative="greater").pvalue), rel=1e-6
    )
    # a mean just below the minimum on few items is noise, not a failure (the old rule failed it)
    near = outcome(rng.normal(0.64, 0.2, 12))
    assert near.status == "pass"
    assert near.detail.endswith(": not past it with confidence")
    ok = outcome(rng.normal(0.8, 0.05, 100))
    assert ok.status == "pass"
    assert outcome(np.zeros(9)).status == "wait"  # fewer than min_count
    # a threshold makes no comparison but is a test: it takes its share of alpha
    assert comparisons_per_step(gates) == 0
    assert thresholds_per_step(gates) == hypotheses_per_step(gates) == 1
    assert [c.name for c in judge(window(1000), base, gates, min_requests=50).checks] == [
        "traffic",
        "feedback:reward",
    ]


def test_a_rate_threshold_is_an_exact_binomial_test_shown_in_percent() -> None:
    gate = FeedbackGate("label_correct", stat="rate", min=0.9, compare=False)
    gates = Gates(
        compare_error_rate=False,
        compare_latency=False,
        compare_tail_latency=False,
        feedback=(gate,),
    )

    def outcome(successes: int, n: int) -> Check:
        summary = FeedbackSummary(n, successes, successes)
        return checks(
            judge(
                window(1000, feedback={"label_correct": summary}),
                window(1000),
                gates,
                min_requests=50,
            )
        )["feedback:label_correct"]

    check = outcome(170, 200)
    expected = stats.binomtest(170, 200, 0.9, alternative="less").pvalue
    assert check.p_value == pytest.approx(float(expected), rel=1e-9)
    assert check.status == "fail"
    assert check.test == "exact binomial test"
    assert check.detail.startswith("candidate label_correct rate 85.0% < 90.0% minimum, p=")
    # 87.5 % of 40 is within chance of a true 90 %
    assert outcome(35, 40).status == "pass"


def test_feedback_summary_mean_and_sample_variance() -> None:
    values = np.random.default_rng(4).normal(3, 2, 57)
    summary = summarize(values)
    assert summary.mean == pytest.approx(values.mean())
    assert summary.variance == pytest.approx(values.var(ddof=1))
    assert FeedbackSummary(1, 5.0, 25.0).variance == 0.0
    assert math.isnan(FeedbackSummary(0, 0.0, 0.0).mean)


# -- the verdict ------------------------------------------------------------------------------


def test_a_failure_rolls_back_even_while_other_checks_wait() -> None:
    verdict = judge(window(1000, 61), window(4000, 40), Gates(feedback=(REWARD,)), min_requests=50)
    assert verdict.action == "rollback"
    assert verdict.summary == "failed: error_rate_vs_baseline; waiting: feedback:reward_vs_baseline"


def test_bonferroni_divides_alpha_over_looks_and_comparisons() -> None:
    gates = Gates(
        max_error_rate=0.5,
        feedback=(
            FeedbackGate("reward"),
            FeedbackGate("task_completed", stat="rate"),
            FeedbackGate("rating", compare=False, min=1.0),
        ),
    )
    # error, latency, tail latency, reward, task_completed; and two thresholds
    assert comparisons_per_step(gates) == 5
    assert thresholds_per_step(gates) == 2  # max_error_rate, rating's minimum
    assert hypotheses_per_step(gates) == 7
    assert comparisons_per_step(Gates()) == 3
    assert comparisons_per_step(Gates(compare_latency=False)) == 2
    assert comparisons_per_step(Gates(compare_tail_latency=False)) == 2
    feedback = {
        "reward": FeedbackSummary(100, 70.0, 55.0),
        "task_completed": FeedbackSummary(100, 80, 80),
        "rating": FeedbackSummary(100, 400.0, 1700.0),
    }
    verdict = judge(
        window(1000, 10, feedback=feedback),
        window(1000, 10, feedback=feedback, seed=1),
        gates,
        min_requests=50,
        alpha=0.05,
        looks=3,
    )
    tested = [c for c in verdict.checks if c.test is not None]
    assert [c.name for c in tested] == [
        "error_rate",
        "error_rate_vs_baseline",
        "latency_vs_baseline",
        "tail_latency_vs_baseline",
        "feedback:reward_vs_baseline",
        "feedback:task_completed_vs_baseline",
        "feedback:rating",
    ]
    assert all(c.alpha == pytest.approx(0.05 / (3 * 7)) for c in tested)
    assert [c.name for c in verdict.checks if c.test is None] == ["traffic"]
    assert verdict.action == "promote"
    assert verdict.summary == "all 8 checks passed"


def test_the_adjusted_level_decides_a_borderline_p_value() -> None:
    # p ≈ 0.01: below 0.05 / 3 on one look, above 0.05 / 9 over three
    candidate, baseline = window(600, 21, seed=1), window(600, 8, seed=2)
    p = fisher_p(21, 600, 8, 600)
    assert 0.05 / 9 < p < 0.05 / 3
    one_look = judge(candidate, baseline, Gates(), min_requests=50, looks=1)
    three_looks = judge(candidate, baseline, Gates(), min_requests=50, looks=3)
    assert checks(one_look)["error_rate_vs_baseline"].status == "fail"
    assert checks(three_looks)["error_rate_vs_baseline"].status == "pass"


def test_to_json_round_trips_with_plain_floats() -> None:
    verdict = judge(
        window(240, 14, feedback={"reward": FeedbackSummary(40, 28.0, 21.0)}),
        window(960, 10, feedback={"reward": FeedbackSummary(160, 128.0, 105.0)}, seed=1),
        Gates(max_error_rate=0.05, max_p95_latency_ms=100, feedback=(REWARD,)),
        min_requests=50,
        looks=3,
    )
    data = verdict.to_json()
    assert json.loads(json.dumps(data, allow_nan=False)) == data
    assert data["action"] == verdict.action == "rollback"
    assert data["summary"] == verdict.summary
    assert [c["name"] for c in data["checks"]] == [c.name for c in verdict.checks]
    for check in verdict.checks:
        for value in (check.candidate, check.baseline, check.threshold, check.p_value, check.alpha):
            assert value is None or type(value) is float
    assert set(data["checks"][0]) == {
        "name",
        "status",
        "candidate",
        "baseline",
        "threshold",
        "test",
        "p_value",
        "alpha",
        "detail",
    }


@pytest.mark.parametrize(
    "options",
    [
        {"min_requests": 0},
        {"min_requests": 50, "alpha": 0.0},
        {"min_requests": 50, "alpha": 1.0},
        {"min_requests": 50, "looks": 0},
    ],
)
def test_invalid_arguments_are_refused(options: dict[str, float]) -> None:
    with pytest.raises(ValueError, match="must be"):
        judge(window(100), window(100), Gates(), **options)  # type: ignore[arg-type]


# -- issue 15: exact error-rate test, tail latency ------------------------------------------


def test_the_error_comparison_never_exceeds_its_level_with_unbalanced_arms() -> None:
    # 100 vs 1,900 requests, both at a true 1 % error rate: enumerate every outcome (x_c, x_b)
    # and add the probability of those the test rejects at α′ = 0.05 / 6 (the setting):
    # its exact size. The continuity-corrected z-test it replaced reached 0.946 %.
    n_c, n_b, rate, level = 100, 1900, 0.01, 0.05 / 6
    gates = Gates(compare_latency=False, compare_tail_latency=False)
    assert hypotheses_per_step(gates) == 1
    size = old_size = 0.0
    for x_c in range(0, 21):
        for x_b in range(0, 61):  # P(more) is below 1e-12 on either side
            probability = stats.binom.pmf(x_c, n_c, rate) * stats.binom.pmf(x_b, n_b, rate)
            verdict = judge(
                VersionWindow(n_c, x_c, []),
                VersionWindow(n_b, x_b, []),
                gates,
                min_requests=50,
                alpha=0.05,
                looks=6,
            )
            check = checks(verdict)["error_rate_vs_baseline"]
            assert check.alpha == pytest.approx(level)
            assert check.p_value is not None
            if check.p_value < level:
                size += probability
            if x_c + x_b > 0 and corrected_z_p(x_c, n_c, x_b, n_b) < level:
                old_size += probability
    assert size <= level  # measured: 0.356 %
    assert old_size > level  # the regression: the old test's size, 0.946 %
    assert old_size == pytest.approx(0.00946, abs=5e-5)


def corrected_z_p(x1: int, n1: int, x2: int, n2: int) -> float:
    """The judge's former test: one-sided pooled z-test with Yates's correction."""
    pooled = (x1 + x2) / (n1 + n2)
    se = math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
    return float(stats.norm.sf((x1 / n1 - x2 / n2 - 0.5 * (1 / n1 + 1 / n2)) / se))


def p99_regression(seed: int, n: int, factor: float) -> np.ndarray:
    """Lognormal (median 100 ms, p99 435 ms); above its p97 the values are stretched so the
    p99 moves by ``factor`` and the median and p95 do not (as the benchmark's)."""
    sigma = math.log(4.35) / stats.norm.ppf(0.99)
    values = np.random.default_rng(seed).lognormal(math.log(0.1), sigma, n)
    start = 0.1 * math.exp(sigma * stats.norm.ppf(0.97))
    k = math.log(factor * 0.435 / start) / math.log(0.435 / start)
    tail = values > start
    values[tail] = start * (values[tail] / start) ** k
    return values


def test_a_p99_only_regression_is_caught_by_the_tail_comparison() -> None:
    # the case: p99 435 → 566 ms (+30 %), median unchanged, 200k requests a side
    candidate, baseline = p99_regression(1, 200_000, 1.3), p99_regression(2, 200_000, 1.0)
    verdict = judge(
        window(200_000, 2000, candidate),
        window(200_000, 2000, baseline),
        Gates(),
        min_requests=50,
        looks=3,
    )
    status = {c.name: c.status for c in verdict.checks}
    assert status["latency_vs_baseline"] == "pass"  # the median cannot see it
    assert status["tail_latency_vs_baseline"] == "fail"
    assert verdict.action == "rollback"
    tail = checks(verdict)["tail_latency_vs_baseline"]
    assert tail.test == "pooled-quantile Fisher test"
    assert tail.alpha == pytest.approx(ALPHA_ADJ)
    assert tail.candidate == pytest.approx(np.quantile(candidate, 0.99) * 1000)
    assert tail.baseline == pytest.approx(np.quantile(baseline, 0.99) * 1000)
    assert tail.candidate / tail.baseline == pytest.approx(1.3, abs=0.03)
    # the p-value is scipy's Fisher test on the exceedances of the pooled p99
    cut = np.quantile(np.concatenate([candidate, baseline]), 0.99)
    above_c, above_b = int((candidate > cut).sum()), int((baseline > cut).sum())
    expected = stats.fisher_exact(
        [[above_c, 200_000 - above_c], [above_b, 200_000 - above_b]], alternative="greater"
    ).pvalue
    assert tail.p_value == pytest.approx(float(expected), rel=1e-9)
    assert tail.p_value == pytest.approx(tail_exceedance_p(candidate, baseline, 0.99), rel=1e-12)
    assert tail.detail.startswith("candidate p99 latency ")


def test_a_tail_regression_within_tolerance_passes_and_p95_can_be_chosen() -> None:
    # +10 % at the p99 on 200k a side is significant but within the 20 % tolerance
    candidate, baseline = p99_regression(3, 200_000, 1.1), p99_regression(4, 200_000, 1.0)
    verdict = judge(
        window(200_000, 0, candidate), window(200_000, 0, baseline), Gates(), min_requests=50
    )
    tail = checks(verdict)["tail_latency_vs_baseline"]
    assert tail.p_value is not None and tail.p_value < tail.alpha  # type: ignore[operator]
    assert tail.status == "pass"
    assert tail.detail.endswith(": significant but within tolerance")
    # the p95 is untouched by this regression: compared there, nothing is significant
    p95 = checks(
        judge(
            window(200_000, 0, candidate),
            window(200_000, 0, baseline),
            Gates(tail_quantile=0.95),
            min_requests=50,
        )
    )["tail_latency_vs_baseline"]
    assert p95.p_value is not None and p95.p_value > 0.01
    assert p95.detail.startswith("candidate p95 latency ")


def test_the_tail_test_keeps_its_level_on_identical_versions() -> None:
    # an exact conditional test: over 2,000 seeded A/A pairs it rejects at most α of them
    # (binomial noise allowed: 2,000 × 5 % has a standard deviation of 1 point)
    rng = np.random.default_rng(15)
    rejections = 0
    for _ in range(2000):
        a = rng.lognormal(0, 1.0, 300)
        b = rng.lognormal(0, 1.0, 900)
        rejections += tail_exceedance_p(a, b, 0.99) < 0.05
    assert rejections / 2000 <= 0.05


def test_the_tail_comparison_uses_every_latency_not_the_thinned_sample() -> None:
    # thinning to evenly spaced order statistics would fix both exceedance counts at 1 % of
    # 2,000: the test would see nothing however much more often the candidate is slow
    candidate, baseline = p99_regression(5, 50_000, 1.5), p99_regression(6, 50_000, 1.0)
    tail = checks(
        judge(window(50_000, 0, candidate), window(50_000, 0, baseline), Gates(), min_requests=50)
    )["tail_latency_vs_baseline"]
    assert tail.p_value == pytest.approx(tail_exceedance_p(candidate, baseline, 0.99))
    assert tail.status == "fail"


def test_missing_latencies_make_the_tail_comparison_wait() -> None:
    verdict = judge(window(100, 0, []), window(100), Gates(), min_requests=50)
    assert checks(verdict)["tail_latency_vs_baseline"].status == "wait"
    with pytest.raises(ValueError, match="tail_quantile"):
        judge(window(100), window(100), Gates(tail_quantile=1.0), min_requests=50)
