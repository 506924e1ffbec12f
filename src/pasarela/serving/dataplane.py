"""The data plane: one protocol-agnostic service behind the HTTP routes (v1 and Open Inference
Protocol v2), the CLI and embedded use.

It composes the request path's stages, each its own module::

    admission (serving/admission.py)   who calls, limits, size, input guards → the inputs
    routing   (routing/)               the endpoint's policy picks a version
    invoker   (serving/invoker.py)     one Attempt: cache → fallback chain → breaker → batcher
                                       → runtime → output guards
    outcomes  (serving/outcomes.py)    answer or failure; record, health, shadows

and keeps the snapshot they read current (``serving/assembly.py``). The request path reads
``self.snapshot`` and nothing else shared; it never touches the database.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import replace
from typing import Any

from pasarela.errors import NotFound, PasarelaError, Unavailable
from pasarela.guards.pseudonym import pseudonymizer_of
from pasarela.registry.service import Registry
from pasarela.security.auth import Authenticator
from pasarela.security.jwt import JwtVerifier
from pasarela.security.ratelimit.base import Limit, RateLimiter
from pasarela.security.ratelimit.memory import MemoryRateLimiter
from pasarela.serving.admission import Admission, Identity
from pasarela.serving.assembly import Assembly, batchers_of, poll
from pasarela.serving.attempt import Attempt
from pasarela.serving.cache import ResponseCache
from pasarela.serving.health import HealthThresholds
from pasarela.serving.invoker import Invoker
from pasarela.serving.outcomes import Outcomes
from pasarela.serving.snapshot import ServedEndpoint, ServedVersion, Snapshot
from pasarela.settings import Settings
from pasarela.telemetry.metrics import Metrics
from pasarela.telemetry.records import Recorder
from pasarela.telemetry.security_events import SecurityEvents
from pasarela.types import Condition, Prediction, RequestContext

log = logging.getLogger(__name__)

_NO_CREDENTIALS: Mapping[str, str] = {}


class DataPlane:
    """Serves predictions from the current snapshot.

    Example::

        plane = DataPlane(settings, registry, Metrics())
        await plane.start()
        prediction = await plane.predict(RequestContext("r1", "churn"), [{"age": 40}],
                                         credentials={"x-api-key": key})
    """

    def __init__(
        self,
        settings: Settings,
        registry: Registry,
        metrics: Metrics,
        rng: random.Random | None = None,
        recorder: Recorder | None = None,
        limiter: RateLimiter | None = None,
        events: SecurityEvents | None = None,
        *,
        default_key_limit: Limit | None = None,
    ) -> None:
        self.settings = settings
        self.registry = registry
        self.metrics = metrics
        self.rng = rng or random.Random()
        self.snapshot = Snapshot(revision=-1)
        self.ready = False
        # A token verifier, when configured, lives as long as the process (its JWKS refreshes
        # on its own schedule); the keys come with each snapshot.
        self.jwt = JwtVerifier(settings) if JwtVerifier.configured(settings) else None
        self.admission = Admission(
            metrics,
            limiter or MemoryRateLimiter(),
            events,
            default_key_limit=default_key_limit,
            jwt=self.jwt,
        )
        self.assembly = Assembly(settings, registry, metrics, self.rng, pseudonymizer_of(settings))
        thresholds = HealthThresholds(
            window_s=settings.incident_window_s,
            min_requests=settings.incident_min_requests,
            error_rate=settings.incident_error_rate,
            fallback_share=settings.incident_fallback_share,
        )
        self.outcomes = Outcomes(metrics, recorder, thresholds, self.rng)
        self.invoker = Invoker(metrics, self.admission, self.outcomes)
        self._refresh_lock = asyncio.Lock()
        self._after_refresh: list[Callable[[], Awaitable[None]]] = []
        self._poller: asyncio.Task[None] | None = None
        self._jwks_refresher: asyncio.Task[None] | None = None

    @property
    def auth(self) -> Authenticator:
        """Who may call now: the current snapshot's keys and the token verifier."""
        return self.admission.auth

    # -- lifecycle -------------------------------------------------------------------------
    async def start(self) -> None:
        await self.refresh(force=True)
        self.ready = True
        loop = asyncio.get_running_loop()
        # The poller logs here: the data plane's log is where its revision is told.
        every_s = self.settings.snapshot_poll_s
        self._poller = loop.create_task(
            poll(self._poll_once, every_s, self._revision, log), name="snapshot-poll"
        )
        if self.jwt is not None and self.jwt.from_url:
            self._jwks_refresher = loop.create_task(self.jwt.keep_fresh(), name="jwks-refresh")

    async def stop(self) -> None:
        self.ready = False
        for task in (self._poller, self._jwks_refresher):
            if task is not None:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
        await self.outcomes.drain()
        await self.assembly.close(self.snapshot)

    def after_refresh(self, step: Callable[[], Awaitable[None]]) -> None:
        """Run ``step`` after each poll's refresh (the control plane's cache erasure)."""
        self._after_refresh.append(step)

    async def _poll_once(self) -> None:
        await self.refresh()
        for step in self._after_refresh:
            await step()

    def _revision(self) -> int:
        return self.snapshot.revision

    async def refresh(self, *, force: bool = False) -> None:
        """Rebuild the snapshot if the control plane changed (or ``force``)."""
        async with self._refresh_lock:
            assembled = await self.assembly.assemble(self.snapshot, force=force)
            if assembled is None:
                return
            self.admission.auth = Authenticator(assembled.keys, self.jwt)
            old, self.snapshot = self.snapshot, assembled.snapshot
            await self.assembly.retire(old, assembled)
            log.info(
                "serving revision %s: %d endpoint(s)",
                self.snapshot.revision,
                len(self.snapshot.endpoints),
            )

    # -- what operators read ---------------------------------------------------------------
    def breakers(self, endpoint: str | None = None) -> list[dict[str, Any]]:
        """Each served version's breaker (``GET /admin/breakers``), per endpoint; the fallback
        versions included, with their place in the chain."""
        out: list[dict[str, Any]] = []
        for name, served_endpoint in sorted(self.snapshot.endpoints.items()):
            if endpoint is not None and name != endpoint:
                continue
            roles: dict[int, str] = {id(s): "policy" for s in served_endpoint.served.values()}
            for hop, link in enumerate(served_endpoint.fallback, start=1):
                if isinstance(link, ServedVersion):
                    roles.setdefault(id(link), f"fallback:{hop}")
            for served in batchers_of(served_endpoint):
                if id(served) not in roles or served.breaker is None:
                    continue  # a shadow (nobody waits for it), or no breaker declared
                successes, failures = served.breaker.counts()
                out.append(
                    {
                        "endpoint": name,
                        "model": served.id.model,
                        "version": served.id.version,
                        "role": roles[id(served)],
                        "state": served.breaker.state,
                        "successes": successes,
                        "failures": failures,
                        "window_s": served.breaker.config.window_s,
                    }
                )
        return out

    def caches(self) -> list[ResponseCache]:
        """The response caches of the endpoints served now (for erasure)."""
        return [e.cache for e in self.snapshot.endpoints.values() if e.cache is not None]

    def conditions(self) -> list[Condition]:
        """What this server sees wrong with its endpoints now (``serving/health.py``)."""
        return self.outcomes.conditions(self.snapshot.endpoints)

    # -- the request path ------------------------------------------------------------------
    async def identify(
        self, credentials: Mapping[str, str], endpoint: str, target: str
    ) -> Identity:
        """Admission's first step alone: the caller of ``endpoint`` (``target`` names the
        call in security events). The HTTP routes take it before reading a body, so an
        unauthenticated caller's body is never read, and hand it to ``predict``."""
        return await self.admission.identify(
            credentials, need="predict", endpoint=endpoint, target=target
        )

    async def predict(
        self,
        request: RequestContext,
        inputs: Sequence[Any],
        *,
        identity: Identity | None = None,
        credentials: Mapping[str, str] = _NO_CREDENTIALS,
    ) -> Prediction:
        """Route ``inputs`` to a version of ``request.endpoint`` and answer. The caller is
        ``identity`` or, without one, whoever ``credentials`` name (none: only an open
        install lets them in)."""
        started = time.perf_counter()
        if identity is None:
            identity = await self._identify(request, credentials)
        caller = identity.principal.subject
        if request.caller != caller:
            request = replace(request, caller=caller)
        try:
            endpoint = self._endpoint(request.endpoint)
        except PasarelaError as exc:
            # Unknown names share one label: clients must not be able to mint new series.
            label = request.endpoint if request.endpoint in self.snapshot.endpoints else "_unknown"
            self.metrics.error(label, exc.code)
            raise
        assert endpoint.policy is not None
        protection = endpoint.protection
        if protection is not None:
            inputs = await self.admission.admit(request, protection, inputs)
        decision = endpoint.policy.decide(request, self.rng)
        served = endpoint.served[decision.version]
        budget = endpoint.timeout_s
        if request.timeout_s is not None:
            budget = min(budget, request.timeout_s)
        attempt = Attempt(
            request,
            inputs,
            decision.reason,
            started,
            budget,
            endpoint.spec.payload_sample_rate,
            protection.output if protection is not None else None,
        )
        prediction = await self.invoker.invoke(endpoint, served, attempt)
        if endpoint.shadow_gate is not None:
            self.outcomes.copy_to_shadows(endpoint, attempt, prediction)
        return prediction

    async def predict_version(
        self,
        request: RequestContext,
        version: int | None,
        inputs: Sequence[Any],
        *,
        identity: Identity | None = None,
        credentials: Mapping[str, str] = _NO_CREDENTIALS,
    ) -> Prediction:
        """The Open Inference Protocol way: ``request.endpoint`` names an endpoint or a model,
        and ``version`` (when given) picks one of its loaded versions."""
        name = request.endpoint
        endpoint = self.snapshot.endpoints.get(name)
        if endpoint is not None and version is None:
            return await self.predict(request, inputs, identity=identity, credentials=credentials)
        started = time.perf_counter()
        if identity is None:
            identity = await self._identify(request, credentials)
        caller = identity.principal.subject
        if request.caller != caller:
            request = replace(request, caller=caller)
        sample_rate = 1.0
        protection = None
        if endpoint is not None:
            _check_serving(endpoint)
            candidates = {v.version: s for v, s in endpoint.served.items()}
            timeout_s = endpoint.timeout_s
            sample_rate = endpoint.spec.payload_sample_rate
            protection = endpoint.protection
        else:
            candidates = self.snapshot.versions_of(name)
            timeout_s = self.settings.request_timeout_s
            if not candidates:
                raise NotFound(
                    f"no endpoint or served model is named {name!r}", code="model_not_found"
                )
        number = max(candidates) if version is None else version
        served = candidates.get(number)
        if served is None:
            raise NotFound(
                f"{name!r} serves versions {sorted(candidates)}, not {version}",
                code="version_not_found",
            )
        inputs = await self.admission.admit(request, protection, inputs)
        if request.timeout_s is not None:
            timeout_s = min(timeout_s, request.timeout_s)
        attempt = Attempt(
            request,
            inputs,
            "version_requested",
            started,
            timeout_s,
            sample_rate,
            protection.output if protection is not None else None,
        )
        return await self.invoker.attempt(served, attempt, timeout_s)

    async def _identify(self, request: RequestContext, credentials: Mapping[str, str]) -> Identity:
        """A caller that came without an identity is identified here, so no way into the data
        plane skips authentication and the key's limit."""
        return await self.admission.identify(
            credentials,
            need="predict",
            endpoint=request.endpoint,
            target=f"predict {request.endpoint}",
        )

    def _endpoint(self, name: str) -> ServedEndpoint:
        endpoint = self.snapshot.endpoints.get(name)
        if endpoint is None:
            raise NotFound(f"endpoint {name!r} does not exist", code="endpoint_not_found")
        _check_serving(endpoint)
        return endpoint


def _check_serving(endpoint: ServedEndpoint) -> None:
    if endpoint.error is not None:
        raise Unavailable(
            f"endpoint {endpoint.spec.name!r} cannot serve: {endpoint.error.message}",
            code="not_ready",
            retry_after=5,
        )
