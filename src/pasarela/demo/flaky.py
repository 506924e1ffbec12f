"""The demo's bad candidate, a model of its own: the product does not import the test doubles
of ``pasarela.testing``."""

from __future__ import annotations

import random
from typing import Any

__all__ = ["FlakyBreastCancerModel"]


class FlakyBreastCancerModel:
    """The demo's bad candidate: it sums the features (it is no classifier) and fails 20 % of
    its batches. Seeded, so every run fails the same batches; seed 2 because its first draw is
    a success, so registration's one smoke batch passes, as it would for a model that breaks
    only under traffic."""

    rate = 0.2

    def __init__(self) -> None:
        self.rng = random.Random(2)

    def predict(self, rows: list[dict[str, Any]] | list[list[Any]]) -> list[float]:
        if self.rng.random() < self.rate:
            raise RuntimeError("this model fails some batches on purpose")
        return [float(sum(r.values() if isinstance(r, dict) else r)) for r in rows]
