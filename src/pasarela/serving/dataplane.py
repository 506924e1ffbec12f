"""The data plane: one protocol-agnostic service behind the HTTP routes (v1 and Open Inference
Protocol v2), the CLI and embedded use.

The request path reads ``self.snapshot`` and nothing else shared; it never touches the database.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import time
from collections.abc import Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from pydantic import ValidationError
from sqlalchemy.exc import SQLAlchemyError

from pasarela.errors import (
    Blocked,
    ClientError,
    ConfigurationError,
    InvalidInput,
    ModelError,
    ModelTimeout,
    NotFound,
    PasarelaError,
    RateLimited,
    Unavailable,
)
from pasarela.guards.base import GuardChain
from pasarela.registry.service import Registry
from pasarela.retry import RetryPolicy
from pasarela.routing import build_policy
from pasarela.security.auth import Authenticator
from pasarela.security.crypto import PayloadCipher, pseudonymizer_of
from pasarela.security.jwt import JwtVerifier
from pasarela.security.keys import KeyRing
from pasarela.security.ratelimit.base import RateLimiter
from pasarela.security.ratelimit.base import headers as limit_headers
from pasarela.security.ratelimit.memory import MemoryRateLimiter
from pasarela.serving.batching import Batcher, BatchResult
from pasarela.serving.breaker import STATE_VALUES, Breaker, BreakerConfig, Transition
from pasarela.serving.cache import (
    CacheConfig,
    CacheUnavailable,
    MemoryResponseCache,
    ResponseCache,
)
from pasarela.serving.cache_redis import RedisCacheClient, RedisResponseCache
from pasarela.serving.health import EndpointHealth, HealthThresholds, endpoint_conditions
from pasarela.serving.protection import Protection, Side, guard, protection_of
from pasarela.serving.shadow import call_shadow
from pasarela.serving.snapshot import (
    CachedAnswer,
    EndpointPlan,
    FallbackLink,
    LoadedVersion,
    Plan,
    ServedEndpoint,
    ServedVersion,
    ShadowGate,
    Snapshot,
    StaticAnswer,
    build_plan,
    load_key,
)
from pasarela.settings import Settings
from pasarela.storage.db import OutageLog, database_problem
from pasarela.storage.keys import KeyRepository
from pasarela.storage.subjects import SubjectRepository
from pasarela.storage.telemetry import subject_hash
from pasarela.telemetry.metrics import Metrics
from pasarela.telemetry.records import Recorder
from pasarela.telemetry.security_events import SecurityEvents
from pasarela.types import (
    BatchingConfig,
    Condition,
    EndpointSpec,
    Policy,
    Prediction,
    RequestContext,
    Verdict,
    VersionId,
)

log = logging.getLogger(__name__)

STATIC_MODEL = "static"
"""The model name a static fallback answer is recorded under, with version 0: no model has a
version 0, so no model's figures count it."""

SHADOW_MAX_WAIT_MS = 25.0


