"""Retries with jittered exponential backoff, for calls that are safe to repeat.

A retry is only worth making where the failure may not happen again and repeating the call
does no harm: a runtime that says ``retry_safe = True`` (a model in its own process, whose
process died and is being replaced), a webhook delivery the receiver did not take. The delay
before retry ``n`` (0-based) is drawn uniformly from ``[0, min(max_s, base_s * 2**n)]`` ("full
jitter", as in the AWS architecture blog's *Exponential Backoff and Jitter*), so callers that
failed together do not come back together.

The policy is pure: the random source is injected, and it only says how long to wait; the
caller sleeps (and checks its deadlines).

Example::

    policy = RetryPolicy(attempts=2, base_s=0.02, max_s=0.5)
    policy.delays(random.Random(7))  # two delays, the first <= 0.02 s, the second <= 0.04 s
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from dataclasses import dataclass

from pasarela.spec import RetrySpec
from pasarela.types import JSON

__all__ = ["RetryConfig", "RetryPolicy"]


RetryConfig = RetrySpec
"""An endpoint's ``retries`` section (``spec.RetrySpec``)."""


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """How many times to retry a failed call, and how long to wait before each retry."""

    attempts: int = 2
    base_s: float = 0.02
    max_s: float = 0.5

    @classmethod
    def from_config(cls, section: RetrySpec | Mapping[str, JSON] | None) -> RetryPolicy:
        """The policy of an endpoint's ``retries`` section as applied (None: the defaults)."""
        config = RetrySpec.model_validate(section or {})
        return cls(config.attempts, config.base_s, config.max_s)

    def cap(self, retry: int) -> float:
        """The longest wait before retry ``retry`` (0-based)."""
        return min(self.max_s, self.base_s * 2.0**retry)

    def delay(self, retry: int, rng: random.Random) -> float:
        """The wait before retry ``retry`` (0-based): uniform in ``[0, cap(retry)]``."""
        return rng.uniform(0.0, self.cap(retry))

    def delays(self, rng: random.Random) -> list[float]:
        """The wait before each retry, in order (``attempts`` of them)."""
        return [self.delay(n, rng) for n in range(self.attempts)]
