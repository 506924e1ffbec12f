"""Fixed-horizon comparisons: one look at the data once the planned sample is in.

- ``compare``: treatment vs control on one metric, a two-sided test and 1 - α confidence
  intervals on the absolute difference and on the relative change.
- ``holm``: adjusted p-values for several comparisons (metrics × variants).
- ``sample_ratio``: is the traffic split what the experiment asked for?

A p-value here is honest only when the sample size was fixed in advance and the data is
looked at once: stopping the first time p < α, after peeking at every batch, wrongly declares
a winner far more often than α (a third of A/A tests with 100 looks, see
``benchmarks/experiment_simulation.py``). To look as often as you like, use
``stats/sequential.py``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from pasarela.stats.experiments import (
    MetricKind,
    Summary,
    check_alpha,
    check_pair,
    unit_variance,
)

Z_TEST = "two-proportion z-test"
WELCH = "Welch t-test"

SRM_ALPHA = 0.001
"""A split is flagged below this p-value. Strict on purpose: the check runs on every
experiment, again and again, and a flag stops the analysis, so a false alarm is costly; a real
bug in assignment (a 50/48 split) drives p far below it within a few thousand units."""


@dataclass(frozen=True, slots=True)
class Effect:
    """Treatment vs control on one metric, from ``compare``."""

    control_mean: float
    treatment_mean: float
    absolute: float
    """Treatment mean - control mean, in the metric's units (a rate's 0.01 is one point)."""
    absolute_ci: tuple[float, float]
    relative: float | None
    """(treatment - control) / |control|: 0.1 is 10 % more than control. None when the
    control mean is 0."""
    relative_ci: tuple[float, float] | None
    """By the delta method (a normal approximation of the ratio of two means)."""
    p_value: float
    """Two-sided, for "no difference"."""
    test: str
    """``"two-proportion z-test"`` or ``"Welch t-test"``."""

    def to_json(self) -> dict[str, Any]:
        return {
            "control_mean": self.control_mean,
            "treatment_mean": self.treatment_mean,
            "absolute": self.absolute,
            "absolute_ci": list(self.absolute_ci),
            "relative": self.relative,
            "relative_ci": None if self.relative_ci is None else list(self.relative_ci),
            "p_value": self.p_value,
            "test": self.test,
        }


def compare(
    control: Summary, treatment: Summary, *, kind: MetricKind, alpha: float = 0.05
) -> Effect:
    """Compare treatment with control at a fixed horizon.

    A rate gets the two-proportion z-test: the pooled standard error for the test (the
    variance under "no difference"), the unpooled one for the Wald interval (the variance
    where the two rates differ). A mean gets Welch's t-test, which does not assume equal
    variances, and its interval on the Welch-Satterthwaite degrees of freedom. The relative
    interval is the delta method's, with normal quantiles. Intervals are at 1 - ``alpha``.

    >>> effect = compare(Summary.of_rate(1000, 10_000), Summary.of_rate(1100, 10_000), kind="rate")
    >>> round(effect.absolute, 4), round(effect.p_value, 3)
    (0.01, 0.021)
    """
    check_pair(control, treatment, kind)
    check_alpha(alpha)
    from scipy import stats  # lazily: the serving path never needs it

    mean_c, mean_t = control.mean, treatment.mean
    difference = mean_t - mean_c
    var_c = unit_variance(control, kind) / control.n
    var_t = unit_variance(treatment, kind) / treatment.n
    se = math.sqrt(var_c + var_t)
    if kind == "rate":
        test = Z_TEST
        p = float(pooled_z_p_value(control.sum, control.n, treatment.sum, treatment.n))
        critical = float(stats.norm.isf(alpha / 2))
    else:
        test = WELCH
        if se == 0:  # constant values in both arms: the difference is certain
            p, critical = (1.0 if difference == 0 else 0.0), 0.0
        else:
            df = (var_c + var_t) ** 2 / (var_c**2 / (control.n - 1) + var_t**2 / (treatment.n - 1))
            p = float(2 * stats.t.sf(abs(difference) / se, df))
            critical = float(stats.t.isf(alpha / 2, df))
    relative, relative_ci = _relative(mean_c, mean_t, var_c, var_t, alpha)
    return Effect(
        control_mean=mean_c,
        treatment_mean=mean_t,
        absolute=difference,
        absolute_ci=(difference - critical * se, difference + critical * se),
        relative=relative,
        relative_ci=relative_ci,
        p_value=p,
        test=test,
    )


def pooled_z_p_value(
    control_successes: ArrayLike,
    control_n: ArrayLike,
    treatment_successes: ArrayLike,
    treatment_n: ArrayLike,
) -> NDArray[np.float64]:
    """The two-sided two-proportion z-test's p-value with the pooled standard error, on
    numbers or on arrays of them (the simulation tests a million looks at once). 1 where the
    pooled rate is 0 or 1: both arms agree perfectly."""
    from scipy import special  # lazily: the serving path never needs it

    s_c, n_c = np.asarray(control_successes, float), np.asarray(control_n, float)
    s_t, n_t = np.asarray(treatment_successes, float), np.asarray(treatment_n, float)
    pooled = (s_c + s_t) / (n_c + n_t)
    variance = pooled * (1 - pooled) * (1 / n_c + 1 / n_t)
    with np.errstate(divide="ignore", invalid="ignore"):
        z = np.abs(s_t / n_t - s_c / n_c) / np.sqrt(variance)
    p: NDArray[np.float64] = special.erfc(z / math.sqrt(2))  # = 2 × the normal tail beyond |z|
    return np.where(variance > 0, p, 1.0)


def _relative(
    mean_c: float, mean_t: float, var_c: float, var_t: float, alpha: float
) -> tuple[float | None, tuple[float, float] | None]:
    """(treatment - control) / |control| and its delta-method interval.

    Var(m_t / m_c) ≈ Var(m_t) / m_c² + m_t² Var(m_c) / m_c⁴ (a first-order Taylor expansion
    of the ratio around the true means, the two arms independent); dividing by |m_c| rather
    than m_c keeps "positive means the treatment is higher" for a negative control mean and
    leaves the variance as it is.
    """
    if mean_c == 0:
        return None, None
    from scipy import stats  # lazily: the serving path never needs it

    relative = (mean_t - mean_c) / abs(mean_c)
    se = math.sqrt(var_t / mean_c**2 + mean_t**2 * var_c / mean_c**4)
    critical = float(stats.norm.isf(alpha / 2))
    return relative, (relative - critical * se, relative + critical * se)


def holm(p_values: Sequence[float]) -> list[float]:
    """Holm-Bonferroni adjusted p-values, in the order given: reject where the adjusted value
    is below α, and the chance of any false rejection among them stays at most α.

    The i-th smallest p-value is multiplied by (m - i + 1), capped at 1, and made no smaller
    than the adjusted values before it. Uniformly more powerful than Bonferroni, and valid
    whatever the dependence between the tests (metrics of one experiment are correlated).

    >>> holm([0.01, 0.04, 0.03])
    [0.03, 0.06, 0.06]
    """
    for p in p_values:
        if not 0 <= p <= 1:
            raise ValueError(f"p-values must be between 0 and 1, not {p}")
    m = len(p_values)
    adjusted = [0.0] * m
    running = 0.0
    for rank, index in enumerate(sorted(range(m), key=lambda i: p_values[i])):
        running = max(running, min(1.0, (m - rank) * p_values[index]))
        adjusted[index] = running
    return adjusted


@dataclass(frozen=True, slots=True)
class SampleRatioCheck:
    """Does the observed split match the configured weights? (A sample ratio mismatch means
    assignment or logging is broken, and every comparison of the experiment is suspect.)"""

    p_value: float
    """Chi-square goodness of fit."""
    flagged: bool
    """p < ``SRM_ALPHA`` (0.001)."""
    observed: tuple[int, ...]
    expected: tuple[float, ...]

    def to_json(self) -> dict[str, Any]:
        return {
            "p_value": self.p_value,
            "flagged": self.flagged,
            "observed": list(self.observed),
            "expected": list(self.expected),
        }


def sample_ratio(counts: Sequence[int], weights: Sequence[float]) -> SampleRatioCheck:
    """Chi-square goodness-of-fit test of the units each variant received against the shares
    its weight asked for (weights need not add up to 1). No units at all is no evidence of a
    mismatch: p = 1.

    >>> sample_ratio([50_000, 48_000], [50, 50]).flagged
    True
    >>> sample_ratio([5_000, 4_800], [50, 50]).flagged  # p = 0.04: could be chance
    False
    """
    if len(counts) != len(weights) or len(counts) < 2:
        raise ValueError("sample_ratio needs one weight per count and at least two variants")
    if any(count < 0 for count in counts):
        raise ValueError("counts must not be negative")
    if not all(weight > 0 for weight in weights):  # written so that NaN fails too
        raise ValueError("weights must be positive")
    observed = tuple(int(count) for count in counts)
    total, weight_total = sum(observed), math.fsum(weights)
    expected = tuple(total * weight / weight_total for weight in weights)
    if total == 0:
        return SampleRatioCheck(1.0, False, observed, expected)
    from scipy import stats  # lazily: the serving path never needs it

    chi2 = math.fsum((o - e) ** 2 / e for o, e in zip(observed, expected, strict=True))
    p = float(stats.chi2.sf(chi2, len(observed) - 1))
    return SampleRatioCheck(p, p < SRM_ALPHA, observed, expected)
