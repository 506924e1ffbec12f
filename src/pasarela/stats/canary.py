"""The canary judge: does one step of a canary pass, hold or roll back? Pure statistics over
what each version did in the step's window; no I/O, no clock, no randomness.

Three rules shape it:

- **"Wait" is never "pass".** Too few requests (or feedback items) cannot show that a
  candidate is fine, so the step holds until its window has them. A rollout never advances on
  silence: a candidate that receives no traffic is never promoted.
- **A comparison fails only when the degradation is both statistically and practically
  significant** (as in Kayenta): a one-sided test says the candidate is worse (p < α′) *and*
  the observed degradation exceeds the gate's tolerance. With heavy traffic a negligible
  difference is significant; with light traffic a large one may be noise. Neither alone rolls
  back.
- **Bonferroni over every look and every test.** A canary judges several steps, each with
  several comparisons and thresholds, and each test is one more chance to roll back a good
  candidate. Testing each at α′ = α / (looks × tests) bounds the whole canary's wrong-rollback
  rate by α whatever the correlation between the tests (they share the baseline and overlap in
  time), so long as each test's p-value is honest. It costs power, which the tolerance mostly
  gives up anyway.
- **A threshold is a test too.** An absolute gate (``max_p95_latency_ms``, ``max_error_rate``, a
  feedback ``min``/``max``) fails only when a one-sided confidence bound at level 1 − α′ is past
  it: the candidate's *true* p95 (error rate, mean) is then beyond the gate with confidence, not
  just its noisy estimate. A candidate that truly meets every gate and is as good as the
  baseline is rolled back with probability at most α over the whole canary.

Every p-value is exact where an exact test exists: Fisher's exact test for error rates (valid
with a handful of errors and unbalanced arms, where the z-test was liberal), exact binomial /
order-statistic tests for thresholds on rates and quantiles, and a pooled-quantile (Mood-type)
Fisher test for the tail latency; Mann-Whitney (the median) and Welch (feedback means) are the
asymptotic ones.

``benchmarks/canary_simulation.py`` checks the result over whole simulated canaries.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
from numpy.typing import NDArray

from pasarela.stats.experiments import Summary

FISHER = "Fisher exact test"
MANN_WHITNEY = "Mann-Whitney U"
WELCH = "Welch t-test"
QUANTILE_FISHER = "pooled-quantile Fisher test"
"""The tail comparison: exceedances of the pooled sample's quantile, candidate vs baseline."""
BINOMIAL = "exact binomial test"
"""A threshold on a rate: the Clopper-Pearson lower bound against the maximum."""
ORDER_STATISTIC = "order-statistic bound"
"""A threshold on a quantile: the exact distribution-free lower confidence bound."""
T_TEST = "one-sample t-test"
"""A threshold on a feedback mean."""

MAX_LATENCY_SAMPLE = 2000
"""Latency values per version given to Mann-Whitney; larger samples are thinned (see below)."""


@dataclass(frozen=True, slots=True)
class FeedbackSummary:
    """One kind of feedback for one version in the window: ``count`` items whose values add up
    to ``sum`` (the successes, for 0/1 values) and whose squares add up to ``sum_sq``.

    >>> FeedbackSummary(count=4, sum=3.0, sum_sq=3.0).mean
    0.75
    """

    count: int
    sum: float
    sum_sq: float

    @property
    def mean(self) -> float:
        return Summary(self.count, self.sum, self.sum_sq).mean

    @property
    def variance(self) -> float:
        """Sample variance (ddof=1); 0 below two items."""
        return Summary(self.count, self.sum, self.sum_sq).variance


@dataclass(frozen=True, slots=True)
class VersionWindow:
    """What one version did during the step's window."""

    requests: int
    errors: int
    """Server errors only: a client's bad request says nothing about the version."""
    latencies_s: Sequence[float]
    """Latencies of the window's requests, in seconds (all of them or a sample)."""
    feedback: Mapping[str, FeedbackSummary] = field(default_factory=dict)
    """By kind, e.g. ``"reward"``, ``"task_completed"``, ``"label_correct"``."""


