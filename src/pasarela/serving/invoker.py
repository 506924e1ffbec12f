"""The invoker: from a chosen version to an answer.

cache → fallback chain → attempt → breaker → batcher → runtime. One ``Attempt`` travels down;
a ``Prediction`` (through ``serving/outcomes.py``) or a coded failure comes back. The breaker is
asked once before the model call and told once after it; only the server's failures count
against it.

The request's deadline bounds the whole chain; each version link but the last gets at most
``attempt_timeout_s`` of it (by default half), so a hanging primary leaves time for the next.
Only the answer, or the last failure, is recorded; every failure counts against its version's
error metrics and breaker.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from prometheus_client import Counter

from pasarela.errors import InvalidInput, ModelError, ModelTimeout, PasarelaError, Unavailable
from pasarela.serving.admission import Admission
from pasarela.serving.attempt import Attempt
from pasarela.serving.batching import BatchResult
from pasarela.serving.breaker import STATE_VALUES, Transition
from pasarela.serving.cache import CacheUnavailable, ResponseCache
from pasarela.serving.outcomes import Outcomes
from pasarela.serving.snapshot import (
    CachedAnswer,
    FallbackLink,
    ServedEndpoint,
    ServedVersion,
    StaticAnswer,
)
from pasarela.telemetry.metrics import Metrics
from pasarela.types import Prediction, VersionId

log = logging.getLogger(__name__)

STATIC_MODEL = "static"
"""The model name a static fallback answer is recorded under, with version 0: no model has a
version 0, so no model's figures count it."""

STATIC_VERSION = VersionId(STATIC_MODEL, 0)


