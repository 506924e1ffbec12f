"""Multi-armed bandits: which arm (model version) serves the next request, or which share of
the next period's traffic each arm gets. Pure statistics over each arm's pulls and rewards; no
I/O, no clock, and no randomness but the ``numpy.random.Generator`` the caller passes.

``select`` is the per-round rule (one arm for one request); ``allocation`` gives traffic shares
for a policy that routes many requests between two updates of the arms' statistics. Both follow
the same rules:

- **Warm-up: equal shares until every arm has ``warmup`` pulls.** A few lucky early rewards
  must not starve an arm before it has been measured, and an arm added later gets its fair
  share until it has caught up.
- **A floor: every arm keeps at least ``min_share`` of the traffic,** so a losing arm stays
  measured and the bandit notices when it improves (a model's world drifts). By default the
  floor is ``DEFAULT_FLOOR`` (2 %) of all the traffic split over the arms (1 % each for two,
  0.2 % each for ten): a per-arm 1 % cost ten arms 10 % of the traffic (Thompson, ten arms
  p = 0.05 … 0.08, 100k pulls: regret 407 with 1 % each, 334 with the default, 309 with no
  floor).
- **Forgetting is ``forget``'s, on the statistics, not the rules'.** Discounted Thompson /
  discounted UCB (Garivier & Moulines 2011) multiply every arm's sufficient statistics by
  ``gamma = 0.5 ** (new pulls / half_life)`` before adding the new ones, so a reward
  ``half_life`` pulls old weighs half. ``select`` and ``allocation`` take the discounted
  statistics as they are, and the raw pull counts (``seen``) for the warm-up.
- **Batched UCB1 spreads the interval.** UCB1's index is deterministic: between two updates
  every pull would go to the one arm with the highest index (98 % of each interval at 1,000
  pulls an update). ``allocation(batch=B)`` gives each arm the pulls per-round UCB1 would give
  it over the next B rounds if every reward equalled its arm's mean (the "hallucinated"
  updates of batched UCB, Desautels, Krause & Burdick 2014): the index falls as an arm's pulls
  grow, so the B pulls water-fill the arms up to one common index.
- **UCB1-Tuned, not textbook UCB1, is the ``ucb1`` index by default.** Textbook UCB1 (Auer,
  Cesa-Bianchi & Fischer 2002) adds ``sqrt(2 ln t / n)`` to each mean: a bound sized for the
  worst rewards in [0, 1], whose variance is 1/4. Conversion rates of a few percent have a
  variance near 0.05, and two of them 1 point apart need tens of thousands of pulls before
  that bonus can tell them apart: over 10,000 rounds at p = 0.05 / 0.06 / 0.08 textbook UCB1
  sends the best arm only 57 % of the last 1,000 rounds. UCB1-Tuned (the same paper, §4)
  sizes the bonus by the arm's empirical variance plus a term for the variance estimate's own
  uncertainty, and sends it 90 % (``benchmarks/bandit_simulation.py``). The paper proves no
  regret bound for it, only shows it does better; Thompson sampling (94 %) does better still.
  Textbook UCB1 stays available as ``ucb_index="classic"``.

``benchmarks/bandit_simulation.py`` measures regret and the best arm's share over simulated
runs.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal, get_args

import numpy as np
from numpy.typing import ArrayLike, NDArray

Algorithm = Literal["epsilon_greedy", "ucb1", "thompson"]
RewardKind = Literal["binary", "continuous"]
UcbIndex = Literal["tuned", "classic"]

Floats = NDArray[np.float64]

DEFAULT_FLOOR = 0.02
"""The share of all traffic kept for exploration when ``min_share`` is not set, split equally
over the arms: the total, not each arm's, stays the same however many arms there are."""

_EXACT = 1e-12
"""Slack for ``min_share × arms = 1`` computed in floating point."""