@dataclass(frozen=True, slots=True)
class FeedbackGate:
    """A gate on one kind of feedback: a threshold on the candidate's value, a comparison with
    the baseline, or both."""

    kind: str
    stat: Literal["rate", "mean"] = "mean"
    """``"rate"``: values are 0/1 and ``sum`` counts successes; ``"mean"``: continuous values."""
    min: float | None = None
    """The candidate's value below this fails."""
    max: float | None = None
    """The candidate's value above this fails."""
    compare: bool = True
    """Compare the candidate with the baseline."""
    tolerance: float = 0.0
    """Allowed degradation, absolute, in the metric's units (a rate's 0.02 is 2 points)."""
    higher_is_better: bool = True
    min_count: int = 30
    """Fewer items than this for the candidate (or either version, to compare) is "wait"."""


@dataclass(frozen=True, slots=True)
class Gates:
    """What a candidate must satisfy at each step."""

    max_error_rate: float | None = None
    """Threshold on the candidate's error rate (0.05 is 5 %)."""
    max_p95_latency_ms: float | None = None
    """Threshold on the candidate's 95th-percentile latency."""
    compare_error_rate: bool = True
    error_rate_tolerance: float = 0.01
    """Allowed increase of the error rate over the baseline's, absolute (0.01 is 1 point)."""
    compare_latency: bool = True
    latency_tolerance: float = 0.10
    """Allowed relative increase of the median latency over the baseline's (0.10 is 10 %)."""
    compare_tail_latency: bool = True
    """Compare an upper quantile too: the median cannot see a regression of the slowest
    requests alone."""
    tail_quantile: float = 0.99
    """The upper quantile compared (0.99 is the p99)."""
    tail_latency_tolerance: float = 0.20
    """Allowed relative increase of that quantile over the baseline's (0.20 is 20 %)."""
    feedback: tuple[FeedbackGate, ...] = ()


CheckStatus = Literal["pass", "fail", "wait"]
Action = Literal["promote", "hold", "rollback"]


@dataclass(frozen=True, slots=True)
class Check:
    """The outcome of one gate, with the numbers that decided it."""

    name: str
    """``"traffic"``, ``"error_rate"``, ``"p95_latency"``, ``"error_rate_vs_baseline"``,
    ``"latency_vs_baseline"``, ``"tail_latency_vs_baseline"``, ``"feedback:<kind>"``,
    ``"feedback:<kind>_vs_baseline"``."""
    status: CheckStatus
    candidate: float | None
    """The candidate's observed value (a rate as a fraction, a latency in ms)."""
    baseline: float | None
    threshold: float | None
    """The threshold or the tolerance applied."""
    test: str | None
    """The statistical test of a comparison or a threshold; None for the traffic check."""
    p_value: float | None
    alpha: float | None
    """The Bonferroni-adjusted level the p-value was held to."""
    detail: str
    """One sentence with the numbers, for people."""

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "status": self.status,
            "candidate": self.candidate,
            "baseline": self.baseline,
            "threshold": self.threshold,
            "test": self.test,
            "p_value": self.p_value,
            "alpha": self.alpha,
            "detail": self.detail,
        }


@dataclass(frozen=True, slots=True)
class Verdict:
    """What to do with the canary after this step: ``promote`` (the step passed: go on),
    ``hold`` (not enough data yet) or ``rollback`` (a check failed)."""

    action: Action
    checks: tuple[Check, ...]
    summary: str

    def to_json(self) -> dict[str, Any]:
        return {
            "action": self.action,
            "summary": self.summary,
            "checks": [check.to_json() for check in self.checks],
        }


def comparisons_per_step(gates: Gates) -> int:
    """How many baseline comparisons one judged step makes (error, median latency, tail
    latency, each compared feedback gate).

    >>> comparisons_per_step(Gates(feedback=(FeedbackGate("reward"),)))
    4
    """
    return (
        int(gates.compare_error_rate)
        + int(gates.compare_latency)
        + int(gates.compare_tail_latency)
        + sum(1 for gate in gates.feedback if gate.compare)
    )


def thresholds_per_step(gates: Gates) -> int:
    """How many absolute thresholds one judged step tests (each a one-sided confidence bound,
    so each spends its share of alpha like a comparison).

    >>> thresholds_per_step(Gates(max_p95_latency_ms=250, max_error_rate=0.02))
    2
    """
    return (
        int(gates.max_error_rate is not None)
        + int(gates.max_p95_latency_ms is not None)
        + sum(1 for gate in gates.feedback if gate.min is not None or gate.max is not None)
    )


