"""Health, metrics, hot reconfiguration and failure answers of a served app."""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pandas as pd
import pytest
from httpx import AsyncClient

from pasarela.api.app import create_app
from pasarela.control.endpoints import put_endpoint
from pasarela.registry.service import Registry
from pasarela.settings import Settings
from pasarela.types import BatchingConfig
from tests.conftest import Trained, row

pytestmark = pytest.mark.anyio


async def test_health_readiness_and_metrics(client: AsyncClient, trained: Trained) -> None:
    assert (await client.get("/healthz")).json() == {"status": "ok"}
    ready = (await client.get("/readyz")).json()
    assert ready["status"] == "ready"
    for _ in range(3):
        await client.post("/v1/endpoints/cancer/predict", json={"inputs": [row(trained)]})
    text = (await client.get("/metrics")).text
    labels = 'endpoint="cancer",model="cancer",version="1"'
    assert f"pasarela_requests_total{{{labels}}} 3.0" in text
    assert f"pasarela_request_duration_seconds_count{{{labels}}} 3.0" in text
    assert 'pasarela_batch_size_count{model="cancer",version="1"}' in text


async def test_openapi_documents_the_hot_routes(client: AsyncClient) -> None:
    spec = (await client.get("/openapi.json")).json()
    assert "/v1/endpoints/{endpoint}/predict" in spec["paths"]
    assert "/v2/models/{name}/infer" in spec["paths"]
    assert "PredictRequest" in spec["components"]["schemas"]
    assert "/healthz" in spec["paths"]


async def test_endpoint_list(client: AsyncClient) -> None:
    listed = (await client.get("/v1/endpoints")).json()["endpoints"]
    assert listed == [
        {
            "name": "cancer",
            "policy": "single",
            "targets": ["cancer@1"],
            "versions": ["cancer@1"],
            "shadows": [],
            "rollout": None,
            "status": "serving",
            "error": None,
        }
    ]
    assert (await client.get("/v1/endpoints/ghost")).status_code == 404


async def test_control_plane_changes_reach_the_hot_path_without_restart(
    client: AsyncClient, served_registry: Registry, trained: Trained
) -> None:
    app = client._transport.app  # type: ignore[attr-defined]
    served_registry.register_estimator(
        "cancer", trained.model, train_data=trained.frame, target="target"
    )
    served_registry.set_alias("cancer", "champion", 2)
    put_endpoint(served_registry, "cancer-live", ["cancer@champion"])
    await app.state.dataplane.refresh()
    reply = await client.post("/v1/endpoints/cancer-live/predict", json={"inputs": [row(trained)]})
    assert reply.json()["version"] == 2
    # move the alias back: the endpoint follows on the next refresh
    served_registry.set_alias("cancer", "champion", 1)
    await app.state.dataplane.refresh()
    reply = await client.post("/v1/endpoints/cancer-live/predict", json={"inputs": [row(trained)]})
    assert reply.json()["version"] == 1
    # the untouched endpoint kept its warm batcher
    assert (
        await client.post("/v1/endpoints/cancer/predict", json={"inputs": [row(trained)]})
    ).status_code == 200


async def test_background_poll_picks_up_changes(
    client: AsyncClient, served_registry: Registry, trained: Trained
) -> None:
    put_endpoint(served_registry, "later", ["cancer@1"])
    for _ in range(50):  # settings poll every 0.2 s
        reply = await client.post("/v1/endpoints/later/predict", json={"inputs": [row(trained)]})
        if reply.status_code == 200:
            break
        await asyncio.sleep(0.1)
    assert reply.status_code == 200


@pytest.fixture
async def python_client(settings: Settings, registry: Registry) -> AsyncIterator[AsyncClient]:
    """An app serving python-kind models that are slow or broken, with tight limits."""
    frame = pd.DataFrame({"a": [1.0], "b": [2.0]})
    os.environ["PASARELA_TEST_DELAY_S"] = "0.3"
    registry.register("slow", entrypoint="pasarela.testing:SlowModel", train_data=frame)
    registry.register("sum", entrypoint="pasarela.testing:row_sums", train_data=frame)
    put_endpoint(registry, "slow", ["slow@1"], batching=BatchingConfig(1, 0.0, 1))
    put_endpoint(registry, "slow-deadline", ["slow@1"], timeout_s=0.05)
    registry.register("broken", entrypoint="pasarela.testing:BrokenModel")
    put_endpoint(registry, "sum", ["sum@1"])
    put_endpoint(registry, "broken", ["broken@1"])
    app = create_app(settings)
    try:
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://t") as http:
                yield http
    finally:
        del os.environ["PASARELA_TEST_DELAY_S"]


async def test_full_queue_answers_503_with_retry_after(python_client: AsyncClient) -> None:
    body = {"inputs": [{"a": 1.0, "b": 2.0}]}
    replies = await asyncio.gather(
        *(python_client.post("/v1/endpoints/slow/predict", json=body) for _ in range(6))
    )
    statuses = sorted(r.status_code for r in replies)
    assert 200 in statuses
    assert 503 in statuses
    shed = next(r for r in replies if r.status_code == 503)
    assert shed.headers["retry-after"] == "1"
    assert shed.json()["error"]["code"] == "overloaded"


async def test_deadline_answers_504(python_client: AsyncClient) -> None:
    reply = await python_client.post(
        "/v1/endpoints/slow-deadline/predict", json={"inputs": [[1.0, 2.0]]}
    )
    assert reply.status_code == 504
    assert reply.json()["error"]["code"] == "model_timeout"


async def test_model_failure_answers_502_without_a_trace(python_client: AsyncClient) -> None:
    reply = await python_client.post("/v1/endpoints/broken/predict", json={"inputs": [[1.0]]})
    assert reply.status_code == 502
    error = reply.json()["error"]
    assert error["code"] == "model_error"
    assert "broken on purpose" in error["message"]
    assert "Traceback" not in reply.text


async def test_python_model_serves(python_client: AsyncClient) -> None:
    reply = await python_client.post("/v1/endpoints/sum/predict", json={"inputs": [[1.0, 2.5]]})
    assert reply.json()["outputs"] == [3.5]


async def test_tampered_artifact_makes_the_endpoint_unavailable_not_the_server(
    settings: Settings, served_registry: Registry, trained: Trained
) -> None:
    version = served_registry.versions.get("cancer", 1)
    assert version.artifact_sha256 is not None
    stored = Path(settings.resolved_artifacts_dir) / version.artifact_sha256
    os.chmod(stored, 0o644)
    stored.write_bytes(stored.read_bytes() + b"tampered")
    served_registry.register("sum", entrypoint="pasarela.testing:row_sums")
    put_endpoint(served_registry, "sum", ["sum@1"])
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as http:
            reply = await http.post("/v1/endpoints/cancer/predict", json={"inputs": [row(trained)]})
            assert reply.status_code == 503
            error = reply.json()["error"]
            assert error["code"] == "not_ready"
            assert "modified on disk" in error["message"]
            listed = (await http.get("/v1/endpoints/cancer")).json()
            assert listed["status"] == "failed"
            ok = await http.post("/v1/endpoints/sum/predict", json={"inputs": [[1, 2]]})
            assert ok.json()["outputs"] == [3.0]