@dataclass(frozen=True, slots=True)
class ArmStats:
    """What one arm has seen: ``pulls`` rewards that add up to ``reward_sum`` and whose
    squares add up to ``reward_sum_sq`` (for 0/1 rewards both sums count the successes).

    >>> ArmStats().add(1.0).add(0.0).mean
    0.5
    """

    pulls: float = 0
    """A count, or after ``forget`` a discounted (fractional) one."""
    reward_sum: float = 0.0
    reward_sum_sq: float = 0.0

    def __post_init__(self) -> None:
        if self.pulls < 0:
            raise ValueError("pulls cannot be negative")

    @property
    def mean(self) -> float:
        """The mean reward; 0 before the first pull."""
        return self.reward_sum / self.pulls if self.pulls else 0.0

    @property
    def variance(self) -> float:
        """Sample variance of the rewards (ddof=1); 0 below two pulls."""
        if self.pulls < 2:
            return 0.0
        # sum_sq - sum²/n can come out a hair below 0 in floating point
        centred = self.reward_sum_sq - self.reward_sum * self.reward_sum / self.pulls
        return max(0.0, centred / (self.pulls - 1))

    def add(self, reward: float) -> ArmStats:
        """These statistics with one more reward."""
        return ArmStats(
            self.pulls + 1, self.reward_sum + reward, self.reward_sum_sq + reward * reward
        )

    def scaled(self, weight: float) -> ArmStats:
        """These statistics with every reward weighing ``weight`` (discounting)."""
        return ArmStats(self.pulls * weight, self.reward_sum * weight, self.reward_sum_sq * weight)

    def merge(self, other: ArmStats) -> ArmStats:
        """The statistics of both sets of rewards (e.g. two gateways' counters)."""
        return ArmStats(
            self.pulls + other.pulls,
            self.reward_sum + other.reward_sum,
            self.reward_sum_sq + other.reward_sum_sq,
        )


@dataclass(frozen=True, slots=True)
class BanditConfig:
    """How a bandit chooses between its arms."""

    algorithm: Algorithm = "thompson"
    reward: RewardKind = "binary"
    """``"binary"``: rewards are 0 or 1 (a conversion); ``"continuous"``: any real value."""
    epsilon: float = 0.1
    """Epsilon-greedy: the chance of a uniformly random arm instead of the best mean."""
    min_share: float | None = None
    """Every arm keeps at least this share of traffic (0.01 is 1 %); ``min_share × arms``
    may not exceed 1, and equal to 1 it means equal shares. ``None``: ``DEFAULT_FLOOR``
    split over the arms (``arm_floor``)."""
    warmup: int = 100
    """Pulls every arm needs before the algorithm decides; until then, equal shares."""
    ucb_index: UcbIndex = "tuned"
    """UCB1's index: ``"tuned"`` is UCB1-Tuned, ``mean + c·sqrt(ln t / n · min(1/4, V))``
    with ``V`` the variance of the rewards divided by c² plus ``sqrt(2 ln t / n)``;
    ``"classic"`` is textbook UCB1, ``mean + c·sqrt(2 ln t / n)`` (see the module's docstring
    for why it is not the default)."""
    ucb_c: float = 1.0
    """UCB1's exploration scale: the width of the interval the rewards lie in. 1 for 0/1
    rewards and for rates (with ``"classic"``, c = 1 is textbook UCB1); for continuous rewards,
    their range (rewards in [0, 5]: 5). Both indexes are those of the rewards divided by c,
    scaled back."""

    def __post_init__(self) -> None:
        if self.algorithm not in get_args(Algorithm):
            raise ValueError(f"unknown bandit algorithm {self.algorithm!r}")
        if self.reward not in get_args(RewardKind):
            raise ValueError(f"unknown reward kind {self.reward!r}")
        if self.ucb_index not in get_args(UcbIndex):
            raise ValueError(f"unknown UCB index {self.ucb_index!r}")
        if not 0 <= self.epsilon <= 1:
            raise ValueError("epsilon must be between 0 and 1")
        if self.min_share is not None and not 0 <= self.min_share <= 1:
            raise ValueError("min_share must be between 0 and 1")
        if self.warmup < 0:
            raise ValueError("warmup cannot be negative")
        if not self.ucb_c > 0:
            raise ValueError("ucb_c must be positive")

    def arm_floor(self, arms: int) -> float:
        """Each arm's floor with ``arms`` arms: ``min_share``, or ``DEFAULT_FLOOR / arms``.

        >>> BanditConfig().arm_floor(10)
        0.002
        """
        return DEFAULT_FLOOR / arms if self.min_share is None else self.min_share