class Invoker:
    """Answers attempts with the snapshot's served versions.

    Example::

        invoker = Invoker(metrics, admission, outcomes)
        prediction = await invoker.invoke(endpoint, served, attempt)
    """

    def __init__(self, metrics: Metrics, admission: Admission, outcomes: Outcomes) -> None:
        self.metrics = metrics
        self.admission = admission
        self.outcomes = outcomes
        self._children: dict[tuple[Any, ...], Counter] = {}

    async def invoke(
        self, endpoint: ServedEndpoint, served: ServedVersion, attempt: Attempt
    ) -> Prediction:
        """``served``'s answer, from the endpoint's cache when it holds one, or, when the
        version fails, times out, is overloaded or its breaker is open, the next link's of
        the endpoint's fallback chain."""
        cache = endpoint.cache
        if cache is None and not endpoint.fallback:
            return await self.attempt(served, attempt, attempt.budget_s)
        key = b""
        if cache is not None:
            key = cache.key(served.id, attempt.inputs)
            if cache.config.serve:
                hit = await self._cached(attempt, cache, key, stale=False)
                if hit is not None:
                    cached = attempt.served("cache", f"cache; {attempt.reason}")
                    return self.outcomes.answered(cached, served.id, hit, None)
        prediction = await self._chain(endpoint, served, attempt, key)
        if cache is not None and prediction.served_by == "primary":
            await cache.put(key, prediction.outputs, subject=attempt.request.subject_id)
        return prediction

    async def _cached(
        self, attempt: Attempt, cache: ResponseCache, key: bytes, *, stale: bool
    ) -> list[Any] | None:
        """The cache's answer (``stale``: for a cached link), the lookup counted by outcome;
        None when there is none, or when the cache cannot be asked."""
        try:
            found = await cache.get(key, stale=stale)
        except CacheUnavailable:
            found, outcome = None, "error"
        else:
            outcome = "miss" if found is None else "stale" if stale else "hit"
        self._count(self.metrics.cache, attempt.request.endpoint, outcome)
        return found

    def _count(self, family: Counter, *labels: str | None) -> None:
        """One more in ``family``'s child for ``labels``, bound once: ``labels()`` takes a
        lock and builds its key on every call."""
        key = (family, *labels)
        child = self._children.get(key)
        if child is None:
            child = self._children[key] = family.labels(*labels)
        child.inc()

    async def _chain(
        self, endpoint: ServedEndpoint, served: ServedVersion, attempt: Attempt, key: bytes
    ) -> Prediction:
        """The chosen version, then each link of the fallback chain in turn (``key``: the
        request's response-cache key, for a cached link)."""
        name = attempt.request.endpoint
        deadline = attempt.deadline
        attempt_s = endpoint.spec.attempt_timeout_s or attempt.budget_s / 2
        links: tuple[FallbackLink, ...] = (served, *endpoint.fallback)
        failure: PasarelaError | None = None
        for hop, link in enumerate(links):
            last = hop == len(links) - 1
            current = attempt
            if hop:
                served_by = f"fallback:{hop}"
                cause = failure.code if failure is not None else None
                self._count(self.metrics.fallbacks, name, served_by, cause)
                current = attempt.hop(served_by, cause)
            if isinstance(link, StaticAnswer):
                outputs = [link.value for _ in attempt.inputs]
                return self.outcomes.answered(current, STATIC_VERSION, outputs, None)
            if isinstance(link, CachedAnswer):
                assert endpoint.cache is not None  # the manifest requires it
                stale = await self._cached(attempt, endpoint.cache, key, stale=True)
                if stale is not None:
                    return self.outcomes.answered(current, served.id, stale, None)
                continue
            remaining = deadline - time.perf_counter()
            if remaining <= 0:
                break
            try:
                # Only the last link's failure is the request's (recorded); the others lead on.
                return await self.attempt(
                    link,
                    current,
                    remaining if last else min(attempt_s, remaining),
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
                f"no link of {name!r}'s fallback chain answered within "
                f"{attempt.budget_s:g} s (the last: {failure.code})"
            )
        self.outcomes.failed(attempt, served.id, failure)
        raise failure

    async def attempt(
        self,
        served: ServedVersion,
        attempt: Attempt,
        timeout_s: float,
        *,
        record_failure: bool = True,
    ) -> Prediction:
        """One version's answer within ``timeout_s``: its schema, its breaker, its batcher,
        then the endpoint's output guards. A failure is counted (and recorded, unless a
        fallback link follows) and raised."""
        vid = served.id
        request = attempt.request
        try:
            if not attempt.inputs:
                raise InvalidInput("inputs must hold at least one row")
            rows = served.loaded.checker.check(attempt.inputs)
            if served.breaker is None:
                result = await served.batcher.submit(rows, timeout_s)
            else:
                result = await self._through(served, request.endpoint, rows, timeout_s)
            outputs = result.outputs
            if attempt.output_guards is not None:
                outputs = self.admission.guard(request, attempt.output_guards, outputs, "output")
        except PasarelaError as exc:
            self.metrics.error(request.endpoint, exc.code, vid.model, vid.version)
            if record_failure:
                self.outcomes.failed(attempt, vid, exc)
            raise
        served.metrics.requests.inc()
        served.metrics.duration.observe(time.perf_counter() - attempt.started)
        return self.outcomes.answered(attempt, vid, outputs, result)

    async def _through(
        self, served: ServedVersion, endpoint: str, rows: list[list[Any]], timeout_s: float
    ) -> BatchResult:
        """The model call, if the version's breaker allows it; its outcome told to the
        breaker (only the server's failures count against it)."""
        breaker = served.breaker
        assert breaker is not None
        if not breaker.allow():
            raise Unavailable(
                f"{served.id} keeps failing: its circuit breaker is open",
                code="circuit_open",
                retry_after=max(1, round(breaker.config.open_s)),
            )
        try:
            result = await served.batcher.submit(rows, timeout_s)
        except (ModelError, Unavailable) as exc:  # the server's failure, not the client's
            self._breaker_moved(endpoint, served.id, breaker.failure())
            raise exc from None
        except BaseException:
            breaker.release()
            raise
        moved = breaker.success()
        if moved is not None:
            self._breaker_moved(endpoint, served.id, moved)
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
