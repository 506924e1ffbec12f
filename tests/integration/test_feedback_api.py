"""POST /v1/feedback end to end in process: durable, idempotent, joined in either order."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import orjson
import pytest
from httpx import AsyncClient

from pasarela.api.app import PasarelaAPI
from pasarela.errors import Conflict, DataRejected, Forbidden
from pasarela.registry.service import Registry
from pasarela.security.keys import KeyService
from pasarela.security.roles import ANONYMOUS
from pasarela.storage.db import create_engine, upgrade
from pasarela.storage.feedback import FeedbackRepository
from pasarela.storage.keys import KeyRepository
from pasarela.storage.telemetry import TelemetryRepository
from pasarela.telemetry.feedback import FeedbackService
from pasarela.telemetry.journal import Journal
from pasarela.telemetry.metrics import Metrics
from pasarela.telemetry.recent import RecentRequests
from pasarela.telemetry.writer import RecordWriter
from tests.conftest import Trained, row
from tests.integration.test_records import wait_for_records

pytestmark = pytest.mark.anyio


async def eventually_stats(
    client: AsyncClient, done: object, headers: dict[str, str] | None = None
) -> dict[str, object]:
    stats: dict[str, object] = {}
    for _ in range(100):
        params = {"endpoint": "cancer"}
        stats = (await client.get("/admin/stats", params=params, headers=headers)).json()
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
    assert reply.status_code == 422
    assert reply.json()["error"]["code"] == "invalid_feedback"
    reply = await client.post("/v1/feedback", json={"request_id": "x"})
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


def test_a_row_the_database_refuses_is_not_journaled(tmp_path: Path, postgres_url: str) -> None:
    """Only an unreachable database sends feedback to the journal: a row PostgreSQL refuses
    (here one past the door's bounds) would be refused again by the writer, for ever."""
    engine = create_engine(postgres_url)
    upgrade(engine)
    journal = Journal.open(tmp_path / "journal", max_bytes=1 << 20)
    service = FeedbackService(FeedbackRepository(engine), journal, Metrics())
    item = {"request_id": "r" * 300, "kind": "reward", "value": 1.0, "attributes": None}
    with pytest.raises(DataRejected):
        service.submit([item | {"at": time.time()}])
    assert journal.read(10)[0] == []
    journal.close()
    engine.dispose()


async def test_huge_and_non_finite_values_are_refused_and_means_stay_numbers(
    client: AsyncClient, trained: Trained
) -> None:
    reply = await client.post("/v1/endpoints/cancer/predict", json={"inputs": [row(trained)]})
    request_id = reply.json()["request_id"]
    for huge in (1.7e308, -1.7e308):
        refused = await client.post("/v1/feedback", json={"request_id": request_id, "reward": huge})
        assert refused.status_code == 422
        assert refused.json()["error"]["code"] == "invalid_feedback"
        assert "between -1e+12 and 1e+12" in refused.json()["error"]["message"]
    # JSON has no NaN or Infinity: orjson refuses them as invalid JSON
    nan = await client.post("/v1/feedback", content=b'{"request_id": "r", "reward": NaN}')
    assert nan.json()["error"]["code"] == "invalid_json"
    largest = [{"request_id": request_id, "reward": 1e12}, {"request_id": "other", "reward": 1}]
    assert (await client.post("/v1/feedback", json=largest)).status_code == 202

    def folded(stats: dict[str, object]) -> bool:
        versions = stats["versions"]
        return bool(versions) and "reward" in versions[0]["feedback"]  # type: ignore[index]

    stats = await eventually_stats(client, folded)
    assert stats["versions"][0]["feedback"]["reward"]["mean"] == 1e12  # type: ignore[index]


async def scoped_key(registry: Registry, *endpoints: str, role: str = "client") -> dict[str, str]:
    _, secret = await asyncio.to_thread(
        KeyService(KeyRepository(registry.engine)).create,
        name=f"{role} of " + ",".join(endpoints),
        role=role,
        by=ANONYMOUS,
        endpoints=list(endpoints) or None,
    )
    return {"Authorization": f"Bearer {secret}"}


async def test_feedback_is_scoped_like_predictions(
    app: PasarelaAPI, client: AsyncClient, served_registry: Registry, trained: Trained
) -> None:
    cancer = await scoped_key(served_registry, "cancer")
    other = await scoped_key(served_registry, "other")
    anywhere = await scoped_key(served_registry)  # a client key for every endpoint
    analyst = await scoped_key(served_registry, role="analyst")
    await app.state.dataplane.refresh()
    reply = await client.post(
        "/v1/endpoints/cancer/predict", json={"inputs": [row(trained)]}, headers=cancer
    )
    request_id = reply.json()["request_id"]
    # at once, as clients do: this server remembers whose the request was, record stored or not
    foreign = await client.post(
        "/v1/feedback", json={"request_id": request_id, "reward": 1.0}, headers=other
    )
    assert foreign.status_code == 403
    assert foreign.json()["error"]["code"] == "forbidden"
    assert "endpoint this key may not call" in foreign.json()["error"]["message"]
    # one foreign item refuses the whole batch (nothing of it is stored: see the count below)
    mixed = [{"request_id": "zzz", "reward": 1.0}, {"request_id": request_id, "reward": 5.0}]
    assert (await client.post("/v1/feedback", json=mixed, headers=other)).status_code == 403

    own = await client.post(
        "/v1/feedback", json={"request_id": request_id, "reward": 0.25}, headers=cancer
    )
    assert own.status_code == 202 and own.json() == {"accepted": 1}
    pending = await client.post(
        "/v1/feedback", json={"request_id": "not-yet", "reward": 1.0}, headers=cancer
    )
    assert pending.status_code == 409
    assert pending.json()["error"]["code"] == "record_pending"
    # a key for every endpoint may still send feedback before its record
    early = await client.post(
        "/v1/feedback", json={"request_id": "not-yet", "reward": 1.0}, headers=anywhere
    )
    assert early.status_code == 202

    def folded(stats: dict[str, object]) -> bool:
        versions = stats["versions"]
        return bool(versions) and "reward" in versions[0]["feedback"]  # type: ignore[index]

    stats = await eventually_stats(client, folded, analyst)
    rewards = stats["versions"][0]["feedback"]["reward"]  # type: ignore[index]
    assert rewards == {"count": 1, "mean": 0.25, "std": 0.0}


async def test_another_server_checks_the_scope_against_the_stored_records(
    client: AsyncClient, served_registry: Registry, trained: Trained
) -> None:
    """A server that did not answer the request (none of its recent ones) reads the record."""
    reply = await client.post("/v1/endpoints/cancer/predict", json={"inputs": [row(trained)]})
    request_id = reply.json()["request_id"]
    engine = served_registry.engine
    await wait_for_records(TelemetryRepository(engine), 1)
    elsewhere = FeedbackService(FeedbackRepository(engine), None, Metrics(), RecentRequests())
    item = {"request_id": request_id, "kind": "rating", "value": 5.0, "attributes": None}
    item["at"] = time.time()
    with pytest.raises(Forbidden):
        elsewhere.submit([item], frozenset({"other"}))
    with pytest.raises(Conflict) as pending:
        elsewhere.submit([item | {"request_id": "nope"}], frozenset({"cancer"}))
    assert pending.value.code == "record_pending"
    assert elsewhere.submit([item], frozenset({"cancer"})) == 1
    assert await asyncio.to_thread(elsewhere.repo.endpoints_of, [request_id, "nope"]) == {
        request_id: "cancer"
    }
