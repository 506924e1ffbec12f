"""A bandit through the API: rewards from feedback move traffic to the best arm; the
allocation and the estimates are visible, persisted, and survive a restart."""

from __future__ import annotations

import asyncio
import random
from collections import Counter
from collections.abc import AsyncIterator

import httpx
import numpy as np
import pytest
from httpx import AsyncClient

from pasarela.api.app import PasarelaAPI, create_app
from pasarela.control.bandit import BanditController
from pasarela.registry.service import Registry
from pasarela.settings import Settings
from tests.integration.test_apply_api import applied, predict

pytestmark = pytest.mark.anyio

BANDIT = """\
kind: Endpoint
name: ranker
policy:
  type: bandit
  algorithm: thompson
  reward: task_completed
  warmup: 20
  min_share: 0.02
  update_every: 1s
  arms:
    - {name: a, target: sums@1}
    - {name: b, target: sums@2}
    - {name: c, target: sums@3}
"""
RATES = {"arm:a": 0.2, "arm:b": 0.3, "arm:c": 0.7}


@pytest.fixture
async def app(settings: Settings, registry: Registry) -> AsyncIterator[PasarelaAPI]:
    for _ in range(3):
        registry.register("sums", entrypoint="pasarela.testing:row_sums")
    # the test ticks the controller itself, with its own clock
    application = create_app(settings.model_copy(update={"controller": False}))
    async with application.router.lifespan_context(application):
        yield application


async def traffic(client: AsyncClient, n: int, rng: random.Random) -> Counter[str]:
    served: Counter[str] = Counter()
    for _ in range(n):
        reply = await predict(client, "ranker")
        served[reply["reason"]] += 1
        reward = rng.random() < RATES[reply["reason"]]
        sent = await client.post(
            "/v1/feedback", json={"request_id": reply["request_id"], "task_completed": reward}
        )
        assert sent.status_code == 202
    return served


async def state_of(client: AsyncClient) -> dict[str, object]:
    reply = await client.get("/admin/endpoints/ranker/rollout")
    assert reply.status_code == 200, reply.text
    state: dict[str, object] = reply.json()["state"]
    return state


async def test_rewards_move_traffic_to_the_best_arm_and_survive_a_restart(
    client: AsyncClient, app: PasarelaAPI, settings: Settings, registry: Registry
) -> None:
    await applied(client, BANDIT)
    rng = random.Random(4)
    clock = [0.0]
    controller = BanditController(registry, clock=lambda: clock[0], rng=np.random.default_rng(1))
    first = await traffic(client, 300, rng)
    assert min(first.values()) > 60  # equal shares before any update
    allocation: dict[str, float] = {}
    for round_ in range(4):
        await asyncio.sleep(0.6)  # the writer stores records and feedback
        clock[0] = 10.0**10 + round_ * 10  # an update is due
        assert await asyncio.to_thread(controller.tick) == 1
        await app.state.dataplane.refresh()
        state = await state_of(client)
        allocation = state["allocation"]  # type: ignore[assignment]
        await traffic(client, 150, rng)
    assert allocation["c"] > 0.8
    assert min(allocation.values()) >= 0.02 - 1e-9
    estimates = (await state_of(client))["estimates"]
    assert estimates["c"]["mean"] > estimates["a"]["mean"]  # type: ignore[index]
    last = await traffic(client, 300, rng)
    assert last["arm:c"] / 300 > 0.7

    # A new server on the same database starts from the stored allocation.
    again = create_app(settings.model_copy(update={"controller": False}))
    async with again.router.lifespan_context(again):
        transport = httpx.ASGITransport(app=again)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as other:
            assert (await state_of(other))["allocation"] == allocation
            served = Counter([(await predict(other, "ranker"))["reason"] for _ in range(200)])
            assert served["arm:c"] / 200 > 0.7
