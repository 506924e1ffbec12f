"""Assembly: snapshots built from the registry (real SQLite), warm batchers kept, the poller."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from typing import Any

import pytest

from pasarela.control.apply import apply_specs
from pasarela.registry.service import Registry
from pasarela.serving.assembly import Assembled, Assembly, poll
from pasarela.serving.snapshot import CachedAnswer, ServedVersion, Snapshot, StaticAnswer
from pasarela.settings import Settings
from pasarela.telemetry.metrics import Metrics
from pasarela.types import EndpointSpec, VersionId

pytestmark = pytest.mark.anyio


@pytest.fixture
def models(registry: Registry) -> Registry:
    registry.register("sums", entrypoint="pasarela.testing:row_sums")
    registry.register("sums", entrypoint="pasarela.testing:row_sums")
    return registry


@pytest.fixture
async def assembly(settings: Settings, models: Registry) -> AsyncIterator[Assembly]:
    built = Assembly(settings, models, Metrics())
    yield built
    await built.close(Snapshot(-1))


def single(name: str, ref: str, **fields: Any) -> EndpointSpec:
    return EndpointSpec(name, "single", (ref,), options={"target": ref}, **fields)


def apply(registry: Registry, *specs: EndpointSpec) -> None:
    apply_specs(registry, list(specs), actor="test")


async def assembled(assembly: Assembly, old: Snapshot, *, force: bool = False) -> Assembled:
    found = await assembly.assemble(old, force=force)
    assert found is not None
    await assembly.retire(old, found)
    return found


async def test_a_snapshot_serves_each_endpoint_with_its_versions(
    assembly: Assembly, models: Registry
) -> None:
    apply(models, single("a", "sums@1"))
    snapshot = (await assembled(assembly, Snapshot(-1), force=True)).snapshot
    endpoint = snapshot.endpoints["a"]
    assert endpoint.error is None and endpoint.policy is not None
    assert list(endpoint.served) == [VersionId("sums", 1)]
    served = endpoint.served[VersionId("sums", 1)]
    assert served.breaker is None  # neither a breaker nor a fallback declared
    assert (await served.batcher.submit([[1, 2]], 5.0)).outputs == [3.0]


async def test_nothing_is_built_while_the_revision_stands(
    assembly: Assembly, models: Registry
) -> None:
    apply(models, single("a", "sums@1"))
    snapshot = (await assembled(assembly, Snapshot(-1), force=True)).snapshot
    assert await assembly.assemble(snapshot) is None


async def test_an_unchanged_endpoint_keeps_its_warm_batcher_and_a_changed_one_is_rebuilt(
    assembly: Assembly, models: Registry
) -> None:
    apply(models, single("a", "sums@1"), single("b", "sums@1"))
    first = (await assembled(assembly, Snapshot(-1), force=True)).snapshot
    apply(models, single("b", "sums@2"))
    second = (await assembled(assembly, first)).snapshot
    assert second.revision > first.revision
    assert second.endpoints["a"] is first.endpoints["a"]  # swapped around, not rebuilt
    old_b = first.endpoints["b"].served[VersionId("sums", 1)]
    assert list(second.endpoints["b"].served) == [VersionId("sums", 2)]
    assert old_b.batcher._closed  # retired once the new snapshot was in


async def test_fallback_links_and_breakers_are_built_from_the_spec(
    assembly: Assembly, models: Registry
) -> None:
    spec = single(
        "a",
        "sums@2",
        fallback=("sums@1", {"cached": True}, {"static": 0}),
        cache={"ttl_s": 5},
    )
    apply(models, spec)
    endpoint = (await assembled(assembly, Snapshot(-1), force=True)).snapshot.endpoints["a"]
    link, cached, static = endpoint.fallback
    assert isinstance(link, ServedVersion) and link.id == VersionId("sums", 1)
    assert isinstance(cached, CachedAnswer) and static == StaticAnswer(0)
    assert link.breaker is not None  # a fallback gives every version a breaker
    assert endpoint.cache is not None


async def test_an_endpoint_that_cannot_build_its_cache_cannot_serve(
    assembly: Assembly, models: Registry
) -> None:
    apply(models, single("a", "sums@1", cache={"backend": "redis"}))
    endpoint = (await assembled(assembly, Snapshot(-1), force=True)).snapshot.endpoints["a"]
    assert endpoint.error is not None
    assert "PASARELA_CACHE_REDIS_URL" in endpoint.error.message


async def test_the_poller_keeps_polling_after_a_failed_refresh(
    caplog: pytest.LogCaptureFixture,
) -> None:
    calls = 0

    async def refresh() -> None:
        nonlocal calls
        calls += 1
        if calls == 1:
            raise RuntimeError("boom")

    logger = logging.getLogger("tests.poll")
    with caplog.at_level(logging.INFO, logger="tests.poll"):
        task = asyncio.create_task(poll(refresh, 0.001, lambda: 7, logger))
        while calls < 3:
            await asyncio.sleep(0.005)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
    [line] = [r for r in caplog.records if r.name == "tests.poll"]
    assert line.getMessage() == "snapshot refresh failed; still serving revision 7"
