"""``Attempt``: one request on its way through the invoker, the value the stages hand on.

It holds what every step of the invoker and every outcome needs to know about the request —
who asked, what, why this version, since when, under which deadline — so no step takes a list
of ten arguments. A fallback hop is the same attempt with its place in the chain (``hop``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from pasarela.guards.base import GuardChain
from pasarela.types import RequestContext


@dataclass(frozen=True, slots=True)
class Attempt:
    """One request as the invoker tries it.

    Example::

        attempt = Attempt(request, inputs, "single", time.perf_counter(), budget_s=2.0)
    """

    request: RequestContext
    inputs: Sequence[Any]
    reason: str
    """Why this version answers (the policy's reason, prefixed on a fallback hop)."""
    started: float
    """``time.perf_counter()`` when the request arrived: latencies and the deadline count
    from here."""
    budget_s: float
    """The whole request's deadline, in seconds from ``started``: the endpoint's
    ``timeout_s``, shorter when the caller's ``X-Request-Timeout`` says so."""
    sample_rate: float = 1.0
    """The endpoint's ``payload_sample_rate``, for the record."""
    output_guards: GuardChain | None = None
    served_by: str = "primary"
    """``primary``, ``cache`` or ``fallback:<hop>``."""
    cause: str | None = None
    """On a fallback hop, the code of the failure that led to it."""

    @property
    def deadline(self) -> float:
        return self.started + self.budget_s

    def served(self, served_by: str, reason: str, cause: str | None = None) -> Attempt:
        """This attempt answered by ``served_by`` (the cache, a fallback link) for ``reason``.
        Built with the constructor: ``dataclasses.replace`` costs five times as much, and a
        request through a cache or a fallback chain pays it."""
        return Attempt(
            self.request,
            self.inputs,
            reason,
            self.started,
            self.budget_s,
            self.sample_rate,
            self.output_guards,
            served_by,
            cause,
        )

    def hop(self, served_by: str, cause: str | None) -> Attempt:
        """This attempt as the fallback chain's link ``served_by``, after a ``cause`` failure."""
        return self.served(served_by, f"{served_by} ({cause}); {self.reason}", cause)