def select(config: BanditConfig, arms: Sequence[ArmStats], t: int, rng: np.random.Generator) -> int:
    """The arm (its position in ``arms``) for round ``t`` (1-based: the first round is 1).

    During the warm-up, a uniformly random arm. Then each algorithm's per-round rule:
    epsilon-greedy, a uniformly random arm with chance ``epsilon`` and otherwise the best
    mean; UCB1, the highest index (``ucb_index``); Thompson, the highest draw from each arm's
    posterior of its mean (Beta(1 + successes, 1 + failures) for binary rewards,
    Normal(mean, s²/n) for continuous ones). Ties go to a random one of the tied arms. The
    floor: with chance ``min_share × arms`` the round goes to a uniformly random arm instead,
    so each arm gets at least ``min_share`` (a per-round rule cannot know its own chances, so
    unlike ``allocation`` this also takes from arms above the floor). An arm with too few
    pulls for the index (below 1; 2 for continuous Thompson, whose posterior needs a
    variance), possible only when ``warmup`` is lower, is tried first.

    >>> arms = [ArmStats(500, 25.0, 25.0), ArmStats(500, 60.0, 60.0)]
    >>> select(BanditConfig(min_share=0), arms, t=1001, rng=np.random.default_rng(0))
    1
    """
    pulls, sums, sums_sq = _arm_arrays(arms)
    return int(select_many(config, pulls, sums, sums_sq, t, rng)[0])


def select_many(
    config: BanditConfig,
    pulls: ArrayLike,
    reward_sums: ArrayLike,
    reward_sums_sq: ArrayLike,
    t: int,
    rng: np.random.Generator,
    seen: ArrayLike | None = None,
) -> NDArray[np.intp]:
    """``select`` for many independent bandits at once (for simulations): row ``i`` of the
    ``(bandits, arms)`` arrays is one bandit's statistics, and entry ``i`` of the result its
    arm for round ``t``. ``seen``: the raw pull counts, for the warm-up, when the statistics
    are discounted (``forget``); by default ``pulls``.

    >>> pulls = [[100, 100], [100, 100]]
    >>> sums = [[5.0, 50.0], [50.0, 5.0]]
    >>> select_many(BanditConfig(min_share=0), pulls, sums, sums, 201, np.random.default_rng(0))
    array([1, 0])
    """
    n, s, sq = _validated(config, pulls, reward_sums, reward_sums_sq)
    if t < 1:
        raise ValueError("rounds count from 1")
    rows, k = n.shape
    random_arm = rng.integers(0, k, size=(rows,), dtype=np.intp)
    counted = n if seen is None else np.asarray(seen, dtype=np.float64)
    warming = (counted < config.warmup).any(axis=1)
    if warming.all():
        return random_arm
    unexplored = n < _min_pulls(config)
    index = np.where(unexplored, np.inf, _round_index(config, n, s, sq, t, rng))
    choice = _argmax(index, rng)
    ready = ~warming & ~unexplored.any(axis=1)
    uniform = warming
    if config.algorithm == "epsilon_greedy":
        uniform = uniform | (ready & (rng.random(rows) < config.epsilon))
    floor = config.arm_floor(k)
    if floor > 0:
        uniform = uniform | (~warming & (rng.random(rows) < floor * k))
    return np.where(uniform, random_arm, choice)


