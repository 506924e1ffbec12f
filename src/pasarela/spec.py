"""Typed sections of an endpoint's spec: breaker, cache, retries, guards, rate limit, canary gates.

Each section is a frozen pydantic model, validated once — when a manifest is applied or a stored
spec is read back — and then handed as it is to whoever uses it (the data plane's breakers and
caches, the guard chains, the canary judge). A section is stored as its non-default fields
(``stored()``), exactly what ``pasarela apply`` has always written, so a spec read back from the
database writes the same JSON again.

This is a bottom-layer module: it imports only pydantic and the standard library, so the control
plane, the routing policies and the data plane can all share these types without importing one
another. Checks that need a layer above (whether a PII kind or a content category exists) are
added by that layer's subclass (``guards/config.py``), which the manifest validates with.

>>> BreakerSpec.model_validate({"open_s": 2}).stored()
{'open_s': 2.0}
>>> RateLimitSpec("6000/m burst=500").rate, RateLimitSpec("6000/m burst=500").burst
(100.0, 500)
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

__all__ = [
    "BreakerSpec",
    "CacheSpec",
    "FeedbackGateSpec",
    "GatesSpec",
    "GuardSpec",
    "GuardsSpec",
    "RateLimitSpec",
    "RetrySpec",
    "Section",
    "SizeSpec",
]


class Section(BaseModel):
    """A section of an endpoint's spec: unknown fields are errors, values never change."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    def stored(self) -> dict[str, Any]:
        """The section as stored and shown in manifests: the fields that differ from their
        defaults, in JSON types."""
        return self.model_dump(mode="json", exclude_defaults=True)

    def __eq__(self, other: object) -> bool:
        # A section equals the mapping it is stored as (``spec.retries == {"attempts": 3}``),
        # so code and tests written when sections were plain mappings read the same.
        if isinstance(other, Mapping):
            return self.stored() == dict(other)
        return super().__eq__(other)

    def __hash__(self) -> int:
        return hash((type(self), tuple(self.__dict__.values())))


class BreakerSpec(Section):
    """An endpoint's ``breaker`` section (every version it serves gets one breaker)."""

    consecutive_failures: int = Field(default=5, ge=1)
    failure_rate: float = Field(default=0.5, gt=0, le=1)
    min_requests: int = Field(default=20, ge=1)
    window_s: float = Field(default=10.0, gt=0, le=3600)
    open_s: float = Field(default=5.0, gt=0)
    """How long an open breaker refuses before it lets probes through."""
    probes: int = Field(default=3, ge=1)
    """Calls let through half-open; that many successes in a row close the breaker."""


class CacheSpec(Section):
    """An endpoint's ``cache`` section."""

    backend: Literal["memory", "redis"] = "memory"
    """``memory``: each server its own; ``redis``: shared by every server, in the Redis at
    ``PASARELA_CACHE_REDIS_URL``."""
    ttl_s: float = Field(default=60.0, gt=0)
    """How long an answer is served from the cache."""
    max_entries: int = Field(default=10_000, ge=1, le=10_000_000)
    """The memory backend's bound; Redis is bounded by its ``maxmemory`` policy instead."""
    stale_s: float = Field(default=3600.0, ge=0)
    """How long an answer may still stand in for a failing model (a ``cached`` link)."""
    serve: bool = True
    """Answer from the cache; false: keep it only for the fallback chain."""


class RetrySpec(Section):
    """An endpoint's ``retries`` section (``retries: {attempts: 2, base_s: 0.02, max_s: 0.5}``)."""

    attempts: int = Field(default=2, ge=0, le=10)
    """Retries after the first call (0: never retry)."""
    base_s: float = Field(default=0.02, gt=0, le=10)
    """The cap of the first delay; each further retry doubles it."""
    max_s: float = Field(default=0.5, gt=0, le=60)
    """No delay is longer than this."""


class SizeSpec(Section):
    """An endpoint's ``guards.size`` section."""

    max_rows: int | None = Field(default=None, ge=1)
    """Rows (``inputs`` items) in one request."""
    max_chars: int | None = Field(default=None, ge=1)
    """Characters in any one string of the inputs (a prompt, a document)."""


DetectorType = Literal["injection", "semantic_injection", "pii", "secrets", "content"]
REDACTABLE = frozenset({"pii", "secrets", "content"})
"""Detectors whose findings can be replaced in the text (the others can only block or flag)."""


