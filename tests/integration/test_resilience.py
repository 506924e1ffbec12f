"""Fallback chains and circuit breakers through the app: a primary that fails or hangs is
answered for by the next link, never by an error; its breaker opens (requests stop waiting on
it), lets probes through once it may have recovered, and traffic returns to it by itself. The
reply, the metrics and the request record say who answered and why."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
from httpx import AsyncClient

from pasarela.api.app import PasarelaAPI
from pasarela.registry.service import Registry
from pasarela.settings import Settings
from pasarela.storage.telemetry import TelemetryRepository
from tests.conftest import Trained, row
from tests.integration.test_apply_api import applied, error_of, wait_for_records

pytestmark = pytest.mark.anyio

CHAIN = """\
name: scores
policy: {type: single, target: primary@1}
timeout_s: 2
attempt_timeout_s: 0.3
breaker: {consecutive_failures: 3, open_s: 0.6, probes: 2}
fallback: [backup@1, {static: -1}]
"""


@pytest.fixture
def app(primary_and_backup: PasarelaAPI) -> PasarelaAPI:
    return primary_and_backup


async def ask(client: AsyncClient, **headers: str) -> dict[str, Any]:
    reply = await client.post(
        "/v1/endpoints/scores/predict", json={"inputs": [[1, 2], [3, 4]]}, headers=headers
    )
    assert reply.status_code == 200, reply.text
    body: dict[str, Any] = reply.json()
    return body


def metric(text: str, name: str, **labels: str) -> float:
    wanted = ",".join(f'{k}="{v}"' for k, v in labels.items())
    for line in text.splitlines():
        if line.startswith(name + "{") and all(f'{k}="{v}"' in line for k, v in labels.items()):
            return float(line.rsplit(" ", 1)[1])
    raise AssertionError(f"no {name}{{{wanted}}} in the metrics")


async def test_a_failing_primary_is_answered_for_then_traffic_returns_to_it(
    app: PasarelaAPI, client: AsyncClient, registry: Registry, mode: Path
) -> None:
    await applied(client, CHAIN)
    body = await ask(client)
    assert (body["model"], body["outputs"]) == ("primary", [3.0, 7.0])
    assert "served_by" not in body  # the primary answered: nothing to say

    mode.write_text("fail")
    answers = [await ask(client) for _ in range(6)]
    assert all(a["model"] == "backup" and a["outputs"] == [3.0, 7.0] for a in answers)
    assert all(a["served_by"] == "fallback:1" for a in answers)
    # three failures open the breaker; after that the primary is not even tried
    assert [a["fallback_reason"] for a in answers] == ["model_error"] * 3 + ["circuit_open"] * 3
    metrics = (await client.get("/metrics")).text
    labels = {"endpoint": "scores", "model": "primary", "version": "1"}
    assert metric(metrics, "pasarela_breaker_state", **labels) == 2
    assert metric(metrics, "pasarela_fallbacks_total", link="fallback:1", reason="model_error") == 3

    mode.write_text("ok")
    await asyncio.sleep(0.7)  # the breaker's open_s: it lets probes through now
    probes = [await ask(client) for _ in range(2)]
    assert all(p["model"] == "primary" for p in probes)
    assert "served_by" not in await ask(client)
    metrics = (await client.get("/metrics")).text
    assert metric(metrics, "pasarela_breaker_state", **labels) == 0
    assert metric(metrics, "pasarela_breaker_transitions_total", to="closed", **labels) == 1

    # the record of a request a fallback answered names the link and why
    await wait_for_records(TelemetryRepository(registry.engine), 10)
    repo = TelemetryRepository(registry.engine, codec=registry.payloads)
    stored = repo.get_record(str(answers[0]["request_id"]))
    assert stored is not None
    assert (stored["model"], stored["status"]) == ("backup", "ok")
    assert stored["reason"].startswith("fallback:1 (model_error)")


async def test_a_hanging_primary_costs_one_attempt_timeout_then_none(
    client: AsyncClient, mode: Path
) -> None:
    await applied(client, CHAIN)
    mode.write_text("hang:3")
    first = await ask(client)
    # answered by the fallback after a timeout: the attempt timeout (0.3 s) cut the hanging
    # primary short — waiting for the whole deadline (2 s) would have left the fallback no time
    assert (first["served_by"], first["fallback_reason"]) == ("fallback:1", "model_timeout")
    later = [await ask(client) for _ in range(5)]
    assert all(a["model"] == "backup" for a in later)
    assert later[-1]["fallback_reason"] == "circuit_open"


async def test_when_every_model_fails_the_static_answer_is_the_last_resort(
    client: AsyncClient, registry: Registry, mode: Path
) -> None:
    registry.register("broken", entrypoint="pasarela.testing:BrokenModel")
    await applied(client, CHAIN.replace("backup@1", "broken@1"))
    mode.write_text("fail")
    body = await ask(client)
    assert (body["model"], body["version"], body["outputs"]) == ("static", 0, [-1, -1])
    assert (body["served_by"], body["fallback_reason"]) == ("fallback:2", "model_error")


async def test_without_a_fallback_an_open_breaker_answers_503_at_once(
    client: AsyncClient, mode: Path
) -> None:
    alone = CHAIN.replace("fallback: [backup@1, {static: -1}]\n", "")
    await applied(client, alone)
    mode.write_text("fail")
    for _ in range(3):
        reply = await client.post("/v1/endpoints/scores/predict", json={"inputs": [[1, 2]]})
        error_of(reply, 502, "model_error")
    reply = await client.post("/v1/endpoints/scores/predict", json={"inputs": [[1, 2]]})
    assert "circuit breaker is open" in error_of(reply, 503, "circuit_open")
    assert reply.headers["retry-after"] == "1"


async def test_the_callers_deadline_bounds_the_request(client: AsyncClient, mode: Path) -> None:
    alone = CHAIN.replace("fallback: [backup@1, {static: -1}]\n", "")
    await applied(client, alone)
    mode.write_text("hang:1")
    reply = await client.post(
        "/v1/endpoints/scores/predict",
        json={"inputs": [[1, 2]]},
        headers={"X-Request-Timeout": "0.2"},
    )
    assert "0.2 s" in error_of(reply, 504, "model_timeout")
    for bad in ("0", "-1", "soon", "nan", "1e9"):
        reply = await client.post(
            "/v1/endpoints/scores/predict",
            json={"inputs": [[1, 2]]},
            headers={"X-Request-Timeout": bad},
        )
        error_of(reply, 400, "invalid_timeout")


async def test_a_chain_applies_back_and_bad_links_are_refused(client: AsyncClient) -> None:
    await applied(client, CHAIN)
    manifest = (await client.get("/admin/endpoints/scores?format=yaml")).text
    assert "fallback:\n- backup@1\n- static: -1" in manifest
    assert "consecutive_failures: 3" in manifest
    reply = await client.post(
        "/admin/apply",
        content=CHAIN.replace("{static: -1}", "{cached: true}").encode(),
        headers={"content-type": "application/yaml"},
    )
    assert "fallback" in error_of(reply, 400, "invalid_manifest")
    reply = await client.post(
        "/admin/apply",
        content=CHAIN.replace("probes: 2", "probes: 0").encode(),
        headers={"content-type": "application/yaml"},
    )
    assert "breaker.probes" in error_of(reply, 400, "invalid_manifest")


async def test_the_breakers_are_listed_by_the_api(client: AsyncClient, mode: Path) -> None:
    await applied(client, CHAIN)
    mode.write_text("fail")
    for _ in range(3):
        await ask(client)
    listed = (await client.get("/admin/breakers?endpoint=scores")).json()
    assert [(b["model"], b["role"], b["state"], b["failures"]) for b in listed] == [
        ("primary", "policy", "open", 3),
        ("backup", "fallback:1", "closed", 0),
    ]


CACHED = """\
name: scores
policy: {type: single, target: primary@1}
timeout_s: 2
attempt_timeout_s: 0.3
breaker: {consecutive_failures: 100}
cache: {ttl_s: 0.3, stale_s: 60}
fallback: [{cached: true}, {static: -1}]
"""


async def test_the_cache_answers_repeats_and_stands_in_when_the_model_fails(
    client: AsyncClient, mode: Path
) -> None:
    await applied(client, CACHED)
    first = await ask(client, **{"X-Subject-Id": "ana"})
    assert "served_by" not in first
    mode.write_text("fail")
    # within ttl_s the model is not even called: a failing one answers all the same
    repeat = await ask(client)
    assert (repeat["served_by"], repeat["outputs"]) == ("cache", [3.0, 7.0])
    assert repeat["reason"] == "cache; single"
    await asyncio.sleep(0.35)  # past ttl_s: the model is called, fails, the stale answer helps
    stale = await ask(client)
    assert (stale["served_by"], stale["fallback_reason"]) == ("fallback:1", "model_error")
    assert stale["outputs"] == [3.0, 7.0]
    # other inputs were never answered: the chain goes on to the static answer
    reply = await client.post("/v1/endpoints/scores/predict", json={"inputs": [[5, 5]]})
    assert (reply.json()["served_by"], reply.json()["outputs"]) == ("fallback:2", [-1])
    metrics = (await client.get("/metrics")).text
    assert metric(metrics, "pasarela_cache_lookups_total", endpoint="scores", outcome="hit") == 1
    assert metric(metrics, "pasarela_cache_lookups_total", outcome="stale") == 1

    # erasing the data subject reaches the cache: its answer can no longer stand in
    erased = (await client.delete("/admin/subjects/ana")).json()
    assert erased["cached_answers"] == 1
    after = await ask(client)
    assert (after["served_by"], after["outputs"]) == ("fallback:2", [-1, -1])


async def test_a_cached_link_needs_the_cache_section(client: AsyncClient) -> None:
    reply = await client.post(
        "/admin/apply",
        content=CACHED.replace("cache: {ttl_s: 0.3, stale_s: 60}\n", "").encode(),
        headers={"content-type": "application/yaml"},
    )
    assert "needs the endpoint's cache section" in error_of(reply, 400, "invalid_manifest")


async def test_an_erasure_made_elsewhere_reaches_the_cache_at_the_next_poll(
    client: AsyncClient, registry: Registry, mode: Path
) -> None:
    from pasarela.storage.subjects import SubjectRepository

    await applied(client, CACHED)
    await ask(client, **{"X-Subject-Id": "bea"})
    mode.write_text("fail")
    assert (await ask(client))["served_by"] == "cache"
    # what `pasarela subjects erase bea` does, from another process: only the database knows
    await asyncio.to_thread(SubjectRepository(registry.engine).erase, "bea", actor="cli")
    for _ in range(50):  # the test server polls every 0.2 s
        if (await ask(client))["outputs"] == [-1, -1]:
            break
        await asyncio.sleep(0.1)
    else:
        raise AssertionError("the erased subject's answer is still served")


async def test_a_chain_that_ends_on_an_empty_cache_gives_the_models_error(
    client: AsyncClient, mode: Path
) -> None:
    await applied(client, CACHED.replace("[{cached: true}, {static: -1}]", "[{cached: true}]"))
    mode.write_text("fail")
    reply = await client.post("/v1/endpoints/scores/predict", json={"inputs": [[9, 9]]})
    assert "fails while its mode file says so" in error_of(reply, 502, "model_error")


async def test_the_endpoint_page_shows_its_breakers(client: AsyncClient, mode: Path) -> None:
    await applied(client, CHAIN)
    mode.write_text("fail")
    for _ in range(3):
        await ask(client)
    page = (await client.get("/ui/endpoints/scores")).text
    assert "Circuit breakers" in page
    assert 'data-breaker="primary@1" data-state="open"' in page
    data = (await client.get("/ui/data/endpoints/scores")).json()
    rows = {b["label"]: b["cells"] for b in data["endpoints"][0]["breakers"]}
    assert rows["primary@1"] == ["primary@1", "policy", "open", "3 failed of 3 in the last 10 s"]
    assert rows["backup@1"][1:3] == ["fallback:1", "closed"]


async def test_a_process_isolated_target_that_cannot_load_leaves_the_endpoint_not_ready(
    client: AsyncClient, registry: Registry, settings: Settings, trained: Trained
) -> None:
    version = registry.register_estimator("lost", trained.model)
    assert version.artifact_sha256 is not None
    artifact = settings.resolved_artifacts_dir / version.artifact_sha256
    artifact.chmod(0o600)
    artifact.write_bytes(b"not the model it was")  # its hash no longer matches: not loaded
    manifest = "name: lost\npolicy: {type: single, target: lost@1}\nisolation: process\n"
    await applied(client, manifest)
    reply = await client.post("/v1/endpoints/lost/predict", json={"inputs": [row(trained)]})
    assert "cannot serve" in error_of(reply, 503, "not_ready")