def hypotheses_per_step(gates: Gates) -> int:
    """Every test one judged step makes: comparisons and thresholds; alpha is split over them
    and over the looks.

    >>> hypotheses_per_step(Gates(max_p95_latency_ms=250))
    4
    """
    return comparisons_per_step(gates) + thresholds_per_step(gates)


def judge(
    candidate: VersionWindow,
    baseline: VersionWindow,
    gates: Gates,
    *,
    min_requests: int,
    alpha: float = 0.05,
    looks: int = 1,
) -> Verdict:
    """Judge one step of a canary on the window both versions shared.

    ``alpha`` is the chance the whole canary may take of rolling back a candidate as good as
    the baseline; ``looks`` is how many judgements of the canary can roll it back (its judged
    steps: the controller acts on a failing test only when no check of the step waits,
    so each step is one look), and every comparison and threshold is tested at
    ``alpha / (looks * hypotheses_per_step(gates))``. A step that holds for traffic runs no
    test. Any failed check rolls back; otherwise any check waiting for data holds; otherwise
    the step passes (``promote``).

    >>> window = VersionWindow(requests=1000, errors=10, latencies_s=[0.02] * 1000)
    >>> judge(window, window, Gates(), min_requests=100, looks=3).action
    'promote'
    """
    if min_requests < 1:
        raise ValueError("min_requests must be at least 1")
    if not 0 < alpha < 1:
        raise ValueError("alpha must be between 0 and 1")
    if looks < 1:
        raise ValueError("looks must be at least 1")
    if not 0 < gates.tail_quantile < 1:
        raise ValueError("tail_quantile must be between 0 and 1")
    alpha_adj = alpha / (looks * max(1, hypotheses_per_step(gates)))
    traffic = _traffic(candidate, baseline, min_requests)
    if traffic.status == "wait":
        checks = [traffic, *_waiting_for_traffic(gates, alpha_adj, min_requests)]
    else:
        checks = [traffic, *_checks(candidate, baseline, gates, alpha_adj)]
    return _verdict(tuple(checks))


def _verdict(checks: tuple[Check, ...]) -> Verdict:
    failed = [check.name for check in checks if check.status == "fail"]
    waiting = [check.name for check in checks if check.status == "wait"]
    if failed:
        summary = "failed: " + ", ".join(failed)
        if waiting:
            summary += "; waiting: " + ", ".join(waiting)
        return Verdict("rollback", checks, summary)
    if waiting:
        return Verdict("hold", checks, "waiting: " + ", ".join(waiting))
    return Verdict("promote", checks, f"all {len(checks)} checks passed")


def _checks(
    candidate: VersionWindow, baseline: VersionWindow, gates: Gates, alpha_adj: float
) -> list[Check]:
    checks: list[Check] = []
    if gates.max_error_rate is not None:
        checks.append(_error_threshold(candidate, gates.max_error_rate, alpha_adj))
    if gates.max_p95_latency_ms is not None:
        checks.append(_p95_threshold(candidate, gates.max_p95_latency_ms, alpha_adj))
    if gates.compare_error_rate:
        checks.append(_error_comparison(candidate, baseline, gates.error_rate_tolerance, alpha_adj))
    if gates.compare_latency:
        checks.append(_latency_comparison(candidate, baseline, gates.latency_tolerance, alpha_adj))
    if gates.compare_tail_latency:
        checks.append(_tail_comparison(candidate, baseline, gates, alpha_adj))
    for gate in gates.feedback:
        if gate.min is not None or gate.max is not None:
            checks.append(_feedback_threshold(gate, candidate, alpha_adj))
        if gate.compare:
            checks.append(_feedback_comparison(gate, candidate, baseline, alpha_adj))
    return checks