class GuardSpec(Section):
    """One guard of an endpoint's ``guards.input`` or ``guards.output`` list. Whether its PII
    kinds and content categories exist is checked by ``guards/config.GuardConfig``."""

    type: DetectorType
    action: Literal["flag", "redact", "block"] = "block"
    threshold: float = Field(default=0.5, ge=0, le=1)
    """Findings scoring below it are ignored."""
    kinds: tuple[str, ...] | None = None
    """``pii``: which kinds (``email``, ``card``, ``iban``…); all by default."""
    deny: tuple[str, ...] = ()
    """``content``: words or phrases refused (matched without case or accents)."""
    categories: tuple[str, ...] = ()
    """``content``: built-in lexicons (``violence``, ``self_harm``, ``hate``…)."""
    reversible: bool = False
    """``pii`` with ``redact``: replace with ``<EMAIL#token>`` tokens that
    ``PASARELA_PSEUDONYMIZATION_KEY`` can reveal (``pasarela guards reveal``)."""

    @model_validator(mode="after")
    def _fits(self) -> GuardSpec:
        # The fields that do not go together: a secrets guard that redacts, kinds on a
        # content guard…
        if self.action == "redact" and self.type not in REDACTABLE:
            raise ValueError(f"a {self.type} guard cannot redact: use block or flag")
        if self.kinds is not None and self.type != "pii":
            raise ValueError("kinds applies to pii guards only")
        if (self.deny or self.categories) and self.type != "content":
            raise ValueError("deny and categories apply to content guards only")
        if self.type == "content" and not (self.deny or self.categories):
            raise ValueError("a content guard needs deny words or categories")
        if self.reversible and (self.type != "pii" or self.action != "redact"):
            raise ValueError("reversible applies to pii guards that redact")
        return self


class GuardsSpec(Section):
    """An endpoint's ``guards`` section: size limits, then the input and output chains."""

    size: SizeSpec | None = None
    input: tuple[GuardSpec, ...] = ()
    output: tuple[GuardSpec, ...] = ()


class FeedbackGateSpec(Section):
    """A canary gate on one kind of feedback (``stats.canary.FeedbackGate``)."""

    kind: str = Field(min_length=1, max_length=30)
    stat: Literal["rate", "mean"] = "mean"
    min: float | None = None
    max: float | None = None
    compare: bool = True
    tolerance: float = Field(default=0.0, ge=0)
    higher_is_better: bool = True
    min_count: int = Field(default=30, ge=1)


class GatesSpec(Section):
    """A canary policy's ``gates`` (``stats.canary.Gates``): what the candidate must meet."""

    max_error_rate: float | None = Field(default=None, ge=0, le=1)
    max_p95_latency_ms: float | None = Field(default=None, gt=0)
    compare_error_rate: bool = True
    error_rate_tolerance: float = Field(default=0.01, ge=0, le=1)
    compare_latency: bool = True
    latency_tolerance: float = Field(default=0.10, ge=0)
    compare_tail_latency: bool = True
    tail_quantile: float = Field(default=0.99, ge=0.5, lt=1)
    tail_latency_tolerance: float = Field(default=0.20, ge=0)
    feedback: list[FeedbackGateSpec] = Field(default_factory=list)


_UNITS: dict[str, float] = {
    "s": 1.0,
    "sec": 1.0,
    "second": 1.0,
    "m": 60.0,
    "min": 60.0,
    "minute": 60.0,
    "h": 3600.0,
    "hour": 3600.0,
}
# ASCII digits, at most 9: a longer count overflowed the float rate (a 500 on POST /admin/keys).
_LIMIT = re.compile(r"([0-9]{1,9})\s*/\s*([a-z]+)(?:\s+burst\s*=\s*([0-9]{1,9}))?")


def read_rate_limit(text: str) -> tuple[float, int]:
    """``"COUNT/UNIT"`` with UNIT ``s``, ``m`` or ``h`` (or ``sec``, ``min``, ``hour``...),
    optionally followed by ``burst=N``, as a rate in tokens per second and a burst
    (``security.ratelimit.base.Limit.parse`` says how the default burst is chosen).

    >>> read_rate_limit("6000/m")
    (100.0, 100)
    """
    match = _LIMIT.fullmatch(text.strip().lower())
    if match is None:
        raise ValueError(
            f"cannot read the rate limit {text!r}: expected COUNT/UNIT with UNIT s, m or h, "
            "optionally followed by burst=N, each number up to 999999999 "
            "(e.g. '100/s', '6000/m burst=500')"
        )
    count, unit, burst = match.groups()
    if unit not in _UNITS:
        raise ValueError(f"unknown unit {unit!r} in the rate limit {text!r}: use s, m or h")
    if int(count) < 1:
        raise ValueError(f"the rate limit {text!r} admits nothing: its count must be ≥ 1")
    rate = int(count) / _UNITS[unit]
    if burst is None:
        return rate, max(1, math.ceil(rate))
    if int(burst) < 1:
        raise ValueError(f"the burst in the rate limit {text!r} must be ≥ 1")
    return rate, int(burst)


class RateLimitSpec(str):
    """An endpoint's ``rate_limit`` as written (``"1000/s burst=2000"``), read once.

    It is the text itself — stored, shown and compared as the string the manifest gave — with
    the ``rate`` (tokens per second) and ``burst`` it means; a malformed text is a
    ``ValueError`` when the spec is built.
    """

    rate: float
    burst: int

    def __new__(cls, text: str) -> RateLimitSpec:
        rate, burst = read_rate_limit(text)
        value = super().__new__(cls, text)
        value.rate = rate
        value.burst = burst
        return value
