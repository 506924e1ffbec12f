"""Experiment design: how many units an experiment needs, how long that takes, and how many
more a running one needs.

Sizes are for the fixed-horizon two-sided tests of ``stats/frequentist.py`` (the normal
approximation; the far tail of the two-sided test, negligible at any useful power, is ignored,
as in statsmodels' ``samplesize_proportions_2indep_onetail`` and ``NormalIndPower``). With
more than two variants each treatment is compared with control, k - 1 comparisons, and each is
sized at the Bonferroni-corrected level α / (k - 1), so that the chance of any false winner
stays at most α (``holm`` at analysis time is never less powerful). A sequential test
(``stats/sequential.py``) needs more units than these for the same power, the price of
looking at will.
"""

from __future__ import annotations

import math

from pasarela.stats.experiments import MetricKind, Summary, check_alpha, check_pair


def sample_size(
    *,
    kind: MetricKind,
    baseline_mean: float,
    mde: float,
    relative: bool = True,
    alpha: float = 0.05,
    power: float = 0.8,
    baseline_sd: float | None = None,
    variants: int = 2,
) -> int:
    """Units per variant for a two-sided test at level ``alpha`` to detect a difference of
    ``mde`` (relative to ``baseline_mean`` when ``relative``: 0.1 is 10 %, else in the metric's
    units) with chance ``power``.

    A rate p₁ → p₂ = p₁ + δ (Fleiss's formula without continuity correction, the pooled
    variance under "no difference" and the unpooled one under the alternative, matching the
    pooled z-test of ``compare``):

        n = (z_{1-α/2} sqrt(2 p̄ (1 - p̄)) + z_{power} sqrt(p₁(1 - p₁) + p₂(1 - p₂)))² / δ²

    A mean (``baseline_sd`` required, the same in both arms): n = 2 (z_{1-α/2} + z_{power})²
    σ² / δ². A negative ``mde`` sizes for a decrease.

    >>> sample_size(kind="rate", baseline_mean=0.10, mde=0.10)
    14751
    """
    check_alpha(alpha)
    if not 0 < power < 1:
        raise ValueError(f"power must be between 0 and 1, not {power}")
    if variants < 2:
        raise ValueError(f"an experiment needs at least 2 variants, not {variants}")
    delta = mde * baseline_mean if relative else mde
    if not (delta != 0 and math.isfinite(delta)):
        raise ValueError("the minimum detectable effect must be a nonzero difference")
    from scipy import stats  # lazily: the serving path never needs it

    z_alpha = float(stats.norm.isf(alpha / (variants - 1) / 2))
    z_power = float(stats.norm.ppf(power))
    if kind == "rate":
        if baseline_sd is not None:
            raise ValueError("baseline_sd applies to means; a rate's follows from its mean")
        p1, p2 = baseline_mean, baseline_mean + delta
        if not (0 < p1 < 1 and 0 < p2 < 1):
            raise ValueError(
                f"rates must be between 0 and 1: baseline {p1:g}, with the effect {p2:g}"
            )
        p_bar = (p1 + p2) / 2
        root = z_alpha * math.sqrt(2 * p_bar * (1 - p_bar)) + z_power * math.sqrt(
            p1 * (1 - p1) + p2 * (1 - p2)
        )
        n = root**2 / delta**2
    elif kind == "mean":
        if baseline_sd is None or not baseline_sd > 0:
            raise ValueError("a mean's sample size needs a positive baseline_sd")
        n = 2 * (z_alpha + z_power) ** 2 * baseline_sd**2 / delta**2
    else:
        raise ValueError(f"kind must be 'rate' or 'mean', not {kind!r}")
    return math.ceil(n)


def duration_days(
    units_per_variant: int, variants: int, daily_units: float, traffic_share: float = 1.0
) -> float:
    """Days to reach ``units_per_variant`` in each of ``variants`` equal arms, when
    ``daily_units`` units arrive a day and the experiment gets ``traffic_share`` of them.

    >>> duration_days(14_751, 2, daily_units=5_000, traffic_share=0.5)
    11.8008
    """
    if units_per_variant < 0:
        raise ValueError("units_per_variant must not be negative")
    if variants < 1:
        raise ValueError("variants must be at least 1")
    if not daily_units > 0:
        raise ValueError("daily_units must be positive")
    if not 0 < traffic_share <= 1:
        raise ValueError(f"traffic_share must be in (0, 1], not {traffic_share}")
    return units_per_variant * variants / (daily_units * traffic_share)


def units_needed(
    control: Summary,
    treatment: Summary,
    *,
    kind: MetricKind,
    mde: float,
    relative: bool = True,
    alpha: float = 0.05,
    power: float = 0.8,
    variants: int = 2,
) -> int:
    """How many more units per variant a running experiment needs before its fixed-horizon
    test detects ``mde`` with chance ``power``: for a report's "needs ~N more units per
    variant". 0 when it has enough.

    The design is ``sample_size`` recomputed on what has been observed instead of the guesses
    made before the start: the control's mean as the baseline (the MDE is relative to it) and,
    for a mean, the standard deviation pooled over both arms (sqrt of the mean of their
    variances). The smaller arm decides. A rate whose control has no successes (or no
    failures) yet cannot be sized: ValueError, like ``sample_size``.

    >>> units_needed(
    ...     Summary.of_rate(500, 5_000), Summary.of_rate(540, 5_000), kind="rate", mde=0.10
    ... )
    9751
    """
    check_pair(control, treatment, kind)
    sd: float | None = None
    if kind == "mean":
        sd = math.sqrt((control.variance + treatment.variance) / 2)
        if sd == 0:  # constant values: any difference is certain already
            return 0
    required = sample_size(
        kind=kind,
        baseline_mean=control.mean,
        mde=mde,
        relative=relative,
        alpha=alpha,
        power=power,
        baseline_sd=sd,
        variants=variants,
    )
    return max(0, required - min(control.n, treatment.n))