def _waiting_for_traffic(gates: Gates, alpha_adj: float, min_requests: int) -> list[Check]:
    """The checks ``_checks`` would make, each waiting: so a held step shows what it will judge."""
    planned: list[tuple[str, str | None, float | None]] = []
    if gates.max_error_rate is not None:
        planned.append(("error_rate", BINOMIAL, gates.max_error_rate))
    if gates.max_p95_latency_ms is not None:
        planned.append(("p95_latency", ORDER_STATISTIC, gates.max_p95_latency_ms))
    if gates.compare_error_rate:
        planned.append(("error_rate_vs_baseline", FISHER, gates.error_rate_tolerance))
    if gates.compare_latency:
        planned.append(("latency_vs_baseline", MANN_WHITNEY, gates.latency_tolerance))
    if gates.compare_tail_latency:
        planned.append(("tail_latency_vs_baseline", QUANTILE_FISHER, gates.tail_latency_tolerance))
    for gate in gates.feedback:
        if gate.min is not None or gate.max is not None:
            bound = gate.min if gate.min is not None else gate.max
            threshold_test = BINOMIAL if gate.stat == "rate" else T_TEST
            planned.append((f"feedback:{gate.kind}", threshold_test, bound))
        if gate.compare:
            test = FISHER if gate.stat == "rate" else WELCH
            planned.append((f"feedback:{gate.kind}_vs_baseline", test, gate.tolerance))
    detail = f"waiting for {min_requests:,} requests per version"
    return [
        _check(
            name, "wait", detail, threshold=threshold, test=test, alpha=alpha_adj if test else None
        )
        for name, test, threshold in planned
    ]


def _check(
    name: str,
    status: CheckStatus,
    detail: str,
    *,
    candidate: float | None = None,
    baseline: float | None = None,
    threshold: float | None = None,
    test: str | None = None,
    p_value: float | None = None,
    alpha: float | None = None,
) -> Check:
    """A Check whose numbers are plain floats (numpy's are not JSON-serializable)."""
    return Check(
        name,
        status,
        _float(candidate),
        _float(baseline),
        _float(threshold),
        test,
        _float(p_value),
        _float(alpha),
        detail,
    )


# -- traffic and thresholds on the candidate ------------------------------------------------


def _traffic(candidate: VersionWindow, baseline: VersionWindow, min_requests: int) -> Check:
    enough = candidate.requests >= min_requests and baseline.requests >= min_requests
    counts = f"candidate {candidate.requests:,} requests, baseline {baseline.requests:,}"
    return _check(
        "traffic",
        "pass" if enough else "wait",
        f"{counts} ({'≥' if enough else 'need'} {min_requests:,} each)",
        candidate=candidate.requests,
        baseline=baseline.requests,
        threshold=min_requests,
    )


def _error_threshold(candidate: VersionWindow, max_rate: float, alpha_adj: float) -> Check:
    """Fail when the candidate's true error rate exceeds ``max_rate`` with confidence: the
    exact binomial test of H0 rate ≤ max_rate, i.e. the one-sided Clopper-Pearson lower bound
    at level 1 − α′ is above the maximum."""
    rate = candidate.errors / candidate.requests
    p = _binomial_greater_p(candidate.errors, candidate.requests, max_rate)
    failed = p < alpha_adj
    relation = ">" if rate > max_rate else "≤"
    verdict = "beyond it with confidence" if failed else "not beyond it with confidence"
    return _check(
        "error_rate",
        "fail" if failed else "pass",
        f"candidate error rate {_pct(rate)} {relation} {_pct(max_rate)} maximum, "
        f"p={p:.2g} {'<' if failed else '≥'} {alpha_adj:.2g}: {verdict}",
        candidate=rate,
        threshold=max_rate,
        test=BINOMIAL,
        p_value=p,
        alpha=alpha_adj,
    )


P95 = 0.95


def _p95_threshold(candidate: VersionWindow, max_ms: float, alpha_adj: float) -> Check:
    """Fail only when the exact distribution-free lower confidence bound of the candidate's p95
    (an order statistic) is above ``max_ms``: the test of H0 p95 ≤ max_ms counts the latencies
    above it, Binomial(n, ≤ 5 %) under H0."""
    latencies = _array(candidate.latencies_s)
    test, name = ORDER_STATISTIC, "p95_latency"
    if latencies.size == 0:
        detail = "no latency samples for the candidate yet"
        return _check(name, "wait", detail, threshold=max_ms, test=test, alpha=alpha_adj)
    p95_ms = float(np.percentile(latencies, 95)) * 1000
    above = int(np.count_nonzero(latencies * 1000 > max_ms))
    p = _binomial_greater_p(above, latencies.size, 1 - P95)
    lower_ms = quantile_lower_bound(latencies, P95, alpha_adj) * 1000
    failed = p < alpha_adj
    bound = f"lower {100 * (1 - alpha_adj):.2f} % bound " + (
        f"{lower_ms:.1f} ms" if math.isfinite(lower_ms) else "none (too few samples)"
    )
    return _check(
        name,
        "fail" if failed else "pass",
        f"candidate p95 latency {p95_ms:.1f} ms ({bound}) {'>' if failed else '≤'} "
        f"{max_ms:g} ms maximum, p={p:.2g} {'<' if failed else '≥'} {alpha_adj:.2g}",
        candidate=p95_ms,
        threshold=max_ms,
        test=test,
        p_value=p,
        alpha=alpha_adj,
    )


