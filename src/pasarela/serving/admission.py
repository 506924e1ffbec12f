"""Admission: the first stage of the request path, and the only door to the models.

Who is calling (a key, a token, an open install's anonymous admin), may they (role and endpoint
scope), are they within their key's rate limit; then the endpoint's own rate limit, its size
limits and its input guards. What passes is an ``Identity`` and the inputs the model may see
(redacted where a guard redacted), from which the data plane builds the request's ``Attempt``
(``serving/attempt.py``), the one value handed on; what does not is one of
``pasarela.errors``' coded refusals (Unauthenticated, Forbidden, RateLimited, InvalidInput,
Blocked), counted as a security event where security cares.

The HTTP adapters and the data plane both come through here, so no caller of the data plane
can skip it: ``DataPlane.predict`` identifies a caller that arrives without an ``Identity``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from pasarela.errors import Blocked, Forbidden, RateLimited, Unauthenticated
from pasarela.guards.base import GuardChain
from pasarela.security.auth import Authenticator
from pasarela.security.jwt import JwtVerifier
from pasarela.security.keys import ActiveKey
from pasarela.security.ratelimit.base import Limit, RateLimiter, headers
from pasarela.security.roles import Permission, Principal
from pasarela.serving.protection import Protection, Side, guard
from pasarela.telemetry.metrics import Metrics
from pasarela.telemetry.security_events import SecurityEvents
from pasarela.types import RequestContext, Verdict

Found = tuple[Principal, ActiveKey | None]
"""A caller and its key (None for a token or an anonymous caller), as ``Authenticator`` says."""


@dataclass(frozen=True, slots=True)
class Identity:
    """A caller ``Admission.identify`` let through: authenticated, allowed the permission and
    the endpoint asked for, and within its key's rate limit (which it has spent)."""

    principal: Principal

    @property
    def subject(self) -> str:
        return self.principal.subject


_NO_CREDENTIALS: Mapping[str, str] = {}


class Admission:
    """Identifies callers and admits their requests; ``auth`` is swapped with each snapshot
    (it holds the snapshot's keys).

    Example::

        admission = Admission(Metrics(), MemoryRateLimiter())
        identity = await admission.identify({"x-api-key": key}, need="predict",
                                            endpoint="churn", target="predict churn")
        inputs = await admission.admit(request, endpoint.protection, inputs)
    """

    def __init__(
        self,
        metrics: Metrics,
        limiter: RateLimiter,
        events: SecurityEvents | None = None,
        *,
        default_key_limit: Limit | None = None,
        jwt: JwtVerifier | None = None,
    ) -> None:
        self.metrics = metrics
        self.limiter = limiter
        self.events = events
        self.default_key_limit = default_key_limit
        self.jwt = jwt
        self.auth = Authenticator(jwt=jwt)
        # Bound once: the label children are looked up per refusal otherwise.
        self._key_limited = metrics.rate_limited.labels("key")
        self._endpoint_limited = metrics.rate_limited.labels("endpoint")

    # -- who is calling --------------------------------------------------------------------
    async def identify(
        self,
        credentials: Mapping[str, str] = _NO_CREDENTIALS,
        *,
        need: Permission | None,
        endpoint: str | None,
        target: str,
        found: Found | None = None,
    ) -> Identity:
        """The caller ``credentials`` (header names lower-case) name, if it may ``need`` on
        ``endpoint`` (when given) and its key is within its rate limit; Unauthenticated,
        Forbidden or RateLimited otherwise, each a ``request.denied`` event on ``target``.
        ``found``: a caller already authenticated another way (a dashboard session)."""
        principal: Principal | None = None
        try:
            principal, key = found if found is not None else self.auth.authenticate(credentials)
            if need is not None and not principal.may(need):
                raise Forbidden(f"the {principal.role} role may not {need} ({target})")
            if endpoint is not None and not principal.may_call(endpoint):
                raise Forbidden(f"{principal.subject} may not call endpoint {endpoint!r}")
            if key is not None:
                limit = key.rate_limit or self.default_key_limit
                if limit is not None:
                    await self._within(f"key:{key.id}", limit, "key", key.id)
        except (Unauthenticated, Forbidden, RateLimited) as exc:
            self.denied(principal.subject if principal is not None else "anonymous", target, exc)
            raise
        return Identity(principal)

    def denied(
        self, actor: str, target: str, exc: Unauthenticated | Forbidden | RateLimited
    ) -> None:
        """A refused caller, for the audit log."""
        if self.events is not None:
            self.events.record(actor, "request.denied", target, exc.code)

    async def _within(self, bucket: str, limit: Limit, scope: str, name: str) -> None:
        """Spend one request of ``bucket``'s ``limit`` (``scope`` ``key`` or ``endpoint``,
        ``name`` the key's id or the endpoint's name); RateLimited, with the limit's headers,
        when there is none left. (The one place a rate-limit refusal is written.)"""
        decision = await self.limiter.acquire(bucket, limit)
        if not decision.allowed:
            if scope == "key":
                self._key_limited.inc()
                what = f"key {name}"
            else:
                self._endpoint_limited.inc()
                what = f"endpoint {name!r}"
            raise RateLimited(f"{what} is over its rate limit ({limit})", headers=headers(decision))

    # -- may this request reach a model ----------------------------------------------------
    async def admit(
        self, request: RequestContext, protection: Protection | None, inputs: Sequence[Any]
    ) -> Sequence[Any]:
        """The endpoint's rate limit, its size limits, then its input guards: the inputs to
        serve (redacted where a guard redacts); RateLimited, InvalidInput or Blocked
        otherwise. (The schema guard runs per version, once routing has chosen one.)"""
        if protection is None:
            return inputs
        if protection.limit is not None:
            try:
                await self._within(
                    f"endpoint:{request.endpoint}", protection.limit, "endpoint", request.endpoint
                )
            except RateLimited as exc:
                self.metrics.error(request.endpoint, exc.code)
                self.denied(request.caller, f"endpoint {request.endpoint}", exc)
                raise
        if protection.size is not None:
            protection.size.check(inputs)
        if protection.input is None:
            return inputs
        guarded: Sequence[Any] = self.guard(request, protection.input, inputs, "input")
        return guarded

    def guard(self, request: RequestContext, guards: GuardChain, payload: Any, side: Side) -> Any:
        """``payload`` through ``guards`` (inputs here, outputs in the invoker): findings
        counted per rule, blocks and flags told to the audit log, Blocked counted as an
        error of the endpoint."""
        try:
            return guard(guards, payload, side, _Heard(self, request, side))
        except Blocked as exc:
            self.metrics.error(request.endpoint, exc.code)
            raise


class _Heard:
    """What a guard's verdicts become: metrics and, but for redactions, security events.
    Built only when a payload is guarded; its call runs only on a finding."""

    __slots__ = ("admission", "request", "side")

    def __init__(self, admission: Admission, request: RequestContext, side: Side) -> None:
        self.admission = admission
        self.request = request
        self.side = side

    def __call__(self, verdict: Verdict) -> None:
        request, side = self.request, self.side
        rules = sorted({f.detector for f in verdict.findings})
        for rule in rules:
            self.admission.metrics.guard_findings.labels(
                request.endpoint, side, rule, verdict.action
            ).inc()
        events = self.admission.events
        if events is not None and verdict.action != "redact":
            events.record(
                request.caller,
                f"{side}.{'blocked' if verdict.action == 'block' else 'flagged'}",
                f"endpoint {request.endpoint}",
                ",".join(rules),
            )
