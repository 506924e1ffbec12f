"""Sticky assignment: a unit (user, session) always lands in the same bucket of a split.

The bucket is a hash of the unit id with a per-split salt, so two splits with different salts
are independent, and a unit in the first 5 % of a split stays there when the split grows to 20 %.
"""

from __future__ import annotations

import hashlib
import random

_SCALE = float(1 << 64)


def bucket(unit_id: str, salt: str) -> float:
    """A stable number in [0, 1) for ``unit_id`` under ``salt``."""
    digest = hashlib.blake2b(f"{salt}\x00{unit_id}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") / _SCALE


def position(unit_id: str | None, salt: str, rng: random.Random) -> float:
    """The unit's bucket when there is a unit; otherwise a fresh draw from ``rng``."""
    return bucket(unit_id, salt) if unit_id else rng.random()
