"""``Attempt``: one request on its way through the invoker, the value the stages hand on.

It holds what every step of the invoker and every outcome needs to know about the request —
who asked, what, why this version, since when, under which deadline — so no step takes a list
of ten arguments. A fallback hop is the same attempt with its place in the chain (``hop``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
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
    record_failure: bool = True
    """Whether a failure of this attempt is the request's (recorded), or leads to the next
    link of the chain (only the last failure is recorded)."""

    @property
    def deadline(self) -> float:
        return self.started + self.budget_s

    def hop(self, served_by: str, cause: str | None, *, last: bool) -> Attempt:
        """This attempt as the fallback chain's link ``served_by``, after a ``cause`` failure."""
        reason = f"{served_by} ({cause}); {self.reason}"
        return replace(self, reason=reason, served_by=served_by, cause=cause, record_failure=last)