def quantile_lower_bound(values: NDArray[np.float64], q: float, alpha: float) -> float:
    """The exact distribution-free one-sided lower confidence bound, level 1 − ``alpha``, of
    the ``q``-quantile: the order statistic x₍ₙ₋c₊₁₎, where c is the fewest values above a
    point that make P(Binomial(n, 1 − q) ≥ c) < alpha. ``-inf`` when n is too small for any.

    It is the bound whose comparison with a threshold is the exact binomial test above: the
    bound exceeds T exactly when at least c values do, so failing on the bound and failing on
    the test are the same decision (``scipy.stats.quantile_test`` gives the same bound).
    """
    from scipy import stats  # lazily: the serving path never needs it

    n = values.size
    # c: the smallest count with sf(c - 1) < alpha. isf lands next to it; the loops settle
    # the edge exactly, which a discrete distribution's isf does not promise
    c = max(int(stats.binom.isf(alpha, n, 1 - q)), 0)
    while c <= n and stats.binom.sf(c - 1, n, 1 - q) >= alpha:
        c += 1
    while c > 1 and stats.binom.sf(c - 2, n, 1 - q) < alpha:
        c -= 1
    if c > n:
        return -math.inf
    return float(np.sort(values)[n - c])


def _feedback_threshold(gate: FeedbackGate, candidate: VersionWindow, alpha_adj: float) -> Check:
    """Fail only when the candidate's true rate (mean) is past the gate with confidence: an
    exact binomial test for a rate, a one-sample t-test for a mean, one-sided at α′."""
    name = f"feedback:{gate.kind}"
    test = BINOMIAL if gate.stat == "rate" else T_TEST
    summary = candidate.feedback.get(gate.kind, _NO_FEEDBACK)
    # a t-test needs a variance, so two items whatever min_count says
    needed = max(gate.min_count, 1 if gate.stat == "rate" else 2)
    if summary.count < needed:
        bound = gate.min if gate.min is not None else gate.max
        detail = f"{summary.count} {gate.kind} items for the candidate, need {needed}"
        return _check(name, "wait", detail, threshold=bound, test=test, alpha=alpha_adj)
    value = summary.mean
    show = _pct if gate.stat == "rate" else _num
    what = f"candidate {gate.kind} {gate.stat} {show(value)}"
    # the side closer to failing decides (with both bounds set, at most one can be significant)
    p_low = _below_p(gate, summary, gate.min) if gate.min is not None else 1.0
    p_high = _above_p(gate, summary, gate.max) if gate.max is not None else 1.0
    if p_low <= p_high and gate.min is not None:
        p, bound, side = (
            p_low,
            gate.min,
            f"{'<' if value < gate.min else '≥'} {show(gate.min)} minimum",
        )
    else:
        assert gate.max is not None
        p, bound, side = (
            p_high,
            gate.max,
            f"{'>' if value > gate.max else '≤'} {show(gate.max)} maximum",
        )
    failed = p < alpha_adj
    detail = f"{what} {side}, p={p:.2g} {'<' if failed else '≥'} {alpha_adj:.2g}: " + (
        "past it with confidence" if failed else "not past it with confidence"
    )
    return _check(
        name,
        "fail" if failed else "pass",
        detail,
        candidate=value,
        threshold=bound,
        test=test,
        p_value=p,
        alpha=alpha_adj,
    )


def _below_p(gate: FeedbackGate, summary: FeedbackSummary, minimum: float) -> float:
    """One-sided p-value of H0 the true value ≥ ``minimum`` (H1: below it)."""
    if gate.stat == "rate":
        failures = summary.count - round(summary.sum)
        return _binomial_greater_p(failures, summary.count, 1 - minimum)
    return _mean_t_p(summary, minimum, above=False)


def _above_p(gate: FeedbackGate, summary: FeedbackSummary, maximum: float) -> float:
    """One-sided p-value of H0 the true value ≤ ``maximum`` (H1: above it)."""
    if gate.stat == "rate":
        return _binomial_greater_p(round(summary.sum), summary.count, maximum)
    return _mean_t_p(summary, maximum, above=True)


