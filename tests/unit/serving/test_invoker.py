"""The invoker: cache, fallback chain, breaker and output guards around the model call."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from pasarela.errors import Blocked, InvalidInput, ModelError, Unavailable
from pasarela.security.ratelimit.memory import MemoryRateLimiter
from pasarela.serving.admission import Admission
from pasarela.serving.breaker import Breaker, BreakerConfig
from pasarela.serving.cache import CacheConfig, MemoryResponseCache
from pasarela.serving.health import HealthThresholds
from pasarela.serving.invoker import Invoker
from pasarela.serving.outcomes import Outcomes
from pasarela.serving.protection import protection_of
from pasarela.serving.snapshot import CachedAnswer, StaticAnswer
from pasarela.telemetry.journal import Journal
from pasarela.telemetry.metrics import Metrics
from pasarela.telemetry.records import Recorder
from pasarela.testing import FailingRuntime, FakeRuntime
from pasarela.types import EndpointSpec, VersionId
from tests.unit.serving.stages import (
    ENDPOINT,
    Versions,
    attempt,
    counted,
    endpoint,
    recorder,
    records,
)

pytestmark = pytest.mark.anyio


@pytest.fixture
def metrics() -> Metrics:
    return Metrics()


@pytest.fixture
async def versions(metrics: Metrics) -> AsyncIterator[Versions]:
    found = Versions(metrics)
    yield found
    await found.close()


@pytest.fixture
def recorded(tmp_path: Path) -> tuple[Recorder, Journal]:
    return recorder(tmp_path)


@pytest.fixture
def journal(recorded: tuple[Recorder, Journal]) -> Journal:
    return recorded[1]


@pytest.fixture
def invoker(metrics: Metrics, recorded: tuple[Recorder, Journal]) -> Invoker:
    outcomes = Outcomes(metrics, recorded[0], HealthThresholds(60, 1, 0.5, 0.5))
    return Invoker(metrics, Admission(metrics, MemoryRateLimiter()), outcomes)


def cache(**config: object) -> MemoryResponseCache:
    return MemoryResponseCache(CacheConfig.model_validate(config))


async def test_the_chosen_version_answers_and_is_counted(
    invoker: Invoker, versions: Versions, metrics: Metrics
) -> None:
    runtime = FakeRuntime()
    primary = versions.serve("primary", runtime)
    prediction = await invoker.invoke(endpoint(primary), primary, attempt([[1, 2], [3, 4]]))
    assert (prediction.outputs, prediction.version) == ([3.0, 7.0], VersionId("primary", 1))
    assert prediction.served_by == "primary"
    assert runtime.batches == [[[1, 2], [3, 4]]]
    requests = counted(
        metrics, "pasarela_requests_total", endpoint=ENDPOINT, model="primary", version="1"
    )
    assert requests == 1


async def test_a_cache_hit_skips_the_runtime(
    invoker: Invoker, versions: Versions, metrics: Metrics
) -> None:
    runtime = FakeRuntime()
    primary = versions.serve("primary", runtime)
    served = endpoint(primary, cache=cache())
    first = await invoker.invoke(served, primary, attempt([[1, 2]]))
    second = await invoker.invoke(served, primary, attempt([[1, 2]]))
    assert (first.served_by, second.served_by) == ("primary", "cache")
    assert second.outputs == [3.0]
    assert second.decision_reason == "cache; single"
    assert len(runtime.batches) == 1  # the second answer came from the cache
    assert counted(metrics, "pasarela_cache_lookups_total", endpoint=ENDPOINT, outcome="hit") == 1
    assert counted(metrics, "pasarela_cache_lookups_total", endpoint=ENDPOINT, outcome="miss") == 1


async def test_the_fallback_chain_is_walked_in_order(
    invoker: Invoker, versions: Versions, metrics: Metrics, journal: Journal
) -> None:
    primary = versions.serve("primary", FailingRuntime())
    second = versions.serve("second", FailingRuntime(error=Unavailable("full", code="overloaded")))
    served = endpoint(primary, fallback=(second, StaticAnswer(-1)))
    prediction = await invoker.invoke(served, primary, attempt([[1], [2]]))
    assert prediction.served_by == "fallback:2"
    assert prediction.outputs == [-1, -1]
    assert prediction.version == VersionId("static", 0)
    assert prediction.fallback_reason == "overloaded"  # why the link before could not answer
    assert prediction.decision_reason == "fallback:2 (overloaded); single"
    link1 = counted(
        metrics,
        "pasarela_fallbacks_total",
        endpoint=ENDPOINT,
        link="fallback:1",
        reason="model_error",
    )
    assert link1 == 1
    # Only the answer is recorded, not the failures on the way.
    assert [(r["model"], r["status"]) for r in records(journal)] == [("static", "ok")]


async def test_a_fallback_version_answers_when_the_primary_fails(
    invoker: Invoker, versions: Versions
) -> None:
    primary = versions.serve("primary", FailingRuntime())
    backup = versions.serve("backup", FakeRuntime(answer=lambda row: 42.0))
    prediction = await invoker.invoke(
        endpoint(primary, fallback=(backup,)), primary, attempt([[1]])
    )
    assert (prediction.served_by, prediction.version.model, prediction.outputs) == (
        "fallback:1",
        "backup",
        [42.0],
    )


async def test_a_cached_link_gives_a_failing_models_last_answer(
    invoker: Invoker, versions: Versions
) -> None:
    runtime = FakeRuntime()
    primary = versions.serve("primary", runtime)
    served = endpoint(primary, cache=cache(serve=False), fallback=(CachedAnswer(),))
    await invoker.invoke(served, primary, attempt([[5]]))
    runtime.answer = lambda row: (_ for _ in ()).throw(ModelError("down"))
    prediction = await invoker.invoke(served, primary, attempt([[5]]))
    assert (prediction.served_by, prediction.outputs) == ("fallback:1", [5.0])


async def test_the_last_links_failure_is_raised_and_recorded_once(
    invoker: Invoker, versions: Versions, journal: Journal
) -> None:
    primary = versions.serve("primary", FailingRuntime())
    backup = versions.serve("backup", FailingRuntime())
    with pytest.raises(ModelError):
        await invoker.invoke(endpoint(primary, fallback=(backup,)), primary, attempt([[1]]))
    assert [(r["model"], r["status"]) for r in records(journal)] == [("backup", "model_error")]


async def test_an_open_breaker_refuses_without_calling_the_model(
    invoker: Invoker, versions: Versions, metrics: Metrics
) -> None:
    runtime = FailingRuntime()
    breaker = Breaker(BreakerConfig(consecutive_failures=2, open_s=30))
    primary = versions.serve("primary", runtime, breaker=breaker)
    served = endpoint(primary)
    for _ in range(2):
        with pytest.raises(ModelError):
            await invoker.invoke(served, primary, attempt([[1]]))
    assert breaker.state == "open"
    with pytest.raises(Unavailable) as refused:
        await invoker.invoke(served, primary, attempt([[1]]))
    assert refused.value.code == "circuit_open"
    assert len(runtime.batches) == 2  # the third request never reached the model
    opened = counted(
        metrics,
        "pasarela_breaker_transitions_total",
        endpoint=ENDPOINT,
        model="primary",
        version="1",
        to="open",
    )
    assert opened == 1


async def test_a_clients_bad_input_does_not_count_against_the_breaker(
    invoker: Invoker, versions: Versions
) -> None:
    breaker = Breaker(BreakerConfig(consecutive_failures=1))
    primary = versions.serve("primary", FakeRuntime(), breaker=breaker)
    with pytest.raises(InvalidInput):
        await invoker.invoke(endpoint(primary), primary, attempt([]))
    assert breaker.state == "closed"


async def test_output_guards_run_on_the_models_answer(invoker: Invoker, versions: Versions) -> None:
    guards = {"output": [{"type": "content", "deny": ["leak"], "action": "block"}]}
    protection = protection_of(EndpointSpec(ENDPOINT, "single", ("m@1",), guards=guards))
    assert protection is not None
    primary = versions.serve("primary", FakeRuntime(answer=lambda row: "a leak"))
    with pytest.raises(Blocked) as blocked:
        await invoker.attempt(primary, attempt([[1]], output_guards=protection.output), 5.0)
    assert blocked.value.code == "output_blocked"
