"""What protects one endpoint on the request path: its rate limit, its size limits and its guards.

Built once per snapshot from the endpoint's spec. ``guard`` walks a request's inputs (or a
reply's outputs) and runs the chain over every string in them: a ``block`` refuses the request
with ``input_blocked`` / ``output_blocked`` naming the detectors (never what they found), a
``redact`` replaces the text before the model sees it (inputs) or the client does (outputs),
and what was recorded is the guarded payload. Numbers pass untouched, so a tabular model pays
only the walk.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

from pasarela.errors import Blocked, ConfigurationError
from pasarela.guards.base import GuardChain
from pasarela.guards.config import chain, parse, walk_strings
from pasarela.guards.pseudonym import Pseudonymizer
from pasarela.guards.size import SizeLimits
from pasarela.security.ratelimit.base import Limit
from pasarela.types import EndpointSpec, Verdict

Side = Literal["input", "output"]


@dataclass(frozen=True, slots=True)
class Protection:
    input: GuardChain | None = None
    output: GuardChain | None = None
    limit: Limit | None = None
    size: SizeLimits | None = None


def protection_of(
    spec: EndpointSpec, pseudonymizer: Pseudonymizer | None = None
) -> Protection | None:
    """The endpoint's protection; None when it has neither guards nor a rate limit."""
    if not spec.guards and spec.rate_limit is None:
        return None
    try:
        config = parse(spec.guards)
        limit = Limit.parse(spec.rate_limit) if spec.rate_limit else None
        inputs, outputs = chain(config.input, pseudonymizer), chain(config.output, pseudonymizer)
    except ValueError as exc:  # pydantic's ValidationError is a ValueError
        raise ConfigurationError(f"endpoint {spec.name!r}: guards or rate_limit: {exc}") from exc
    return Protection(inputs, outputs, limit, SizeLimits.of(config.size))


def guard(
    guards: GuardChain,
    payload: Any,
    side: Side,
    on_verdict: Callable[[Verdict], None],
) -> Any:
    """``payload`` with every string checked by ``guards``: redacted where a guard redacts;
    Blocked when one blocks. ``on_verdict`` hears every verdict that was not ``allow``."""

    def check(text: str) -> str:
        verdict = guards.check(text)
        if verdict.action == "allow":
            return text
        on_verdict(verdict)
        if verdict.action == "block":
            rules = sorted({f"{f.detector} ({f.label})" for f in verdict.findings})
            raise Blocked(
                f"the {side} was refused by its guards: {', '.join(rules)}",
                code=f"{side}_blocked",
            )
        return verdict.text

    return walk_strings(payload, check)
