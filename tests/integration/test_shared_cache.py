"""The response cache in Redis through the app: two servers share it (an answer one computed,
the other serves; an erasure made through one reaches both), and a Redis that cannot be
reached costs nothing but the cache: every request is still answered."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
from pathlib import Path

import httpx
import pytest
from httpx import AsyncClient

from pasarela.api.app import PasarelaAPI, create_app
from pasarela.registry.service import Registry
from pasarela.settings import Settings
from tests.contract.test_ratelimit import REDIS_URL, delete_prefix, require_redis
from tests.integration.test_apply_api import applied, error_of
from tests.integration.test_resilience import metric

pytestmark = pytest.mark.anyio

SHARED = """\
name: {name}
policy: {{type: single, target: primary@1}}
timeout_s: 2
attempt_timeout_s: 0.3
breaker: {{consecutive_failures: 100}}
cache: {{backend: redis, ttl_s: 60, stale_s: 60}}
fallback: [{{cached: true}}, {{static: -1}}]
"""


@pytest.fixture
def endpoint() -> str:
    """A name of its own: the endpoint's name is in its Redis keys, shared by every run."""
    return f"shared-{uuid.uuid4().hex[:12]}"


@pytest.fixture
def models(registry: Registry) -> Registry:
    registry.register("primary", entrypoint="pasarela.testing:SwitchableModel")
    return registry


async def started(stack: AsyncExitStack, settings: Settings) -> tuple[PasarelaAPI, AsyncClient]:
    app = create_app(settings)
    await stack.enter_async_context(app.router.lifespan_context(app))
    transport = httpx.ASGITransport(app=app)
    client = AsyncClient(transport=transport, base_url="http://test")
    await stack.enter_async_context(client)
    return app, client


async def ask(client: AsyncClient, endpoint: str, **headers: str) -> dict[str, object]:
    reply = await client.post(
        f"/v1/endpoints/{endpoint}/predict", json={"inputs": [[1, 2], [3, 4]]}, headers=headers
    )
    assert reply.status_code == 200, reply.text
    body: dict[str, object] = reply.json()
    return body


@pytest.fixture
async def shared_redis(endpoint: str) -> AsyncIterator[str]:
    require_redis()
    yield REDIS_URL
    await delete_prefix(f"pasarela:cache:{endpoint}:")


async def test_an_answer_cached_by_one_server_is_served_by_another_until_erased(
    settings: Settings, models: Registry, mode: Path, endpoint: str, shared_redis: str
) -> None:
    configured = settings.model_copy(update={"cache_redis_url": shared_redis})
    async with AsyncExitStack() as stack:
        _, server_a = await started(stack, configured)
        app_b, server_b = await started(stack, configured)
        await applied(server_a, SHARED.format(name=endpoint))
        await app_b.state.dataplane.refresh()  # rather than wait for its poll

        first = await ask(server_a, endpoint, **{"X-Subject-Id": "ana"})
        assert "served_by" not in first  # the model answered, and A stores it (soon)
        mode.write_text("fail")
        # The model now fails: B can only give [3, 7] from what A stored. A's store runs in
        # the background; until it lands B's answer is the static one (and stores nothing).
        for _ in range(100):
            answer = await ask(server_b, endpoint)
            if answer["served_by"] == "cache":
                break
            assert answer["outputs"] == [-1, -1]
            await asyncio.sleep(0.02)
        else:
            raise AssertionError("server B never served server A's answer")
        assert (answer["outputs"], answer["model"]) == ([3.0, 7.0], "primary")
        metrics = (await server_b.get("/metrics")).text
        hits = metric(metrics, "pasarela_cache_lookups_total", endpoint=endpoint, outcome="hit")
        assert hits == 1

        erased = (await server_a.delete("/admin/subjects/ana")).json()
        assert erased["cached_answers"] == 1
        after = await ask(server_b, endpoint)  # neither fresh nor stale any more, on B too
        assert (after["served_by"], after["outputs"]) == ("fallback:2", [-1, -1])


async def test_without_redis_every_request_is_answered_and_the_lookups_count_as_errors(
    settings: Settings, models: Registry, mode: Path, endpoint: str
) -> None:
    dead = settings.model_copy(update={"cache_redis_url": "redis://127.0.0.1:1/0"})
    async with AsyncExitStack() as stack:
        _, client = await started(stack, dead)
        await applied(client, SHARED.format(name=endpoint))
        answers = [await ask(client, endpoint, **{"X-Subject-Id": "ana"}) for _ in range(3)]
        assert all("served_by" not in a and a["outputs"] == [3.0, 7.0] for a in answers)
        mode.write_text("fail")
        # the cached link finds nothing it can reach: the chain goes on to the static answer
        last = await ask(client, endpoint)
        assert (last["served_by"], last["outputs"]) == ("fallback:2", [-1, -1])
        erased = (await client.delete("/admin/subjects/ana")).json()
        assert erased["cached_answers"] == 0  # Redis is away; the next polls try again
        metrics = (await client.get("/metrics")).text
        errors = metric(metrics, "pasarela_cache_lookups_total", endpoint=endpoint, outcome="error")
        assert errors == 5  # four lookups as a cache, one as a link


async def test_a_redis_cache_without_its_url_cannot_serve(
    client: AsyncClient, models: Registry, endpoint: str
) -> None:
    await applied(client, SHARED.format(name=endpoint))
    reply = await client.post(f"/v1/endpoints/{endpoint}/predict", json={"inputs": [[1, 2]]})
    message = error_of(reply, 503, "not_ready")
    assert "cache backend redis needs PASARELA_CACHE_REDIS_URL" in message
