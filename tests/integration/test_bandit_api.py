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
from tests.integration.test_apply_api import applied, apply_yaml, error_of, predict

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


FORGETTING = BANDIT.replace("  warmup: 20\n", "  warmup: 20\n  half_life: 100\n")


async def rewarded(
    client: AsyncClient, n: int, rates: dict[str, float], rng: random.Random
) -> None:
    for _ in range(n):
        reply = await predict(client, "ranker")
        reward = rng.random() < rates[reply["reason"]]
        sent = await client.post(
            "/v1/feedback", json={"request_id": reply["request_id"], "task_completed": reward}
        )
        assert sent.status_code == 202


async def test_a_forgetting_bandit_follows_the_new_best_arm_across_a_restart(
    client: AsyncClient, app: PasarelaAPI, settings: Settings, registry: Registry
) -> None:
    """Issue 15, 5a: the discounted statistics live in the rollout state, so the controller of
    a new server goes on from them; without forgetting, arm c's 0.7 over the first phase would
    keep traffic on it long after it fell to 0.1."""
    await applied(client, FORGETTING)
    rng = random.Random(9)
    clock = [10.0**10]

    async def update(controller: BanditController, api: PasarelaAPI, other: AsyncClient) -> None:
        await asyncio.sleep(0.6)  # the writer stores records and feedback
        clock[0] += 10  # an update is due
        assert await asyncio.to_thread(controller.tick) == 1
        await api.state.dataplane.refresh()

    controller = BanditController(registry, clock=lambda: clock[0], rng=np.random.default_rng(2))
    before = {"arm:a": 0.1, "arm:b": 0.3, "arm:c": 0.7}
    await rewarded(client, 300, before, rng)
    for _ in range(2):
        await update(controller, app, client)
        await rewarded(client, 150, before, rng)
    await update(controller, app, client)
    assert (await state_of(client))["allocation"]["c"] > 0.6  # type: ignore[index]

    after = {"arm:a": 0.7, "arm:b": 0.3, "arm:c": 0.1}
    again = create_app(settings.model_copy(update={"controller": False}))
    async with again.router.lifespan_context(again):
        transport = httpx.ASGITransport(app=again)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as other:
            restarted = BanditController(
                registry, clock=lambda: clock[0], rng=np.random.default_rng(3)
            )
            for _ in range(4):
                await rewarded(other, 150, after, rng)
                await update(restarted, again, other)
            state = await state_of(other)
    statistics = state["statistics"]
    seen_c, kept_c = statistics["c"]["seen"], statistics["c"]["kept"]  # type: ignore[index]
    assert kept_c[0] < seen_c[0] / 2  # c's first-phase rewards were discounted, not re-read
    assert kept_c[1] / kept_c[0] < seen_c[1] / seen_c[0]  # its discounted mean fell faster
    assert state["allocation"]["a"] > 0.6  # type: ignore[index]
    assert state["estimates"]["a"]["mean"] > state["estimates"]["c"]["mean"]  # type: ignore[index]


@pytest.mark.parametrize(
    ("line", "field"),
    [
        ("half_life: 0", "half_life"),
        ("half_life: 10000000000", "half_life"),
        ("min_share: 0.6", "min_share"),
    ],
)
async def test_forgetting_and_floor_are_bounded_at_the_door(
    client: AsyncClient, app: PasarelaAPI, line: str, field: str
) -> None:
    text = BANDIT.replace("  min_share: 0.02\n", f"  {line}\n")
    assert field in error_of(await apply_yaml(client, text), 400, "invalid_manifest")
