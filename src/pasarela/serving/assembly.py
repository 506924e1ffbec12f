"""Assembly: the immutable snapshot the request path reads, built off the hot path.

The control plane's state (endpoints, rollout states, keys, versions) is read and models are
loaded in a thread; then each endpoint is assembled into what its requests need ready-made —
its policy, protection, batchers, breakers, cache and fallback chain — so no request builds any
of it. An endpoint whose spec, versions and shadows did not change keeps its warm batchers. The
poller rebuilds the snapshot whenever the control plane's revision moves.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Awaitable, Callable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from typing import Any

from pydantic import ValidationError

from pasarela.errors import ConfigurationError, StorageUnavailable
from pasarela.guards.pseudonym import Pseudonymizer
from pasarela.registry.service import Registry
from pasarela.retry import RetryPolicy
from pasarela.routing import build_policy
from pasarela.security.crypto import PayloadCipher
from pasarela.security.keys import KeyRing
from pasarela.serving.batching import Batcher
from pasarela.serving.breaker import Breaker, BreakerConfig
from pasarela.serving.cache import CacheConfig, MemoryResponseCache, ResponseCache
from pasarela.serving.cache_redis import RedisCacheClient, RedisResponseCache
from pasarela.serving.protection import protection_of
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
from pasarela.storage.db import OutageLog, storage_errors
from pasarela.storage.keys import KeyRepository
from pasarela.telemetry.metrics import Metrics
from pasarela.types import BatchingConfig, EndpointSpec, Policy, VersionId

log = logging.getLogger(__name__)

SHADOW_MAX_WAIT_MS = 25.0


@dataclass(frozen=True, slots=True)
class Assembled:
    """A new snapshot, with the keys that came with it and the loaded versions it dropped."""

    snapshot: Snapshot
    keys: KeyRing
    dropped: Mapping[VersionId, LoadedVersion]
    """Versions the previous snapshot had loaded and this one does not use: unloaded by
    ``retire`` once the swap is done."""


class Assembly:
    """Builds snapshots, and owns what they share across rebuilds: loaded runtimes, the model
    threads, the GIL turn and the cache's Redis connection.

    Example::

        assembly = Assembly(settings, registry, Metrics())
        assembled = await assembly.assemble(Snapshot(revision=-1), force=True)
    """

    def __init__(
        self,
        settings: Settings,
        registry: Registry,
        metrics: Metrics,
        rng: random.Random | None = None,
        pseudonymizer: Pseudonymizer | None = None,
    ) -> None:
        self.settings = settings
        self.registry = registry
        self.metrics = metrics
        self.rng = rng or random.Random()
        self.pseudonymizer = pseudonymizer
        self.loaded: dict[VersionId, LoadedVersion] = {}
        # Threads for model calls; each version runs one batch at a time.
        self.executor = ThreadPoolExecutor(
            max_workers=settings.model_threads, thread_name_prefix="pasarela-model"
        )
        # Versions whose runtime holds the GIL (scikit-learn) take turns: running two at once
        # only makes them fight over it. A version waits for its turn before taking its batch,
        # so requests arriving meanwhile join it: a canary and a shadow beside the baseline
        # then cost bigger batches, not three times the model calls.
        self._gil_turn = asyncio.Semaphore(1)
        # The one connection to the cache's Redis, made when an endpoint first needs it.
        self._cache_redis: RedisCacheClient | None = None

    async def assemble(self, old: Snapshot, *, force: bool = False) -> Assembled | None:
        """The next snapshot after ``old``; None when the control plane has not changed
        since (unless ``force``)."""
        registry = self.registry
        if not force:
            revision = await asyncio.to_thread(registry.endpoints.revision)
            if revision == old.revision:
                return None
        previous = self.loaded
        plan = await asyncio.to_thread(build_plan, registry, dict(previous))
        keys = await asyncio.to_thread(KeyRepository(registry.engine).list)
        if isinstance(registry.payloads, PayloadCipher):
            # A data key rotated elsewhere: seal with the new one from now on.
            await asyncio.to_thread(registry.payloads.reload)
        snapshot = self._snapshot(plan, old)
        self.loaded = dict(plan.loaded)
        dropped = {vid: v for vid, v in previous.items() if vid not in self.loaded}
        return Assembled(snapshot, KeyRing(keys), dropped)

    async def retire(self, old: Snapshot, assembled: Assembled) -> None:
        """Drain the batchers the new snapshot dropped, then unload versions no longer used."""
        kept = {id(s) for e in assembled.snapshot.endpoints.values() for s in batchers_of(e)}
        for endpoint in old.endpoints.values():
            for served in batchers_of(endpoint):
                if id(served) not in kept:
                    await served.batcher.close()
        for loaded in assembled.dropped.values():
            loaded.runtime.unload()

    async def close(self, snapshot: Snapshot) -> None:
        """Drain every batcher, close the cache's Redis, unload every runtime (at stop)."""
        for endpoint in snapshot.endpoints.values():
            for served in batchers_of(endpoint):
                await served.batcher.close()
        if self._cache_redis is not None:
            await self._cache_redis.close()
        for loaded in self.loaded.values():
            loaded.runtime.unload()
        self.executor.shutdown(wait=True)

    # -- one snapshot ----------------------------------------------------------------------
    def _snapshot(self, plan: Plan, old: Snapshot) -> Snapshot:
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
                        previous, policy=_policy(item.spec, versions, item.state), state=item.state
                    )
                endpoints[item.spec.name] = previous  # unchanged: keep its warm batchers
                continue
            endpoints[item.spec.name] = self._serve_endpoint(item, versions, shadows, plan)
        return Snapshot(plan.revision, endpoints)

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
                policy = _policy(spec, versions, item.state)
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
            self.executor,
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
            loaded, batcher, self.metrics.bind(spec.name, vid.model, vid.version), breaker
        )


def _policy(
    spec: EndpointSpec, versions: tuple[VersionId, ...], state: Mapping[str, Any]
) -> Policy:
    return build_policy(
        spec.policy, spec.options, dict(zip(spec.targets, versions, strict=True)), state
    )


def batchers_of(endpoint: ServedEndpoint) -> Iterator[ServedVersion]:
    """Every served version of an endpoint, primary, shadow and fallback, once each."""
    seen: set[int] = set()
    links = (link for link in endpoint.fallback if isinstance(link, ServedVersion))
    for served in (*endpoint.served.values(), *endpoint.shadows, *links):
        if id(served) not in seen:
            seen.add(id(served))
            yield served


async def poll(
    refresh: Callable[[], Awaitable[None]],
    every_s: float,
    revision: Callable[[], int],
    logger: logging.Logger,
) -> None:
    """Call ``refresh`` every ``every_s`` seconds, for ever. A failed refresh keeps the
    current snapshot (``revision`` says which, in ``logger``'s lines); a database that is
    away is one warning per outage, and one line when it is back."""
    outage = OutageLog(logger, "snapshot refresh works again")
    while True:
        await asyncio.sleep(every_s)
        try:
            with storage_errors():
                await refresh()
        except StorageUnavailable as exc:  # the database is away: one line per outage
            outage.failed(
                "snapshot refresh failed (%s); still serving revision %s until it works",
                exc.message,
                revision(),
            )
        except Exception:  # a failed refresh keeps the current snapshot
            logger.exception("snapshot refresh failed; still serving revision %s", revision())
        else:
            outage.succeeded()