def _mean_t_p(summary: FeedbackSummary, bound: float, *, above: bool) -> float:
    """One-sided one-sample t-test of the mean against ``bound`` from the summary."""
    gap = summary.mean - bound if above else bound - summary.mean
    if summary.variance == 0:  # constant values: the mean is certain
        return 0.0 if gap > 0 else 1.0
    from scipy import stats  # lazily: the serving path never needs it

    t = gap / math.sqrt(summary.variance / summary.count)
    return float(stats.t.sf(t, summary.count - 1))


def _binomial_greater_p(successes: int, n: int, rate: float) -> float:
    """Exact one-sided binomial p-value P(Binomial(n, rate) ≥ successes): H0 the true rate is
    at most ``rate`` (as ``scipy.stats.binomtest(..., alternative="greater")``)."""
    if successes <= 0:
        return 1.0
    from scipy import stats  # lazily: the serving path never needs it

    return float(stats.binom.sf(successes - 1, n, rate))


# -- comparisons with the baseline ----------------------------------------------------------


def _error_comparison(
    candidate: VersionWindow, baseline: VersionWindow, tolerance: float, alpha_adj: float
) -> Check:
    rate_c = candidate.errors / candidate.requests
    rate_b = baseline.errors / baseline.requests
    p = _proportion_greater_p(
        candidate.errors, candidate.requests, baseline.errors, baseline.requests
    )
    worse = rate_c - rate_b
    status, text = _significance(
        worse, tolerance, p, alpha_adj, f"{100 * worse:+.1f} pp", f"{100 * tolerance:g} pp"
    )
    return _check(
        "error_rate_vs_baseline",
        status,
        f"candidate error rate {_pct(rate_c)} vs baseline {_pct(rate_b)} {text}",
        candidate=rate_c,
        baseline=rate_b,
        threshold=tolerance,
        test=FISHER,
        p_value=p,
        alpha=alpha_adj,
    )


def _latency_comparison(
    candidate: VersionWindow, baseline: VersionWindow, tolerance: float, alpha_adj: float
) -> Check:
    name = "latency_vs_baseline"
    latencies_c, latencies_b = _array(candidate.latencies_s), _array(baseline.latencies_s)
    if latencies_c.size == 0 or latencies_b.size == 0:
        missing = "candidate" if latencies_c.size == 0 else "baseline"
        detail = f"no latency samples for the {missing} yet"
        return _check(name, "wait", detail, threshold=tolerance, test=MANN_WHITNEY, alpha=alpha_adj)
    median_c = float(np.median(latencies_c)) * 1000
    median_b = float(np.median(latencies_b)) * 1000
    # a zero baseline median (a coarse clock) makes any slower candidate infinitely worse
    worse = median_c / median_b - 1 if median_b > 0 else (math.inf if median_c > 0 else 0.0)
    from scipy import stats  # lazily: the serving path never needs it

    result = stats.mannwhitneyu(
        _thinned(latencies_c), _thinned(latencies_b), alternative="greater", method="asymptotic"
    )
    p = float(result.pvalue)
    if math.isnan(p):  # every value tied: no evidence either way
        p = 1.0
    status, text = _significance(
        worse, tolerance, p, alpha_adj, f"{100 * worse:+.1f}%", f"{100 * tolerance:g}%"
    )
    return _check(
        name,
        status,
        f"candidate median latency {median_c:.1f} ms vs baseline {median_b:.1f} ms {text}",
        candidate=median_c,
        baseline=median_b,
        threshold=tolerance,
        test=MANN_WHITNEY,
        p_value=p,
        alpha=alpha_adj,
    )


