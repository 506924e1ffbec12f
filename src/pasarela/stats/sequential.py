"""Always-valid inference: a p-value and a confidence sequence that may be looked at after
every unit, and acted on at any look, without inflating the false-positive rate.

The method is the mixture sequential probability ratio test (mSPRT) with a normal mixing
distribution N(0, τ²) on the difference of means (Johari, Koomen, Pekelis & Walsh, "Peeking at
A/B tests", KDD 2017; "Always valid inference", Operations Research 2022). With θ̂ the observed
difference and V its variance, the mixture likelihood ratio against a difference θ is

    Λ(θ) = sqrt(V / (V + τ²)) · exp(τ² (θ̂ - θ)² / (2 V (V + τ²)))

For a Gaussian difference it is a nonnegative martingale of mean 1 when θ is the truth, so by
Ville's inequality it ever reaches 1/α with chance at most α. Hence:

- ``p_value = min(1, 1 / Λ(0))``: under no difference, p ≤ α at *any* look (after every unit,
  every day, whenever) has chance ≤ α over the whole experiment;
- ``ci = {θ : Λ(θ) < 1/α}``, an interval around θ̂ (inverting Λ is the normal-mixture
  boundary of Howard, Ramdas, McAuliffe & Sekhon, Annals of Statistics 2021): it covers the
  true difference at every look at once with chance ≥ 1 - α, and p ≤ α exactly when it
  excludes 0.

Each call sees one snapshot; a caller keeping the running minimum of the p-value and the
running intersection of the intervals over its looks stays valid (and is never less sure).

**Approximations.** θ̂ is taken as normal with the variance estimated from the data: that is
Waudby-Smith, Arnold, Wu, Ramdas et al.'s *asymptotic* confidence sequence ("Time-uniform
central limit theory", 2021), valid as the sample grows, like any z-test. Small samples are
covered by the mixture itself, which is very conservative far below its tuned horizon.
``benchmarks/experiment_simulation.py`` measures the false-positive rate of A/A tests looked
at every 100 units, and after every single unit: both stay far below α. A rate's variance is
the pooled one, p̄(1 - p̄) each arm: it is right under "no difference", where validity matters,
and vanishes only when both arms are all successes or all failures, whereas the unpooled one
makes 0 of 1 against 1 of 1 look certain.

**Tuning.** τ² is set so that the confidence sequence is narrowest at ``tuning`` units per
variant, the planned horizon: the width there is smallest when τ²/V =
c_α = 2 log(1/α) + log(1 + 2 log(1/α)) (7.94 at α = 0.05; Waudby-Smith et al.'s closed form),
so τ² = c_α (σ²_control + σ²_treatment) / tuning. Then τ ≈ 4 σ / sqrt(tuning), the effect a
fixed-horizon test of that size detects with 80 % power: the mixture bets on the effects the
experiment is sized to find. At its horizon the sequence is 1.55× as wide as a fixed-horizon
interval (the price of looking at will); mistuning costs little: tuned to 10× the units seen
it is 1.27× wider than the best tuning for them, to a tenth of them 1.07× wider. The default,
``DEFAULT_HORIZON`` = 10,000 units per variant, is typical of web experiments on rates and so
within those bounds from 1,000 to 100,000 units; pass ``sample_size(...)``'s figure to tune it
to the experiment. An experiment's report does exactly that with the figure its start fixed and
stored (``control.experiments.planned_tuning``), never with one derived from the data.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from pasarela.stats.experiments import MetricKind, Summary, check_alpha, check_pair

METHOD = "mSPRT (normal-mixture confidence sequence)"

DEFAULT_HORIZON = 10_000.0
"""Units per variant at which the confidence sequence is narrowest when ``tuning`` is None."""


@dataclass(frozen=True, slots=True)
class SequentialEffect:
    """Treatment vs control on one metric, valid at any look; from ``sequential``."""

    p_value: float
    """Always valid: under no difference, p ≤ α at any look has chance ≤ α."""
    ci: tuple[float, float]
    """Confidence sequence on the absolute difference (treatment - control), at 1 - α."""
    method: str

    def to_json(self) -> dict[str, Any]:
        return {"p_value": self.p_value, "ci": list(self.ci), "method": self.method}


def sequential(
    control: Summary,
    treatment: Summary,
    *,
    kind: MetricKind,
    alpha: float = 0.05,
    tuning: float | None = None,
) -> SequentialEffect:
    """Always-valid p-value and 1 - ``alpha`` confidence sequence on treatment - control.

    ``tuning`` is the number of units per variant at which the confidence sequence is
    narrowest (the planned sample size; ``DEFAULT_HORIZON`` when None). It must be fixed
    before the experiment starts: choosing it from the data seen voids the guarantee. A
    rate's interval is clipped to [-1, 1].

    >>> effect = sequential(
    ...     Summary.of_rate(1000, 10_000), Summary.of_rate(1150, 10_000), kind="rate"
    ... )
    >>> effect.p_value < 0.05, effect.ci[0] > 0
    (True, True)
    """
    check_pair(control, treatment, kind)
    check_alpha(alpha)
    horizon = DEFAULT_HORIZON if tuning is None else tuning
    if not horizon > 0:  # written so that NaN fails too
        raise ValueError(f"tuning (units per variant) must be positive, not {tuning}")
    difference = treatment.mean - control.mean
    if kind == "rate":
        pooled = (control.sum + treatment.sum) / (control.n + treatment.n)
        var_c = var_t = pooled * (1 - pooled)
    else:
        var_c, var_t = control.variance, treatment.variance
    variance = var_c / control.n + var_t / treatment.n
    if kind == "rate" and variance == 0:  # all successes or all failures: nothing known yet
        return SequentialEffect(1.0, (-1.0, 1.0), METHOD)
    mixing = mixing_variance(var_c + var_t, horizon, alpha)
    p = float(mixture_p_value(difference, variance, mixing))
    radius = float(mixture_radius(variance, mixing, alpha))
    low, high = difference - radius, difference + radius
    if kind == "rate":
        low, high = max(low, -1.0), min(high, 1.0)
    return SequentialEffect(p, (low, high), METHOD)


def mixing_variance(unit_variances: ArrayLike, horizon: float, alpha: float) -> NDArray[np.float64]:
    """τ² = c_α (σ²_control + σ²_treatment) / horizon, c_α = 2 log(1/α) + log(1 + 2 log(1/α)):
    the mixing variance whose confidence sequence is narrowest at ``horizon`` units per
    variant. ``unit_variances`` is σ²_control + σ²_treatment (numbers or arrays)."""
    two_log = 2 * math.log(1 / alpha)
    return np.asarray(unit_variances, float) * (two_log + math.log1p(two_log)) / horizon


def mixture_p_value(
    difference: ArrayLike, variance: ArrayLike, mixing: ArrayLike
) -> NDArray[np.float64]:
    """min(1, 1/Λ(0)) for an observed ``difference`` of estimated ``variance`` under mixing
    variance τ² (numbers or arrays). A zero variance makes the difference certain: p is 0,
    or 1 when the difference is 0."""
    d, v, t = (np.asarray(x, float) for x in (difference, variance, mixing))
    with np.errstate(divide="ignore", invalid="ignore"):
        log_p = 0.5 * np.log1p(t / v) - t * d * d / (2 * v * (v + t))
        p = np.exp(np.minimum(log_p, 0.0))
    result: NDArray[np.float64] = np.where(v > 0, p, np.where(d == 0, 1.0, 0.0))
    return result


def mixture_radius(variance: ArrayLike, mixing: ArrayLike, alpha: float) -> NDArray[np.float64]:
    """Half-width of the confidence sequence {θ : Λ(θ) < 1/α}:
    sqrt(V (V + τ²) / τ² · (log(1 + τ²/V) + 2 log(1/α))); 0 where V is 0."""
    v, t = np.asarray(variance, float), np.asarray(mixing, float)
    with np.errstate(divide="ignore", invalid="ignore"):
        radius = np.sqrt(v * (v + t) / t * (np.log1p(t / v) + 2 * math.log(1 / alpha)))
    result: NDArray[np.float64] = np.where(v > 0, radius, 0.0)
    return result
