"""What an experiment's statistics take in: one ``Summary`` per variant and metric, the counts
and sums a store can keep up to date without holding a single raw value.

Every analysis is a pure function of two summaries (control, treatment), one concept a module:

- ``stats/frequentist.py``: ``compare`` (fixed-horizon z- or Welch test, absolute and relative
  confidence intervals), ``holm`` (several comparisons), ``sample_ratio`` (broken traffic
  splits);
- ``stats/sequential.py``: ``sequential``, a test and a confidence sequence that stay valid
  however often they are looked at;
- ``stats/bayesian.py``: ``bayesian``, the chance to beat control and the expected loss;
- ``stats/design.py``: ``sample_size``, ``duration_days`` and ``units_needed``.

A metric is of one of two kinds: a **rate** (each unit converts or not, ``sum`` counts the
successes) or a **mean** (each unit contributes a number, ``sum`` and ``sum_sq`` add them and
their squares). None of them does I/O; scipy is imported inside the functions that need it, so
importing a statistics module costs the serving path nothing.

``benchmarks/experiment_simulation.py`` checks the error rates over simulated experiments.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

MetricKind = Literal["rate", "mean"]
"""``"rate"``: 0/1 outcomes, ``sum`` counts successes; ``"mean"``: any numeric outcome."""


@dataclass(frozen=True, slots=True)
class Summary:
    """One variant × one metric: ``n`` units (or observations) whose values add up to ``sum``
    and whose squares add up to ``sum_sq`` (for a rate, the successes: ``sum_sq == sum``).

    >>> Summary(n=4, sum=3.0, sum_sq=3.0).mean
    0.75
    """

    n: int
    sum: float
    sum_sq: float

    @classmethod
    def of_rate(cls, successes: float, n: int) -> Summary:
        """A rate's summary: ``successes`` of ``n``.

        >>> Summary.of_rate(120, 1000).mean
        0.12
        """
        return cls(n, float(successes), float(successes))

    @classmethod
    def of_values(cls, values: Iterable[float]) -> Summary:
        """The summary of raw values (in tests and small batch jobs; a store keeps the sums).

        >>> Summary.of_values([1.0, 2.0, 3.0]).variance
        1.0
        """
        n, total, total_sq = 0, 0.0, 0.0
        for value in values:
            n += 1
            total += value
            total_sq += value * value
        return cls(n, total, total_sq)

    @property
    def mean(self) -> float:
        return self.sum / self.n if self.n else math.nan

    @property
    def variance(self) -> float:
        """Sample variance (ddof=1); 0 below two units."""
        if self.n < 2:
            return 0.0
        # sum_sq - sum²/n can come out a hair below 0 in floating point
        return max(0.0, (self.sum_sq - self.sum * self.sum / self.n) / (self.n - 1))


@dataclass(frozen=True, slots=True)
class RatioSummary:
    """One variant × one ratio metric, per unit: unit u contributes a numerator x_u and a
    denominator y_u, and the metric is Σx / Σy. Cost per success is one (x: the unit's cost,
    y: its successes); so is any per-request metric when units make several requests (x: the
    sum of the unit's values, y: how many it has).

    The units are what was randomised, so they are the independent observations; a user's
    requests are not independent of each other, and treating them as such understates the
    variance. The delta method gives the variance of the ratio from the per-unit moments
    (Deng, Knoblich & Lu 2018, "Applying the Delta Method in Metric Analytics").

    >>> RatioSummary.of_units([(3.0, 1.0), (5.0, 1.0)]).ratio
    4.0
    """

    n: int
    sum_x: float
    sum_y: float
    sum_xx: float
    sum_yy: float
    sum_xy: float

    @classmethod
    def of_units(cls, units: Iterable[tuple[float, float]]) -> RatioSummary:
        """The summary of (numerator, denominator) pairs, one per unit (in tests)."""
        n, sx, sy, sxx, syy, sxy = 0, 0.0, 0.0, 0.0, 0.0, 0.0
        for x, y in units:
            n += 1
            sx, sy, sxx, syy, sxy = sx + x, sy + y, sxx + x * x, syy + y * y, sxy + x * y
        return cls(n, sx, sy, sxx, syy, sxy)

    @property
    def ratio(self) -> float:
        return self.sum_x / self.sum_y if self.sum_y else math.nan

    @property
    def one_per_unit(self) -> bool:
        """Every unit's denominator is 1 (Σy = Σy² = n, for counts): a plain per-unit mean."""
        return self.n > 0 and self.sum_y == self.n and self.sum_yy == self.n

    def linearized(self) -> Summary:
        """A ``Summary`` whose mean is the ratio and whose variance is the delta method's
        variance of one unit, ``(s_xx - 2 R s_xy + R² s_yy) / ȳ²``, so that every analysis
        taking summaries of means (``compare``, ``sequential``, ``bayesian``, ``sample_size``)
        analyses the ratio. No units, or Σy = 0: an empty summary (nothing to analyse).

        >>> s = RatioSummary.of_units([(1.0, 1.0), (3.0, 1.0)]).linearized()
        >>> s.mean, s.variance
        (2.0, 2.0)
        """
        if self.n == 0 or self.sum_y == 0:
            return Summary(0, 0.0, 0.0)
        n, ratio, mean_y = self.n, self.sum_x / self.sum_y, self.sum_y / self.n
        if n < 2:
            return Summary(1, ratio, ratio * ratio)

        def covariance(sum_ab: float, sum_a: float, sum_b: float) -> float:
            return (sum_ab - sum_a * sum_b / n) / (n - 1)

        var_x = covariance(self.sum_xx, self.sum_x, self.sum_x)
        var_y = covariance(self.sum_yy, self.sum_y, self.sum_y)
        cov_xy = covariance(self.sum_xy, self.sum_x, self.sum_y)
        variance = max(0.0, (var_x - 2 * ratio * cov_xy + ratio * ratio * var_y) / mean_y**2)
        return Summary(n, n * ratio, (n - 1) * variance + n * ratio * ratio)


def unit_variance(summary: Summary, kind: MetricKind) -> float:
    """The variance of one unit's value: p(1 - p) for a rate (the maximum-likelihood variance
    the z-test and Wald interval use), the sample variance (ddof=1) for a mean."""
    if kind == "rate":
        p = summary.mean
        return p * (1 - p)
    return summary.variance


def check_pair(control: Summary, treatment: Summary, kind: MetricKind) -> None:
    """Raise ValueError unless both summaries can be analysed as ``kind``: at least one unit a
    variant for a rate (two for a mean, whose variance needs them), and a rate's successes
    between 0 and ``n``."""
    if kind not in ("rate", "mean"):
        raise ValueError(f"kind must be 'rate' or 'mean', not {kind!r}")
    needed = 1 if kind == "rate" else 2
    for name, summary in (("control", control), ("treatment", treatment)):
        if summary.n < needed:
            raise ValueError(
                f"the {name} has {summary.n} units; a {kind} needs at least {needed} a variant"
            )
        if kind == "rate" and not 0 <= summary.sum <= summary.n:
            raise ValueError(
                f"the {name}'s successes ({summary.sum:g}) must be between 0 and n ({summary.n})"
            )


def check_alpha(alpha: float) -> None:
    if not 0 < alpha < 1:
        raise ValueError(f"alpha must be between 0 and 1, not {alpha}")