def _tail_comparison(
    candidate: VersionWindow, baseline: VersionWindow, gates: Gates, alpha_adj: float
) -> Check:
    """Compare an upper quantile (``gates.tail_quantile``) of the latencies.

    The test counts, in each version, the latencies above the pooled sample's quantile, and
    tests the 2×2 table with a one-sided Fisher exact test (Mood's median test moved to the
    tail). Under H0 (the candidate's latencies distributed as the baseline's) the versions'
    latencies are exchangeable, so given the pooled sample the candidate's count is
    hypergeometric: the p-value is exact whatever the distribution, ties and the arms' sizes,
    and it sees the tail alone, where a shifted median does not move it much. It is run on
    every latency the judge gets (not the thinned sample: thinning would fix the exceedance
    counts), and the practical side compares the versions' own quantiles.
    """
    name = "tail_latency_vs_baseline"
    q, tolerance = gates.tail_quantile, gates.tail_latency_tolerance
    label = f"p{_quantile_label(q)}"
    latencies_c, latencies_b = _array(candidate.latencies_s), _array(baseline.latencies_s)
    if latencies_c.size == 0 or latencies_b.size == 0:
        missing = "candidate" if latencies_c.size == 0 else "baseline"
        detail = f"no latency samples for the {missing} yet"
        return _check(
            name, "wait", detail, threshold=tolerance, test=QUANTILE_FISHER, alpha=alpha_adj
        )
    quantile_c = float(np.quantile(latencies_c, q)) * 1000
    quantile_b = float(np.quantile(latencies_b, q)) * 1000
    worse = quantile_c / quantile_b - 1 if quantile_b > 0 else (math.inf if quantile_c > 0 else 0.0)
    p = tail_exceedance_p(latencies_c, latencies_b, q)
    status, text = _significance(
        worse, tolerance, p, alpha_adj, f"{100 * worse:+.1f}%", f"{100 * tolerance:g}%"
    )
    return _check(
        name,
        status,
        f"candidate {label} latency {quantile_c:.1f} ms vs baseline {quantile_b:.1f} ms {text}",
        candidate=quantile_c,
        baseline=quantile_b,
        threshold=tolerance,
        test=QUANTILE_FISHER,
        p_value=p,
        alpha=alpha_adj,
    )


def tail_exceedance_p(
    candidate: NDArray[np.float64], baseline: NDArray[np.float64], q: float
) -> float:
    """One-sided p-value that the candidate's values exceed the pooled ``q``-quantile more
    often than the baseline's (Fisher's exact test on the exceedance counts)."""
    pooled_quantile = np.quantile(np.concatenate([candidate, baseline]), q)
    above_c = int(np.count_nonzero(candidate > pooled_quantile))
    above_b = int(np.count_nonzero(baseline > pooled_quantile))
    return _proportion_greater_p(above_c, candidate.size, above_b, baseline.size)


def _quantile_label(q: float) -> str:
    """99 for 0.99, 99.9 for 0.999."""
    return f"{100 * q:g}"


def _feedback_comparison(
    gate: FeedbackGate, candidate: VersionWindow, baseline: VersionWindow, alpha_adj: float
) -> Check:
    name = f"feedback:{gate.kind}_vs_baseline"
    test = FISHER if gate.stat == "rate" else WELCH
    summary_c = candidate.feedback.get(gate.kind, _NO_FEEDBACK)
    summary_b = baseline.feedback.get(gate.kind, _NO_FEEDBACK)
    # a variance needs two items whatever min_count says
    needed = max(gate.min_count, 1 if gate.stat == "rate" else 2)
    if summary_c.count < needed or summary_b.count < needed:
        detail = (
            f"{summary_c.count} {gate.kind} items for the candidate and {summary_b.count} "
            f"for the baseline, need {needed} each"
        )
        return _check(name, "wait", detail, threshold=gate.tolerance, test=test, alpha=alpha_adj)
    value_c, value_b = summary_c.mean, summary_b.mean
    worse = value_b - value_c if gate.higher_is_better else value_c - value_b
    if gate.stat == "rate":
        p = _rate_worse_p(summary_c, summary_b, gate.higher_is_better)
        delta, tolerance = f"{abs(100 * worse):.1f} pp", f"{100 * gate.tolerance:g} pp"
        values = f"{_pct(value_c)} vs baseline {_pct(value_b)}"
    else:
        p = _mean_worse_p(summary_c, summary_b, gate.higher_is_better, worse)
        delta, tolerance = _num(abs(worse)), f"{gate.tolerance:g}"
        values = f"{_num(value_c)} vs baseline {_num(value_b)}"
    delta += " worse" if worse >= 0 else " better"
    status, text = _significance(worse, gate.tolerance, p, alpha_adj, delta, tolerance)
    return _check(
        name,
        status,
        f"candidate {gate.kind} {gate.stat} {values} {text}",
        candidate=value_c,
        baseline=value_b,
        threshold=gate.tolerance,
        test=test,
        p_value=p,
        alpha=alpha_adj,
    )


