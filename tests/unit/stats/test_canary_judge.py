from __future__ import annotations

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
    judge,
)

ALPHA_ADJ = 0.05 / (3 * 2)  # default gates: 2 comparisons a step; a canary of 3 judged steps


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


def z_test_p(x1: int, n1: int, x2: int, n2: int) -> float:
    """One-sided pooled two-proportion z-test with continuity correction, by hand (H1: 1 > 2)."""
    pooled = (x1 + x2) / (n1 + n2)
    se = math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
    z = (x1 / n1 - x2 / n2 - 0.5 * (1 / n1 + 1 / n2)) / se
    return 0.5 * math.erfc(z / math.sqrt(2))


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
    ]
    assert all(c.status == "wait" and c.p_value is None for c in verdict.checks)
    assert verdict.summary == "waiting: traffic, error_rate_vs_baseline, latency_vs_baseline"


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
    assert verdict.summary == "all 3 checks passed"
    assert [c.status for c in verdict.checks] == ["pass", "pass", "pass"]
    latency = checks(verdict)["latency_vs_baseline"]
    assert latency.p_value is not None and latency.p_value > ALPHA_ADJ


def test_identical_windows_are_promoted() -> None:
    same = window(1000, errors=10, latencies_s=[0.02] * 1000)
    verdict = judge(same, same, Gates(), min_requests=100, looks=3)
    assert verdict.action == "promote"
    assert checks(verdict)["error_rate_vs_baseline"].p_value == pytest.approx(
        z_test_p(10, 1000, 10, 1000)
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
    expected_p = z_test_p(14, 240, 10, 960)
    assert check.status == "fail"
    assert check.test == "two-proportion z-test"
    assert check.p_value == pytest.approx(expected_p, rel=1e-9)
    assert check.alpha == pytest.approx(ALPHA_ADJ)
    assert check.p_value < check.alpha
    assert check.candidate == pytest.approx(14 / 240)
    assert check.baseline == pytest.approx(10 / 960)
    assert check.threshold == 0.01
    assert check.detail == (
        "candidate error rate 5.8% vs baseline 1.0% (+4.8 pp > 1 pp tolerance), "
        f"p={expected_p:.2g} < 0.0083"
    )


def test_the_z_test_matches_the_normal_distribution() -> None:
    # the same statistic through scipy.stats.norm instead of erfc
    check = checks(judge(window(1000, 61), window(4000, 40), Gates(), min_requests=50))
    z = (61 / 1000 - 40 / 4000 - 0.5 * (1 / 1000 + 1 / 4000)) / math.sqrt(
        (101 / 5000) * (1 - 101 / 5000) * (1 / 1000 + 1 / 4000)
    )
    assert check["error_rate_vs_baseline"].p_value == pytest.approx(stats.norm.sf(z), rel=1e-9)


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
    assert check.p_value == pytest.approx(z_test_p(2, 60, 11, 1140))
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
    assert check.alpha == pytest.approx(0.05 / 2)  # one look, two comparisons
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


def test_the_error_rate_threshold_fails_on_its_own() -> None:
    gates = Gates(max_error_rate=0.05, compare_error_rate=False, compare_latency=False)
    verdict = judge(window(1000, 61), window(1000, 61, seed=1), gates, min_requests=50)
    check = checks(verdict)["error_rate"]
    assert (check.status, check.candidate, check.threshold) == ("fail", 0.061, 0.05)
    assert (check.test, check.p_value, check.alpha, check.baseline) == (None, None, None, None)
    assert check.detail == "candidate error rate 6.1% > 5.0% maximum"
    assert verdict.action == "rollback"
    ok = checks(judge(window(1000, 50), window(1000, 0), gates, min_requests=50))["error_rate"]
    assert ok.status == "pass"  # 5.0 % is not above 5 %


def test_the_p95_latency_threshold() -> None:
    values = [ms / 1000 for ms in range(1, 101)]  # 1 … 100 ms
    p95_ms = float(np.percentile(values, 95)) * 1000  # 95.05 ms
    for limit, status in ((90.0, "fail"), (95.05, "pass"), (120.0, "pass")):
        gates = Gates(max_p95_latency_ms=limit)
        check = checks(
            judge(window(100, 0, values), window(100, 0, values), gates, min_requests=50)
        )
        assert check["p95_latency"].status == status
        assert check["p95_latency"].candidate == pytest.approx(p95_ms)
    failing = checks(
        judge(
            window(100, 0, values),
            window(100, 0, values),
            Gates(max_p95_latency_ms=90),
            min_requests=50,
        )
    )["p95_latency"]
    assert failing.detail == "candidate p95 latency 95.0 ms > 90 ms maximum"


def test_the_p95_threshold_waits_without_latencies() -> None:
    gates = Gates(max_p95_latency_ms=50, compare_latency=False)
    verdict = judge(window(100, 0, []), window(100), gates, min_requests=50)
    assert checks(verdict)["p95_latency"].status == "wait"
    assert verdict.action == "hold"


# -- feedback ---------------------------------------------------------------------------------

COMPLETED = FeedbackGate("task_completed", stat="rate", tolerance=0.02)
REWARD = FeedbackGate("reward", stat="mean", tolerance=0.02)
FEEDBACK_ONLY = Gates(compare_error_rate=False, compare_latency=False, feedback=(COMPLETED,))


def test_a_worse_success_rate_rolls_back() -> None:
    candidate = window(1000, feedback={"task_completed": FeedbackSummary(400, 280, 280)})
    baseline = window(1000, feedback={"task_completed": FeedbackSummary(400, 320, 320)}, seed=1)
    verdict = judge(candidate, baseline, FEEDBACK_ONLY, min_requests=50)
    check = checks(verdict)["feedback:task_completed_vs_baseline"]
    assert verdict.action == "rollback"
    assert check.status == "fail"
    assert check.test == "two-proportion z-test"
    # higher is better: H1 is "baseline rate > candidate rate"
    assert check.p_value == pytest.approx(z_test_p(320, 400, 280, 400), rel=1e-9)
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
        z_test_p(300, 400, 300, 400)
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
    assert check.p_value == pytest.approx(z_test_p(60, 400, 20, 400), rel=1e-9)
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
    assert check.alpha == pytest.approx(0.05 / (3 * 3))
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
    gates = Gates(compare_error_rate=False, compare_latency=False, feedback=(REWARD,))
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


def test_feedback_thresholds() -> None:
    gate = FeedbackGate("reward", min=0.65, max=0.95, compare=False, min_count=10)
    gates = Gates(compare_error_rate=False, compare_latency=False, feedback=(gate,))
    base = window(1000)

    def outcome(summary: FeedbackSummary) -> Check:
        return checks(
            judge(window(1000, feedback={"reward": summary}), base, gates, min_requests=50)
        )["feedback:reward"]

    low = outcome(FeedbackSummary(100, 60.0, 40.0))
    assert (low.status, low.candidate, low.threshold) == ("fail", 0.6, 0.65)
    assert low.detail == "candidate reward mean 0.6 < 0.65 minimum"
    high = outcome(FeedbackSummary(100, 97.0, 95.0))
    assert (high.status, high.threshold) == ("fail", 0.95)
    ok = outcome(FeedbackSummary(100, 80.0, 66.0))
    assert ok.status == "pass"
    assert ok.detail == "candidate reward mean 0.8 within [0.65, 0.95]"
    assert outcome(FeedbackSummary(9, 0.0, 0.0)).status == "wait"  # fewer than min_count
    # a threshold gate makes no comparison and so costs no share of alpha
    assert comparisons_per_step(gates) == 0
    assert [c.name for c in judge(window(1000), base, gates, min_requests=50).checks] == [
        "traffic",
        "feedback:reward",
    ]


def test_a_rate_threshold_is_shown_in_percent() -> None:
    gate = FeedbackGate("label_correct", stat="rate", min=0.9, compare=False)
    gates = Gates(compare_error_rate=False, compare_latency=False, feedback=(gate,))
    summary = FeedbackSummary(200, 170, 170)
    check = checks(
        judge(
            window(1000, feedback={"label_correct": summary}), window(1000), gates, min_requests=50
        )
    )
    assert (
        check["feedback:label_correct"].detail
        == "candidate label_correct rate 85.0% < 90.0% minimum"
    )


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
    assert comparisons_per_step(gates) == 4  # error, latency, reward, task_completed
    assert comparisons_per_step(Gates()) == 2
    assert comparisons_per_step(Gates(compare_latency=False)) == 1
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
    compared = [c for c in verdict.checks if c.test is not None]
    assert [c.name for c in compared] == [
        "error_rate_vs_baseline",
        "latency_vs_baseline",
        "feedback:reward_vs_baseline",
        "feedback:task_completed_vs_baseline",
    ]
    assert all(c.alpha == pytest.approx(0.05 / (3 * 4)) for c in compared)
    assert all(c.alpha is None for c in verdict.checks if c.test is None)
    assert verdict.action == "promote"
    assert verdict.summary == "all 7 checks passed"


def test_the_adjusted_level_decides_a_borderline_p_value() -> None:
    # p ≈ 0.018: below 0.05 / 2 on one look, above 0.05 / 6 over three
    candidate, baseline = window(600, 20, seed=1), window(600, 8, seed=2)
    p = z_test_p(20, 600, 8, 600)
    assert 0.05 / 6 < p < 0.05 / 2
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