def allocation(
    config: BanditConfig,
    arms: Sequence[ArmStats],
    rng: np.random.Generator,
    draws: int = 10_000,
    *,
    batch: int = 1,
    seen: Sequence[float] | None = None,
) -> list[float]:
    """Traffic shares for the next period, one per arm, adding up to 1.

    Thompson: the chance that each arm is the best, estimated from ``draws`` joint draws of
    the posteriors (``select``'s); UCB1: everything on the highest index, with t the next
    round (all pulls + 1) when ``batch`` is 1, and for a ``batch`` of B pulls before the next
    update the shares per-round UCB1 would give the B rounds if each reward equalled its arm's
    mean (the module's docstring); epsilon-greedy: ``1 - epsilon`` on the best mean and ``epsilon``
    spread equally over all arms (tied bests share equally). Then the floor: arms below
    ``min_share`` are raised to it and the others scaled down in proportion (``floor_shares``).
    During the warm-up (judged on ``seen``, the raw pull counts, when the statistics are
    discounted), equal shares.

    >>> arms = [ArmStats(1000, 50.0, 50.0), ArmStats(1000, 80.0, 80.0)]
    >>> allocation(BanditConfig(algorithm="ucb1"), arms, np.random.default_rng(0))
    [0.01, 0.99]
    """
    if draws < 1:
        raise ValueError("draws must be at least 1")
    if batch < 1:
        raise ValueError("batch must be at least 1")
    pulls, sums, sums_sq = _validated(config, *_arm_arrays(arms))
    n, s, sq = pulls[0], sums[0], sums_sq[0]
    k = n.size
    counted = n if seen is None else np.asarray(seen, dtype=np.float64)
    if counted.shape != n.shape:
        raise ValueError("seen needs one pull count per arm")
    if (counted < config.warmup).any():
        return _equal(k)
    unexplored = n < _min_pulls(config)
    if unexplored.any():
        shares = unexplored / unexplored.sum()
    elif config.algorithm == "thompson":
        samples = _posterior_draws(config, n, s, sq, rng, (draws, k))
        shares = _tie_shares(samples).mean(axis=0)
    elif config.algorithm == "ucb1" and batch > 1:
        shares = _ucb_batch_shares(config, n, s, sq, batch)
    elif config.algorithm == "ucb1":
        shares = _tie_shares(_ucb(config, n, s, sq, int(n.sum()) + 1))
    else:
        shares = (1 - config.epsilon) * _tie_shares(_means(n, s)) + config.epsilon / k
    return floor_shares([float(x) for x in shares], config.arm_floor(k))


def forget(
    kept: Sequence[ArmStats], new: Sequence[ArmStats], half_life: float | None
) -> list[ArmStats]:
    """The arms' statistics after ``new`` rewards came in: ``kept`` discounted by
    ``0.5 ** (pulls in new / half_life)``, plus ``new`` (a reward ``half_life`` pulls old
    weighs half). ``half_life=None`` forgets nothing (``kept`` merged with ``new``). The new
    rewards of one update count in full: the approximation is fair while an update brings
    far fewer than ``half_life`` pulls.

    >>> forget([ArmStats(100, 10.0, 10.0)], [ArmStats(50, 5.0, 5.0)], half_life=50)
    [ArmStats(pulls=100.0, reward_sum=10.0, reward_sum_sq=10.0)]
    """
    if len(kept) != len(new):
        raise ValueError("kept and new need the same arms")
    if half_life is not None and not half_life > 0:
        raise ValueError("half_life must be positive")
    weight = forget_weight(sum(arm.pulls for arm in new), half_life)
    return [old.scaled(weight).merge(added) for old, added in zip(kept, new, strict=True)]


def forget_weight(new_pulls: float, half_life: float | None) -> float:
    """What statistics weigh after ``new_pulls`` more pulls: ``0.5 ** (new_pulls / half_life)``
    (the ``gamma`` of discounted bandits per pull, raised to the pulls), 1 with no half-life.

    >>> forget_weight(2_000, 1_000)
    0.25
    """
    return 1.0 if half_life is None else 0.5 ** (new_pulls / half_life)


