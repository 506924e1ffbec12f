"""POST /v1/feedback end to end in process: durable, idempotent, joined in either order."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import orjson
import pytest
from httpx import AsyncClient

from pasarela.api.app import PasarelaAPI
from pasarela.storage.db import create_engine, upgrade
from pasarela.storage.feedback import FeedbackRepository
from pasarela.storage.telemetry import TelemetryRepository
from pasarela.telemetry.feedback import FeedbackService
from pasarela.telemetry.journal import Journal
from pasarela.telemetry.metrics import Metrics
from pasarela.telemetry.writer import RecordWriter
from tests.conftest import Trained, row

pytestmark = pytest.mark.anyio


async def eventually_stats(client: AsyncClient, done: object) -> dict[str, object]:
    stats: dict[str, object] = {}
    for _ in range(100):
        stats = (await client.get("/admin/stats", params={"endpoint": "cancer"})).json()
        if done(stats):  # type: ignore[operator]
            return stats
        await asyncio.sleep(0.1)
    raise AssertionError(f"stats never got there: {stats}")


async def test_feedback_in_either_order_reaches_the_stats(
    app: PasarelaAPI, client: AsyncClient, trained: Trained
) -> None:
    # feedback at once, quite possibly before the writer has stored its record
    first = await client.post("/v1/endpoints/cancer/predict", json={"inputs": [row(trained, 0)]})
    early = await client.post(
        "/v1/feedback",
        json={"request_id": first.json()["request_id"], "label": 1, "task_completed": True},
    )
    assert early.status_code == 202
    assert early.json() == {"accepted": 2}
    # then a later one
    reply = await client.post("/v1/endpoints/cancer/predict", json={"inputs": [row(trained, 1)]})
    request_id = reply.json()["request_id"]
    batch = [{"request_id": request_id, "reward": 0.5, "rating": 4, "task_completed": False}]
    assert (await client.post("/v1/feedback", json={"feedback": batch})).status_code == 202
    again = await client.post("/v1/feedback", json=batch)  # idempotent
    assert again.status_code == 202

    def folded(stats: dict[str, object]) -> bool:
        versions = stats["versions"]
        return (
            bool(versions)
            and "task_completed" in versions[0]["feedback"]
            and (  # type: ignore[index]
                versions[0]["feedback"]["task_completed"]["count"] == 2  # type: ignore[index]
            )
        )

    stats = await eventually_stats(client, folded)
    feedback = stats["versions"][0]["feedback"]  # type: ignore[index]
    assert feedback["task_completed"]["mean"] == pytest.approx(0.5)
    assert feedback["reward"] == {"count": 1, "mean": 0.5, "std": 0.0}
    assert feedback["rating"]["mean"] == 4.0
    performance = stats["versions"][0]["performance"]["classification"]  # type: ignore[index]
    assert performance["labels"] == 1
    metrics = (await client.get("/metrics")).text
    assert 'pasarela_feedback_total{kind="task_completed"} 3.0' in metrics


async def test_bad_feedback_is_refused(client: AsyncClient) -> None:
    reply = await client.post("/v1/feedback", json={"request_id": "x", "rating": 9})
    assert reply.status_code == 400
    assert reply.json()["error"]["code"] == "invalid_request"
    reply = await client.post("/v1/feedback", content=b"{oops")
    assert reply.json()["error"]["code"] == "invalid_json"


def test_feedback_is_journaled_when_the_database_is_down(tmp_path: Path) -> None:
    """202 still means durable: the journal (fsynced) keeps it, the writer stores it later."""
    dead = FeedbackRepository(create_engine("postgresql+psycopg://nobody@127.0.0.1:1/none"))
    journal = Journal.open(tmp_path / "journal", max_bytes=1 << 20)
    service = FeedbackService(dead, journal, Metrics())
    item = {
        "request_id": "r1",
        "kind": "reward",
        "value": 1.0,
        "attributes": None,
        "at": time.time(),
    }
    assert service.submit([item]) == 1
    lines, _ = journal.read(10)
    assert [orjson.loads(line)["request_id"] for line in lines] == ["r1"]
    engine = create_engine(f"sqlite:///{tmp_path / 'db.sqlite'}")
    upgrade(engine)
    writer = RecordWriter(Journal.attach(journal.directory), TelemetryRepository(engine))
    assert writer.flush_once() == 1
    assert writer.feedback.store([item]) == 0  # already stored by the writer
    journal.close()
    engine.dispose()
