"""Every routed prediction leaves a record; the stats API reads the aggregates."""

from __future__ import annotations

import asyncio

import pytest
from httpx import AsyncClient

from pasarela.api.app import PasarelaAPI
from pasarela.storage.telemetry import TelemetryRepository
from tests.conftest import Trained, row

pytestmark = pytest.mark.anyio


async def wait_for_records(repo: TelemetryRepository, count: int) -> None:
    for _ in range(300):  # the writer stores every 0.2 s; 30 s is for a busy machine
        if repo.count_records() >= count:
            return
        await asyncio.sleep(0.1)
    raise AssertionError(f"{repo.count_records()} records stored, expected {count}")


async def test_predictions_are_recorded_with_their_payloads(
    app: PasarelaAPI, client: AsyncClient, trained: Trained
) -> None:
    reply = await client.post(
        "/v1/endpoints/cancer/predict",
        json={"inputs": [row(trained)]},
        headers={"X-Unit-Id": "user-7", "X-Subject-Id": "subject-3"},
    )
    request_id = reply.json()["request_id"]
    repo: TelemetryRepository = app.state.telemetry
    await wait_for_records(repo, 1)
    record = repo.get_record(request_id)
    assert record is not None
    assert (record["endpoint"], record["model"], record["version"]) == ("cancer", "cancer", 1)
    assert record["status"] == "ok"
    assert record["reason"] == "single"
    assert record["unit_id"] == "user-7" and record["subject_id"] == "subject-3"
    assert record["inputs"] == [row(trained)]
    assert record["outputs"] == reply.json()["outputs"]
    assert record["latency_s"] >= record["model_s"] > 0
    assert record["batch_size"] >= 1


async def test_stats_api_counts_requests_and_errors(
    app: PasarelaAPI, client: AsyncClient, trained: Trained
) -> None:
    for _ in range(4):
        await client.post("/v1/endpoints/cancer/predict", json={"inputs": [row(trained)]})
    await client.post("/v1/endpoints/cancer/predict", json={"inputs": [[1.0]]})  # client error
    await wait_for_records(app.state.telemetry, 5)
    stats = (
        await client.get("/admin/stats", params={"endpoint": "cancer", "window": "15m"})
    ).json()
    assert stats["requests"] == 5
    assert stats["errors"] == 0  # a wrong request is the client's fault, not the version's
    assert stats["versions"][0]["share"] == 1.0
    assert stats["latency_s"]["p99"] > 0
    bad = await client.get("/admin/stats", params={"endpoint": "cancer", "window": "1y"})
    assert bad.status_code == 400
    assert bad.json()["error"]["code"] == "invalid_request"