def floor_shares(shares: Sequence[float], min_share: float) -> list[float]:
    """``shares`` with every one at least ``min_share``, still adding up to 1: the shares
    below the floor are raised to it and the others scaled down in proportion (so
    ``max(min_share, λ·share)`` for the one λ that adds up to 1: raising one share can push
    another below the floor, which then joins it). ``min_share × len(shares) = 1`` gives
    equal shares.

    >>> floor_shares([0.75, 0.15, 0.10], 0.2)  # 0.10 → 0.2 pushes 0.15 below 0.2 too
    [0.6, 0.2, 0.2]
    """
    p = np.asarray(shares, dtype=np.float64)
    k = p.size
    if k == 0:
        raise ValueError("no shares to floor")
    if (p < 0).any() or not math.isclose(float(p.sum()), 1.0, abs_tol=1e-9):
        raise ValueError("shares must be non-negative and add up to 1")
    _check_floor(min_share, k)
    if min_share * k >= 1 - _EXACT:
        return _equal(k)
    floored = np.zeros(k, dtype=bool)
    while True:
        # the largest share is never floored while min_share × k < 1, so the sum stays > 0
        scale = (1 - min_share * floored.sum()) / p[~floored].sum()
        below = ~floored & (p * scale < min_share)
        if not below.any():
            break
        floored |= below
    return [float(x) for x in np.where(floored, min_share, p * scale)]


# -- indexes --------------------------------------------------------------------------------


def _round_index(
    config: BanditConfig, n: Floats, s: Floats, sq: Floats, t: int, rng: np.random.Generator
) -> Floats:
    """Each arm's score for one round; the round goes to the highest."""
    if config.algorithm == "thompson":
        return _posterior_draws(config, n, s, sq, rng, n.shape)
    if config.algorithm == "ucb1":
        return _ucb(config, n, s, sq, t)
    return _means(n, s)


def _ucb_batch_shares(config: BanditConfig, n: Floats, s: Floats, sq: Floats, batch: int) -> Floats:
    """The shares of the next ``batch`` rounds under per-round UCB1 if every reward equalled
    its arm's mean: an arm's index falls as its pulls grow, so the rounds water-fill the arms
    up to a common level L; bisection finds L, and each arm's pulls at L by bisection too (the
    index is monotone in the pulls). ``t`` is the interval's last round, the bonus's largest."""
    t = int(n.sum()) + batch
    mean = s / np.maximum(n, 1)
    mean_sq = sq / np.maximum(n, 1)

    def index(extra: Floats) -> Floats:
        grown = n + extra
        return _ucb(config, grown, mean * grown, mean_sq * grown, t)

    def extra_at(level: float) -> Floats:
        """Each arm's extra pulls to bring its index down to ``level`` (0 to ``batch``)."""
        low, high = np.zeros_like(n), np.full_like(n, float(batch))
        for _ in range(30):
            middle = (low + high) / 2
            above = index(middle) > level
            low, high = np.where(above, middle, low), np.where(above, high, middle)
        return np.where(index(np.zeros_like(n)) <= level, 0.0, high)

    bottom, top = (
        float(index(np.full_like(n, float(batch))).min()),
        float(index(np.zeros_like(n)).max()),
    )
    for _ in range(30):
        level = (bottom + top) / 2
        if extra_at(level).sum() > batch:
            bottom = level
        else:
            top = level
    extra = extra_at(top)
    if extra.sum() <= 0:  # every index equal: a tie, shared
        return _tie_shares(index(np.zeros_like(n)))
    result: Floats = extra / extra.sum()
    return result


def _means(n: Floats, s: Floats) -> Floats:
    return s / np.maximum(n, 1)