class DataPlane:
    """Serves predictions from the current snapshot.

    Example::

        plane = DataPlane(settings, registry, Metrics())
        await plane.start()
        prediction = await plane.predict(RequestContext("r1", "churn"), [{"age": 40}])
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
    ) -> None:
        self.settings = settings
        self.registry = registry
        self.metrics = metrics
        self.recorder = recorder
        self.limiter = limiter or MemoryRateLimiter()
        self.events = events
        self.rng = rng or random.Random()
        self.snapshot = Snapshot(revision=-1)
        self.ready = False
        self._loaded: dict[VersionId, LoadedVersion] = {}
        # Threads for model calls; each version runs one batch at a time.
        self._executor = ThreadPoolExecutor(
            max_workers=settings.model_threads, thread_name_prefix="pasarela-model"
        )
        # Versions whose runtime holds the GIL (scikit-learn) take turns: running two at once
        # only makes them fight over it. A version waits for its turn before taking its batch,
        # so requests arriving meanwhile join it: a canary and a shadow beside the baseline
        # then cost bigger batches, not three times the model calls.
        self._gil_turn = asyncio.Semaphore(1)
        self._refresh_lock = asyncio.Lock()
        self._poller: asyncio.Task[None] | None = None
        # Erasures older than the server forget nothing: its caches start empty.
        self._erasures_seen = datetime.now(UTC)
        self._jwks_refresher: asyncio.Task[None] | None = None
        self._shadow_tasks: set[asyncio.Task[None]] = set()
        # The one connection to the cache's Redis, made when an endpoint first needs it.
        self._cache_redis: RedisCacheClient | None = None
        # Who may call: the keys come with each snapshot; a token verifier, when configured,
        # lives as long as the process (its JWKS refreshes on its own schedule).
        self.jwt = JwtVerifier(settings) if JwtVerifier.configured(settings) else None
        self.pseudonymizer = pseudonymizer_of(settings)
        self.auth = Authenticator(jwt=self.jwt)
        # Each endpoint's recent outcomes, for the incident watch (``serving/health.py``).
        self.health: dict[str, EndpointHealth] = {}
        self.thresholds = HealthThresholds(
            window_s=settings.incident_window_s,
            min_requests=settings.incident_min_requests,
            error_rate=settings.incident_error_rate,
            fallback_share=settings.incident_fallback_share,
        )

    # -- lifecycle -------------------------------------------------------------------------
    async def start(self) -> None:
        await self.refresh(force=True)
        self.ready = True
        self._poller = asyncio.get_running_loop().create_task(self._poll(), name="snapshot-poll")
        if self.jwt is not None and self.jwt.from_url:
            self._jwks_refresher = asyncio.get_running_loop().create_task(
                self.jwt.keep_fresh(), name="jwks-refresh"
            )

    async def stop(self) -> None:
        self.ready = False
        if self._poller is not None:
            self._poller.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._poller
        if self._jwks_refresher is not None:
            self._jwks_refresher.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._jwks_refresher
        for task in list(self._shadow_tasks):
            with contextlib.suppress(asyncio.CancelledError, PasarelaError):
                await task
        for endpoint in self.snapshot.endpoints.values():
            for served in _batchers_of(endpoint):
                await served.batcher.close()
        if self._cache_redis is not None:
            await self._cache_redis.close()
        for loaded in self._loaded.values():
            loaded.runtime.unload()
        self._executor.shutdown(wait=True)

    async def _poll(self) -> None:
        outage = OutageLog(log, "snapshot refresh works again")
        while True:
            await asyncio.sleep(self.settings.snapshot_poll_s)
            try:
                await self.refresh()
                await self._forget_erased()
            except SQLAlchemyError as exc:  # the database is away: one line per outage
                outage.failed(
                    "snapshot refresh failed (%s); still serving revision %s until it works",
                    database_problem(exc),
                    self.snapshot.revision,
                )
            except Exception:  # a failed refresh keeps the current snapshot
                log.exception(
                    "snapshot refresh failed; still serving revision %s", self.snapshot.revision
                )
            else:
                outage.succeeded()

    async def _forget_erased(self) -> None:
        """Drop from the response caches the subjects erased since the last poll (by any
        server: the erasures table is shared)."""
        if not any(e.cache is not None for e in self.snapshot.endpoints.values()):
            return
        repo = SubjectRepository(self.registry.repo.engine)
        digests, seen = await asyncio.to_thread(repo.erased_since, self._erasures_seen)
        reached = True
        for digest in digests:
            reached = (await self._forget(digest))[1] and reached
        if reached:  # else the next poll erases them all again (erasing twice is harmless)
            self._erasures_seen = seen

    async def forget_subject(self, subject_id: str) -> int:
        """Drop a data subject's answers from every response cache of this server, and from
        the shared Redis one (the erasure route calls it; other servers learn it from their
        next poll); how many. A Redis that cannot be reached is erased from at a later poll."""
        erased, reached = await self._forget(subject_hash(subject_id))
        if not reached:
            log.warning(
                "the response cache's Redis is away: a subject's answers there are erased at "
                "the next poll that reaches it (they cannot be served meanwhile)"
            )
        return erased

    async def _forget(self, digest: str) -> tuple[int, bool]:
        """Erase a subject (by hash) from every cache; how many answers, and whether every
        cache was reached."""
        erased, reached = 0, True
        for endpoint in self.snapshot.endpoints.values():
            if endpoint.cache is None:
                continue
            try:
                erased += await endpoint.cache.erase(digest)
            except CacheUnavailable:
                reached = False
        return erased, reached

    async def refresh(self, *, force: bool = False) -> None:
        """Rebuild the snapshot if the control plane changed (or ``force``)."""
        async with self._refresh_lock:
            if not force:
                revision = await asyncio.to_thread(self.registry.repo.revision)
                if revision == self.snapshot.revision:
                    return
            previous_loaded = self._loaded
            plan = await asyncio.to_thread(build_plan, self.registry, dict(previous_loaded))
            keys = await asyncio.to_thread(KeyRepository(self.registry.repo.engine).list)
            self.auth = Authenticator(KeyRing(keys), self.jwt)
            if isinstance(self.registry.payloads, PayloadCipher):
                # A data key rotated elsewhere: seal with the new one from now on.
                await asyncio.to_thread(self.registry.payloads.reload)
            old = self.snapshot
            self.snapshot = self._assemble(plan, old)
            self._loaded = dict(plan.loaded)
            await self._retire(old, previous_loaded)
            log.info(
                "serving revision %s: %d endpoint(s)", plan.revision, len(self.snapshot.endpoints)
            )

    def _assemble(self, plan: Plan, old: Snapshot) -> Snapshot:
        endpoints: dict[str, ServedEndpoint] = {}
        for item in plan.endpoints:
            versions = tuple(v.id for v in item.versions)
            shadows = tuple(v.id for v in item.shadows)
            previous = old.endpoints.get(item.spec.name)
            if (
                previous is not None
                and previous.error is None
                and previous.spec == item.spec
                and previous.versions == versions
                and tuple(s.id for s in previous.shadows) == shadows
            ):
                if previous.state != item.state:
                    # Only the rollout moved (a canary step): same batchers, new policy.
                    previous = replace(
                        previous,
                        policy=self._policy(item.spec, versions, item.state),
                        state=item.state,
                    )
                endpoints[item.spec.name] = previous  # unchanged: keep its warm batchers
                continue
            endpoints[item.spec.name] = self._serve_endpoint(item, versions, shadows, plan)
        return Snapshot(plan.revision, endpoints)

    @staticmethod
    def _policy(
        spec: EndpointSpec, versions: tuple[VersionId, ...], state: Mapping[str, Any]
    ) -> Policy:
        return build_policy(
            spec.policy, spec.options, dict(zip(spec.targets, versions, strict=True)), state
        )

    def _serve_endpoint(
        self,
        item: EndpointPlan,
        versions: tuple[VersionId, ...],
        shadows: tuple[VersionId, ...],
        plan: Plan,
    ) -> ServedEndpoint:
        spec = item.spec
        timeout_s = spec.timeout_s or self.settings.request_timeout_s
        keys = [load_key(spec, v) for v in versions]
        failed = next((plan.failed[k] for k in keys if k in plan.failed), None)
        error = item.error or failed
        policy = None
        protection = None
        cache = None
        if error is None:
            try:
                policy = self._policy(spec, versions, item.state)
                protection = protection_of(spec, self.pseudonymizer)
            except (ConfigurationError, ValidationError, KeyError) as exc:
                message = exc.message if isinstance(exc, ConfigurationError) else str(exc)
                error = ConfigurationError(f"policy {spec.policy!r}: {message}")
        if error is None:
            try:
                cache = self._cache_of(spec)
            except ConfigurationError as exc:
                error = exc
        if error is not None:
            log.error("endpoint %s cannot serve: %s", spec.name, error.message)
            return ServedEndpoint(spec, None, versions, {}, timeout_s, error)
        served = {vid: self._serve_version(spec, vid, plan) for vid in dict.fromkeys(versions)}
        shadow_served = []
        for vid in shadows:
            key = load_key(spec, vid)
            if key in plan.failed:  # a shadow that cannot load never stops the endpoint
                log.error("shadow %s of %s not loaded: %s", vid, spec.name, plan.failed[key])
                continue
            shadow_served.append(
                served.get(vid) or self._serve_version(spec, vid, plan, shadow=True)
            )
        gate = ShadowGate(spec.shadow.max_concurrency) if spec.shadow and shadow_served else None
        return ServedEndpoint(
            spec,
            policy,
            versions,
            served,
            timeout_s,
            state=item.state,
            shadows=tuple(shadow_served),
            shadow_gate=gate,
            protection=protection,
            fallback=self._fallback_links(item, served, plan),
            cache=cache,
        )

    def _cache_of(self, spec: EndpointSpec) -> ResponseCache | None:
        """The endpoint's response cache, of the backend its ``cache`` section names."""
        if spec.cache is None:
            return None
        config = CacheConfig.model_validate(spec.cache)
        if config.backend == "memory":
            return MemoryResponseCache(config)
        url = self.settings.cache_redis_url
        if not url:
            raise ConfigurationError("cache backend redis needs PASARELA_CACHE_REDIS_URL")
        if self._cache_redis is None:
            self._cache_redis = RedisCacheClient(url)
        return RedisResponseCache(config, spec.name, self._cache_redis)

    def _fallback_links(
        self, item: EndpointPlan, served: Mapping[VersionId, ServedVersion], plan: Plan
    ) -> tuple[FallbackLink, ...]:
        """``spec.fallback`` as links: a version shares the endpoint's batcher and breaker
        when the policy also routes to it; one that cannot load is left out of the chain (a
        fallback never stops the endpoint)."""
        links: list[FallbackLink] = []
        own: dict[VersionId, ServedVersion] = {}
        versions = iter(item.fallbacks)
        for link in item.spec.fallback:
            if not isinstance(link, str):
                assert isinstance(link, dict)
                links.append(CachedAnswer() if "cached" in link else StaticAnswer(link["static"]))
                continue
            vid = next(versions).id
            key = load_key(item.spec, vid)
            if key in plan.failed:
                log.error("fallback %s of %s not loaded: %s", vid, item.spec.name, plan.failed[key])
                continue
            if vid not in served and vid not in own:
                own[vid] = self._serve_version(item.spec, vid, plan)
            links.append(served.get(vid) or own[vid])
        return tuple(links)

    def _serve_version(
        self, spec: EndpointSpec, vid: VersionId, plan: Plan, *, shadow: bool = False
    ) -> ServedVersion:
        config = spec.batching or BatchingConfig(
            self.settings.max_batch_size,
            self.settings.max_wait_ms,
            self.settings.max_queue,
            self.settings.max_queue_wait_ms,
        )
        if shadow:
            # Nobody waits for a shadow's answer: let its batches fill, fewer model calls.
            config = replace(config, max_wait_ms=max(config.max_wait_ms, SHADOW_MAX_WAIT_MS))
        observer = self.metrics.batch_observer(vid.model, vid.version)
        loaded = plan.loaded[load_key(spec, vid)]
        batcher = Batcher(
            f"{spec.name}/{vid}",
            loaded.runtime,
            config,
            self._executor,
            on_batch=observer.observe,
            slots=self._gil_turn if getattr(loaded.runtime, "holds_gil", False) else None,
            retry=RetryPolicy.from_config(spec.retries),
            rng=self.rng,
            on_retry=self.metrics.retries.labels(spec.name, vid.model, str(vid.version)).inc,
        )
        batcher.start()
        breaker = None
        if spec.breaker is not None or spec.fallback:
            # Opt-in, as in Envoy's outlier detection: an endpoint that declared neither keeps
            # sending its errors to clients rather than fast 503s.
            breaker = Breaker(BreakerConfig.model_validate(spec.breaker or {}))
            self.metrics.breaker_state.labels(spec.name, vid.model, str(vid.version)).set(0)
        return ServedVersion(
            loaded,
            batcher,
            self.metrics.bind(spec.name, vid.model, vid.version),
            breaker,
        )

    async def _retire(self, old: Snapshot, previous_loaded: dict[VersionId, LoadedVersion]) -> None:
        """Drain the batchers the new snapshot dropped, then unload versions no longer used."""
        kept = {id(s) for e in self.snapshot.endpoints.values() for s in _batchers_of(e)}
        for endpoint in old.endpoints.values():
            for served in _batchers_of(endpoint):
                if id(served) not in kept:
                    await served.batcher.close()
        for vid, loaded in previous_loaded.items():
            if vid not in self._loaded:
                loaded.runtime.unload()

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
            for served in _batchers_of(served_endpoint):
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

    def conditions(self) -> list[Condition]:
        """What this server sees wrong with its endpoints now (``serving/health.py``)."""
        endpoints = self.snapshot.endpoints
        for name in [n for n in self.health if n not in endpoints]:
            del self.health[name]  # a removed endpoint, or a model called by name
        return endpoint_conditions(endpoints, self.health, self.thresholds)

    def _health(self, endpoint: str) -> EndpointHealth:
        health = self.health.get(endpoint)
        if health is None:
            health = self.health[endpoint] = EndpointHealth(self.thresholds.window_s)
        return health

    # -- the request path ------------------------------------------------------------------
    async def predict(self, request: RequestContext, inputs: Sequence[Any]) -> Prediction:
        """Route ``inputs`` to a version of ``request.endpoint`` and answer."""
        started = time.perf_counter()
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
            inputs = await self._admit(request, protection, inputs)
        decision = endpoint.policy.decide(request, self.rng)
        served = endpoint.served[decision.version]
        prediction = await self._answer(request, endpoint, served, inputs, decision.reason, started)
        if endpoint.shadow_gate is not None:
            self._copy_to_shadows(endpoint, request, inputs, prediction)
        return prediction

    async def predict_version(
        self, request: RequestContext, version: int | None, inputs: Sequence[Any]
    ) -> Prediction:
        """The Open Inference Protocol way: ``request.endpoint`` names an endpoint or a model,
        and ``version`` (when given) picks one of its loaded versions."""
        started = time.perf_counter()
        name = request.endpoint
        endpoint = self.snapshot.endpoints.get(name)
        if endpoint is not None and version is None:
            return await self.predict(request, inputs)
        sample_rate = 1.0
        protection = None
        if endpoint is not None:
            self._check_serving(endpoint)
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
        if protection is not None:
            inputs = await self._admit(request, protection, inputs)
        if request.timeout_s is not None:
            timeout_s = min(timeout_s, request.timeout_s)
        return await self._run(
            request,
            served,
            inputs,
            timeout_s,
            "version_requested",
            started,
            sample_rate,
            protection,
        )

    async def _admit(
        self, request: RequestContext, protection: Protection, inputs: Sequence[Any]
    ) -> Sequence[Any]:
        """The endpoint's rate limit, its size limits, then its input guards: the inputs to
        serve (redacted where a guard redacts); RateLimited, InvalidInput or Blocked
        otherwise. (The schema guard runs per version, once routing has chosen one.)"""
        if protection.limit is not None:
            decision = await self.limiter.acquire(f"endpoint:{request.endpoint}", protection.limit)
            if not decision.allowed:
                self.metrics.rate_limited.labels("endpoint").inc()
                self.metrics.error(request.endpoint, "rate_limited")
                if self.events is not None:
                    target = f"endpoint {request.endpoint}"
                    self.events.record(request.caller, "request.denied", target, "rate_limited")
                raise RateLimited(
                    f"endpoint {request.endpoint!r} is over its rate limit ({protection.limit})",
                    headers=limit_headers(decision),
                )
        if protection.size is not None:
            protection.size.check(inputs)
        if protection.input is None:
            return inputs
        guarded: Sequence[Any] = self._guard(request, protection.input, inputs, "input")
        return guarded

    def _guard(self, request: RequestContext, guards: GuardChain, payload: Any, side: Side) -> Any:
        def heard(verdict: Verdict) -> None:
            rules = sorted({f.detector for f in verdict.findings})
            for rule in rules:
                self.metrics.guard_findings.labels(
                    request.endpoint, side, rule, verdict.action
                ).inc()
            if self.events is not None and verdict.action != "redact":
                self.events.record(
                    request.caller,
                    f"{side}.{'blocked' if verdict.action == 'block' else 'flagged'}",
                    f"endpoint {request.endpoint}",
                    ",".join(rules),
                )

        try:
            return guard(guards, payload, side, heard)
        except Blocked as exc:
            self.metrics.error(request.endpoint, exc.code)
            raise

    def _copy_to_shadows(
        self,
        endpoint: ServedEndpoint,
        request: RequestContext,
        inputs: Sequence[Any],
        prediction: Prediction,
    ) -> None:
        """Start the shadow calls of a sampled request; skip those that find the gate full."""
        assert endpoint.spec.shadow is not None and endpoint.shadow_gate is not None
        if self.rng.random() >= endpoint.spec.shadow.share:
            return
        loop = asyncio.get_running_loop()
        for served in endpoint.shadows:
            if not endpoint.shadow_gate.enter():
                self.metrics.shadow(request.endpoint, served.id.model, served.id.version, "skipped")
                continue
            task = loop.create_task(
                call_shadow(
                    endpoint, served, request, inputs, prediction, self.recorder, self.metrics
                )
            )
            self._shadow_tasks.add(task)
            task.add_done_callback(self._shadow_tasks.discard)

    def _endpoint(self, name: str) -> ServedEndpoint:
        endpoint = self.snapshot.endpoints.get(name)
        if endpoint is None:
            raise NotFound(f"endpoint {name!r} does not exist", code="endpoint_not_found")
        self._check_serving(endpoint)
        return endpoint

    @staticmethod
    def _check_serving(endpoint: ServedEndpoint) -> None:
        if endpoint.error is not None:
            raise Unavailable(
                f"endpoint {endpoint.spec.name!r} cannot serve: {endpoint.error.message}",
                code="not_ready",
                retry_after=5,
            )

    async def _run(
        self,
        request: RequestContext,
        served: ServedVersion,
        inputs: Sequence[Any],
        timeout_s: float,
        reason: str,
        started: float,
        sample_rate: float,
        protection: Protection | None = None,
        *,
        served_by: str = "primary",
        fallback_reason: str | None = None,
        record_failure: bool = True,
    ) -> Prediction:
        vid = served.id
        breaker = served.breaker
        try:
            if not inputs:
                raise InvalidInput("inputs must hold at least one row")
            rows = served.loaded.checker.check(inputs)
            if breaker is None:
                result = await served.batcher.submit(rows, timeout_s)
            else:
                result = await self._through(breaker, request.endpoint, served, rows, timeout_s)
            outputs = result.outputs
            if protection is not None and protection.output is not None:
                outputs = self._guard(request, protection.output, outputs, "output")
        except PasarelaError as exc:
            self.metrics.error(request.endpoint, exc.code, vid.model, vid.version)
            if record_failure:
                self._record_failure(request, vid, reason, exc, inputs, started, sample_rate)
            raise
        latency_s = time.perf_counter() - started
        served.metrics.requests.inc()
        served.metrics.duration.observe(latency_s)
        return self._answered(
            request,
            vid,
            reason,
            inputs,
            outputs,
            latency_s,
            sample_rate,
            served_by,
            fallback_reason,
            result,
        )

    def _answered(
        self,
        request: RequestContext,
        vid: VersionId,
        reason: str,
        inputs: Sequence[Any],
        outputs: list[Any],
        latency_s: float,
        sample_rate: float,
        served_by: str,
        cause: str | None,
        result: BatchResult | None = None,
    ) -> Prediction:
        """Record an answer and return it; ``result`` is the model call's, None when no model
        computed it now: a cached answer (``vid`` the version whose answer it was) or a static
        one (``static@0``)."""
        batch_size = result.batch_size if result is not None else 0
        queue_s = result.queue_s if result is not None else 0.0
        model_s = result.model_s if result is not None else 0.0
        self._health(request.endpoint).answered(by_fallback=served_by.startswith("fallback"))
        if self.recorder is not None:
            # Journaled before the client hears back: an answered request always has a record.
            self.recorder.record(
                request,
                vid,
                reason,
                "ok",
                inputs,
                outputs,
                latency_s=latency_s,
                queue_s=queue_s,
                model_s=model_s,
                batch_size=batch_size,
                payload_sample_rate=sample_rate,
            )
        return Prediction(
            request_id=request.request_id,
            endpoint=request.endpoint,
            version=vid,
            outputs=outputs,
            decision_reason=reason,
            batch_size=batch_size,
            queue_s=queue_s,
            model_s=model_s,
            served_by=served_by,
            fallback_reason=cause,
        )

    def _record_failure(
        self,
        request: RequestContext,
        vid: VersionId,
        reason: str,
        exc: PasarelaError,
        inputs: Sequence[Any],
        started: float,
        sample_rate: float,
    ) -> None:
        server_error = not isinstance(exc, ClientError)
        if server_error:
            self._health(request.endpoint).failed()
        if self.recorder is not None:
            self.recorder.record(
                request,
                vid,
                reason,
                exc.code,
                inputs,
                None,
                latency_s=time.perf_counter() - started,
                server_error=server_error,
                payload_sample_rate=sample_rate,
            )

    async def _answer(
        self,
        request: RequestContext,
        endpoint: ServedEndpoint,
        served: ServedVersion,
        inputs: Sequence[Any],
        reason: str,
        started: float,
    ) -> Prediction:
        """The chosen version's answer, or, when it fails, times out, is overloaded or its
        breaker is open, the next link's of the endpoint's fallback chain.

        The request's deadline (the endpoint's ``timeout_s``, shorter when the caller's
        ``X-Request-Timeout`` says so) bounds the whole chain; each version link but the last
        gets at most ``attempt_timeout_s`` of it (by default half), so a hanging primary
        leaves time for the next. Only the answer, or the last failure, is recorded; every
        failure counts against its version's error metrics and breaker."""
        spec = endpoint.spec
        rate = spec.payload_sample_rate
        budget = endpoint.timeout_s
        if request.timeout_s is not None:
            budget = min(budget, request.timeout_s)
        cache = endpoint.cache
        if cache is None and not endpoint.fallback:
            return await self._run(
                request, served, inputs, budget, reason, started, rate, endpoint.protection
            )
        key = b""
        if cache is not None:
            key = cache.key(served.id, inputs)
            if cache.config.serve:
                hit = await self._cached(request.endpoint, cache, key, stale=False)
                if hit is not None:
                    latency_s = time.perf_counter() - started
                    why = f"cache; {reason}"
                    return self._answered(
                        request, served.id, why, inputs, hit, latency_s, rate, "cache", None
                    )
        prediction = await self._chain(
            request, endpoint, served, inputs, reason, started, budget, key
        )
        if cache is not None and prediction.served_by == "primary":
            await cache.put(key, prediction.outputs, subject=request.subject_id)
        return prediction

    async def _cached(
        self, endpoint: str, cache: ResponseCache, key: bytes, *, stale: bool
    ) -> list[Any] | None:
        """The cache's answer (``stale``: for a cached link), the lookup counted by outcome;
        None when there is none, or when the cache cannot be asked."""
        try:
            found = await cache.get(key, stale=stale)
        except CacheUnavailable:
            found, outcome = None, "error"
        else:
            outcome = "miss" if found is None else "stale" if stale else "hit"
        self.metrics.cache.labels(endpoint, outcome).inc()
        return found

    async def _chain(
        self,
        request: RequestContext,
        endpoint: ServedEndpoint,
        served: ServedVersion,
        inputs: Sequence[Any],
        reason: str,
        started: float,
        budget: float,
        key: bytes,
    ) -> Prediction:
        """The chosen version, then each link of the fallback chain in turn (``key``: the
        request's response-cache key, for a cached link)."""
        spec = endpoint.spec
        rate = spec.payload_sample_rate
        deadline = started + budget
        attempt_s = spec.attempt_timeout_s or budget / 2
        links: tuple[FallbackLink, ...] = (served, *endpoint.fallback)
        failure: PasarelaError | None = None
        for hop, link in enumerate(links):
            served_by = f"fallback:{hop}" if hop else "primary"
            cause = failure.code if failure is not None else None
            if hop:
                self.metrics.fallbacks.labels(request.endpoint, served_by, cause).inc()
            why = reason if not hop else f"{served_by} ({cause}); {reason}"
            if isinstance(link, StaticAnswer):
                outputs = [link.value for _ in inputs]
                static = VersionId(STATIC_MODEL, 0)
                latency_s = time.perf_counter() - started
                return self._answered(
                    request, static, why, inputs, outputs, latency_s, rate, served_by, cause
                )
            if isinstance(link, CachedAnswer):
                assert endpoint.cache is not None  # the manifest requires it
                stale = await self._cached(request.endpoint, endpoint.cache, key, stale=True)
                if stale is not None:
                    latency_s = time.perf_counter() - started
                    return self._answered(
                        request, served.id, why, inputs, stale, latency_s, rate, served_by, cause
                    )
                continue
            remaining = deadline - time.perf_counter()
            if remaining <= 0:
                break
            last = hop == len(links) - 1
            try:
                return await self._run(
                    request,
                    link,
                    inputs,
                    remaining if last else min(attempt_s, remaining),
                    why,
                    started,
                    rate,
                    endpoint.protection,
                    served_by=served_by,
                    fallback_reason=cause,
                    record_failure=last,
                )
            except (ModelError, Unavailable) as exc:
                failure = exc
                if last:
                    raise
        # The deadline passed, or the chain ended on a cached link with nothing cached.
        assert failure is not None
        if time.perf_counter() >= deadline and not isinstance(failure, ModelTimeout):
            failure = ModelTimeout(
                f"no link of {request.endpoint!r}'s fallback chain answered within "
                f"{budget:g} s (the last: {failure.code})"
            )
        self._record_failure(request, served.id, reason, failure, inputs, started, rate)
        raise failure

    async def _through(
        self,
        breaker: Breaker,
        endpoint: str,
        served: ServedVersion,
        rows: list[list[Any]],
        timeout_s: float,
    ) -> BatchResult:
        """The model call, if the version's breaker allows it; its outcome told to the
        breaker (only the server's failures count against it)."""
        vid = served.id
        if not breaker.allow():
            raise Unavailable(
                f"{vid} keeps failing: its circuit breaker is open",
                code="circuit_open",
                retry_after=max(1, round(breaker.config.open_s)),
            )
        try:
            result = await served.batcher.submit(rows, timeout_s)
        except (ModelError, Unavailable) as exc:  # the server's failure, not the client's
            self._breaker_moved(endpoint, vid, breaker.failure())
            raise exc from None
        except BaseException:
            breaker.release()
            raise
        self._breaker_moved(endpoint, vid, breaker.success())
        return result

    def _breaker_moved(self, endpoint: str, vid: VersionId, moved: Transition | None) -> None:
        if moved is None:
            return
        self.metrics.breaker(endpoint, vid.model, vid.version, moved.new, STATE_VALUES[moved.new])
        level = logging.WARNING if moved.new == "open" else logging.INFO
        log.log(
            level,
            "breaker of %s on %s: %s → %s (%s)",
            vid,
            endpoint,
            moved.old,
            moved.new,
            moved.reason,
        )


def _batchers_of(endpoint: ServedEndpoint) -> Iterator[ServedVersion]:
    """Every served version of an endpoint, primary, shadow and fallback, once each."""
    seen: set[int] = set()
    links = (link for link in endpoint.fallback if isinstance(link, ServedVersion))
    for served in (*endpoint.served.values(), *endpoint.shadows, *links):
        if id(served) not in seen:
            seen.add(id(served))
            yield served
