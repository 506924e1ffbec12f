"""Sticky assignment: a unit (user, session) always lands in the same bucket of a split.

The bucket is a hash of the unit id with a per-split salt, so two splits with different salts
are independent, and a unit in the first 5 % of a split stays there when the split grows to 20 %.
"""

from __future__ import annotations

import hashlib
import random
from bisect import bisect_right
from collections.abc import Sequence
from itertools import accumulate

from pasarela.types import Decision

_SCALE = float(1 << 64)


def bucket(unit_id: str, salt: str) -> float:
    """A stable number in [0, 1) for ``unit_id`` under ``salt``."""
    digest = hashlib.blake2b(f"{salt}\x00{unit_id}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") / _SCALE


def position(unit_id: str | None, salt: str, rng: random.Random) -> float:
    """The unit's bucket when there is a unit; otherwise a fresh draw from ``rng``."""
    return bucket(unit_id, salt) if unit_id else rng.random()


class WeightedSplit:
    """Decisions sharing [0, 1) by weight: a position picks one. The last takes whatever
    rounding leaves, so no position falls through.

    >>> from pasarela.types import VersionId
    >>> split = WeightedSplit([(20, Decision(VersionId("m", 1), "a")),
    ...                        (80, Decision(VersionId("m", 2), "b"))])
    >>> split.at(0.1).reason, split.at(0.5).reason
    ('a', 'b')
    """

    __slots__ = ("bounds", "decisions")

    def __init__(self, weighted: Sequence[tuple[float, Decision]]) -> None:
        total = sum(weight for weight, _ in weighted)
        self.bounds = tuple(accumulate(weight / total for weight, _ in weighted))[:-1]
        self.decisions = tuple(decision for _, decision in weighted)

    def at(self, where: float) -> Decision:
        return self.decisions[bisect_right(self.bounds, where)]