def _ucb(config: BanditConfig, n: Floats, s: Floats, sq: Floats, t: int) -> Floats:
    pulls = np.maximum(n, 1)
    mean = s / pulls
    c = config.ucb_c
    log_t = math.log(t)
    if config.ucb_index == "classic":
        return mean + c * np.sqrt(2 * log_t / pulls)
    if config.reward == "binary":
        variance = mean * (1 - mean)
    else:
        variance = np.maximum(sq / pulls - mean * mean, 0.0)  # UCB1-Tuned's: ddof=0
    bound = variance / (c * c) + np.sqrt(2 * log_t / pulls)
    return mean + c * np.sqrt(log_t / pulls * np.minimum(0.25, bound))


def _posterior_draws(
    config: BanditConfig,
    n: Floats,
    s: Floats,
    sq: Floats,
    rng: np.random.Generator,
    size: tuple[int, ...],
) -> Floats:
    """Draws of each arm's mean from its posterior, broadcast to ``size``."""
    if config.reward == "binary":
        return rng.beta(1 + s, 1 + n - s, size=size)
    # Normal(mean, s²/n): the posterior of the mean under a flat prior, with the sample's
    # variance for the unknown one; the warm-up's pulls make the approximation fair
    pulls = np.maximum(n, 2)
    mean = s / pulls
    variance = np.maximum(sq - s * mean, 0.0) / (pulls - 1)
    return rng.normal(mean, np.sqrt(variance / pulls), size=size)


def _min_pulls(config: BanditConfig) -> int:
    """Pulls an arm needs before its index means anything."""
    if config.algorithm == "thompson":
        return 0 if config.reward == "binary" else 2
    return 1


# -- helpers --------------------------------------------------------------------------------


def _argmax(index: Floats, rng: np.random.Generator) -> NDArray[np.intp]:
    """Each row's highest entry; ties go to a random one of them."""
    choice: NDArray[np.intp] = index.argmax(axis=1)
    ties = index == index.max(axis=1, keepdims=True)
    tied = ties.sum(axis=1) > 1
    if tied.any():
        noise = rng.random((int(tied.sum()), index.shape[1]))
        choice[tied] = np.where(ties[tied], noise, -1.0).argmax(axis=1)
    return choice


def _tie_shares(values: Floats) -> Floats:
    """Per row (or for a vector), 1 on the highest entry, split equally between ties."""
    ties = (values == values.max(axis=-1, keepdims=True)).astype(np.float64)
    result: Floats = ties / ties.sum(axis=-1, keepdims=True)
    return result


def _arm_arrays(arms: Sequence[ArmStats]) -> tuple[Floats, Floats, Floats]:
    pulls = np.array([[arm.pulls for arm in arms]], dtype=np.float64)
    sums = np.array([[arm.reward_sum for arm in arms]], dtype=np.float64)
    sums_sq = np.array([[arm.reward_sum_sq for arm in arms]], dtype=np.float64)
    return pulls, sums, sums_sq


def _validated(
    config: BanditConfig, pulls: ArrayLike, sums: ArrayLike, sums_sq: ArrayLike
) -> tuple[Floats, Floats, Floats]:
    n = np.asarray(pulls, dtype=np.float64)
    s = np.asarray(sums, dtype=np.float64)
    sq = np.asarray(sums_sq, dtype=np.float64)
    if n.ndim != 2 or n.shape[1] == 0 or s.shape != n.shape or sq.shape != n.shape:
        raise ValueError("a bandit needs at least one arm, and a statistic of each kind per arm")
    _check_floor(config.arm_floor(n.shape[1]), n.shape[1])
    if (n < 0).any():
        raise ValueError("pulls cannot be negative")
    if config.reward == "binary" and ((s < 0).any() or (s > n).any()):
        raise ValueError("binary rewards are 0 or 1: each arm's reward sum is in [0, pulls]")
    return n, s, sq


def _check_floor(min_share: float, k: int) -> None:
    if min_share * k > 1 + _EXACT:
        raise ValueError(f"a min_share of {min_share:g} for {k} arms exceeds all the traffic")


def _equal(k: int) -> list[float]:
    return [1 / k] * k