def _significance(
    worse: float, tolerance: float, p: float, alpha_adj: float, delta: str, tolerance_text: str
) -> tuple[CheckStatus, str]:
    """Fail only when both statistically (p < α′) and practically (beyond the tolerance)
    significant; the text ends the check's sentence: "(+5.1 pp > 1 pp tolerance), p=0.0003 <
    0.0083"."""
    significant = p < alpha_adj
    beyond = worse > tolerance
    text = (
        f"({delta} {'>' if beyond else '≤'} {tolerance_text} tolerance), "
        f"p={p:.2g} {'<' if significant else '≥'} {alpha_adj:.2g}"
    )
    if significant and beyond:
        return "fail", text
    if significant:
        return "pass", text + ": significant but within tolerance"
    return "pass", text + ": not significant"


def _proportion_greater_p(x1: float, n1: float, x2: float, n2: float) -> float:
    """One-sided Fisher exact test; H1: x1/n1 > x2/n2.

    Exact at every count: conditional on the total of successes it is hypergeometric, so its
    size never exceeds the level whatever the arms' sizes. The pooled z-test with Yates's
    correction it replaces was liberal with unbalanced arms (size 0.946 % at a nominal 0.833 %
    with 100 vs 1,900 requests and 1 % errors; ``tests/unit/stats/test_canary_judge.py``
    enumerates the outcomes). scipy computes it from the hypergeometric tail, in microseconds
    even at millions of requests, so there is no switch to an approximation for large counts.
    """
    if x1 + x2 == 0 or x1 + x2 == n1 + n2:  # both rates 0 (or both 1): nothing to compare
        return 1.0
    from scipy import stats  # lazily: the serving path never needs it

    s1, s2 = round(x1), round(x2)
    table = np.array([[s1, round(n1) - s1], [s2, round(n2) - s2]], dtype=np.int64)
    return float(stats.fisher_exact(table, alternative="greater").pvalue)


def _rate_worse_p(
    candidate: FeedbackSummary, baseline: FeedbackSummary, higher_is_better: bool
) -> float:
    c = (candidate.sum, candidate.count)
    b = (baseline.sum, baseline.count)
    return _proportion_greater_p(*b, *c) if higher_is_better else _proportion_greater_p(*c, *b)


def _mean_worse_p(
    candidate: FeedbackSummary, baseline: FeedbackSummary, higher_is_better: bool, worse: float
) -> float:
    """One-sided Welch t-test from the summaries; H1: the candidate's mean is worse."""
    var_c, var_b = candidate.variance, baseline.variance
    if var_c == 0 and var_b == 0:  # constant values: the difference is certain
        return 0.0 if worse > 0 else 1.0
    from scipy import stats  # lazily: the serving path never needs it

    result = stats.ttest_ind_from_stats(
        candidate.mean,
        math.sqrt(var_c),
        candidate.count,
        baseline.mean,
        math.sqrt(var_b),
        baseline.count,
        equal_var=False,
        alternative="less" if higher_is_better else "greater",
    )
    return float(result.pvalue)


# -- helpers --------------------------------------------------------------------------------

_NO_FEEDBACK = FeedbackSummary(0, 0.0, 0.0)


def _array(values: Sequence[float]) -> NDArray[np.float64]:
    return np.asarray(values, dtype=np.float64)


def _thinned(values: NDArray[np.float64]) -> NDArray[np.float64]:
    """At most MAX_LATENCY_SAMPLE values: evenly spaced order statistics of the sorted sample.

    Mann-Whitney ranks every value, and a busy endpoint's window holds millions. Evenly spaced
    order statistics keep the sample's shape (one value every 1/2,000 of its distribution), are
    deterministic, so the same window always gets the same verdict, and 2,000 a side still
    detects shifts well below any sensible tolerance.
    """
    if values.size <= MAX_LATENCY_SAMPLE:
        return values
    ordered = np.sort(values)
    picks = np.linspace(0, ordered.size - 1, MAX_LATENCY_SAMPLE).round().astype(np.intp)
    return ordered[picks]


def _float(value: float | None) -> float | None:
    return None if value is None else float(value)


def _pct(rate: float) -> str:
    return f"{100 * rate:.1f}%"


def _num(value: float) -> str:
    return f"{value:.3g}"
