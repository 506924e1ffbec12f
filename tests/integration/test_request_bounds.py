"""Every client value that reaches a record is bounded at the door by the numbers that size its
column (``pasarela/bounds.py``); the request id is the server's, the client's is a correlation
id; each record names its caller. On SQLite and PostgreSQL (issue 14, items 1, 6 and 11)."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
from httpx import AsyncClient, Response

from pasarela.api.app import PasarelaAPI
from pasarela.bounds import MAX_ATTRIBUTES_BYTES, MAX_CORRELATION_ID_CHARS, MAX_ID_CHARS
from pasarela.registry.service import Registry
from pasarela.settings import Settings
from pasarela.storage.subjects import SubjectRepository
from pasarela.storage.telemetry import TelemetryRepository
from tests.conftest import Trained, row
from tests.integration.test_access import new_key

pytestmark = pytest.mark.anyio


@pytest.fixture(params=["sqlite", "postgres"])
def settings(request: pytest.FixtureRequest, tmp_path: Path) -> Settings:
    url = None if request.param == "sqlite" else request.getfixturevalue("postgres_url")
    return Settings(home=tmp_path / "home", snapshot_poll_s=0.2, database_url=url)


async def stored(repo: TelemetryRepository, request_id: str) -> dict[str, Any]:
    """The record of ``request_id`` once the writer process has stored it."""
    for _ in range(600):  # generous: the writer stores every 0.2 s, on a busy machine later
        record = await asyncio.to_thread(repo.get_record, request_id)
        if record is not None:
            return record
        await asyncio.sleep(0.1)
    raise AssertionError(f"record {request_id} never stored")


async def predict(
    client: AsyncClient, trained: Trained, headers: dict[str, str], **body: Any
) -> Response:
    return await client.post(
        "/v1/endpoints/cancer/predict", json={"inputs": [row(trained)], **body}, headers=headers
    )


def refused(reply: Response, code: str, *words: str) -> None:
    assert reply.status_code == 400, reply.text
    error = reply.json()["error"]
    assert error["code"] == code
    for word in words:
        assert word in error["message"]


async def test_long_ids_are_refused_at_the_door_and_records_keep_flowing(
    app: PasarelaAPI, client: AsyncClient, trained: Trained
) -> None:
    long = "s" * (MAX_ID_CHARS + 100)
    for header in ("X-Subject-Id", "X-Unit-Id"):
        reply = await predict(client, trained, {header: long})
        refused(reply, "invalid_header", header, str(MAX_ID_CHARS))
    too_long = await predict(
        client, trained, {"X-Request-Id": "r" * (MAX_CORRELATION_ID_CHARS + 1)}
    )
    refused(too_long, "invalid_header", "X-Request-Id", str(MAX_CORRELATION_ID_CHARS))
    assert "x-correlation-id" not in too_long.headers  # never echoed
    attributes = '{"a": "' + "x" * MAX_ATTRIBUTES_BYTES + '"}'
    refused(
        await predict(client, trained, {"X-Attributes": attributes}),
        "invalid_header",
        "X-Attributes",
        str(MAX_ATTRIBUTES_BYTES),
    )
    refused(await predict(client, trained, {}, unit_id=long), "invalid_request", "'unit_id'")
    refused(await predict(client, trained, {}, unit_id="a\x00b"), "invalid_request", "control")
    big = {"a": "x" * MAX_ATTRIBUTES_BYTES}
    refused(await predict(client, trained, {}, attributes=big), "invalid_attributes", "bytes")
    v2 = await client.post(
        "/v2/models/cancer/infer",
        json={"id": "i" * (MAX_CORRELATION_ID_CHARS + 1), "inputs": [{"x": 1}]},
    )
    assert v2.status_code == 400 and "'id'" in v2.json()["error"]
    # Ids at their limit fit their columns: the record after them is stored, on PostgreSQL too.
    edge = "e" * MAX_ID_CHARS
    reply = await predict(client, trained, {"X-Subject-Id": edge, "X-Unit-Id": edge})
    assert reply.status_code == 200
    record = await stored(app.state.telemetry, reply.json()["request_id"])
    assert record["subject_id"] == edge and record["unit_id"] == edge
    after = await predict(client, trained, {})
    await stored(app.state.telemetry, after.json()["request_id"])


async def test_the_request_id_is_the_servers_and_the_clients_is_kept(
    app: PasarelaAPI, client: AsyncClient, trained: Trained
) -> None:
    """Two clients choosing the same X-Request-Id get a record each (no merge, no
    suppression); the client's id is kept and echoed; v2 keeps echoing its ``id``."""
    replies = [await predict(client, trained, {"X-Request-Id": "same"}) for _ in range(2)]
    ids = [r.json()["request_id"] for r in replies]
    assert len(set(ids)) == 2 and "same" not in ids
    for reply, request_id in zip(replies, ids, strict=True):
        assert reply.headers["x-correlation-id"] == "same"
        record = await stored(app.state.telemetry, request_id)
        assert record["correlation_id"] == "same"
    names = list(row(trained))
    v2 = await client.post(
        "/v2/models/cancer/infer",
        json={
            "id": "triton-7",
            "inputs": [
                {"name": n, "shape": [1], "datatype": "FP64", "data": [row(trained)[n]]}
                for n in names
            ],
        },
    )
    assert v2.status_code == 200, v2.text
    body = v2.json()
    assert body["id"] == "triton-7"  # the protocol echoes it
    request_id = body["parameters"]["request_id"]
    assert request_id != "triton-7"
    assert (await stored(app.state.telemetry, request_id))["correlation_id"] == "triton-7"
    # feedback goes to the server's id
    feedback = await client.post("/v1/feedback", json={"request_id": ids[0], "reward": 1.0})
    assert feedback.status_code == 202


async def test_records_name_their_caller(
    app: PasarelaAPI, client: AsyncClient, served_registry: Registry, trained: Trained
) -> None:
    secret = await new_key(served_registry, "client")
    await app.state.dataplane.refresh()
    reply = await predict(
        client, trained, {"Authorization": f"Bearer {secret}", "X-Subject-Id": "ana"}
    )
    assert reply.status_code == 200, reply.text
    record = await stored(app.state.telemetry, reply.json()["request_id"])
    key_id = secret.split(".", 1)[0]
    assert record["caller"] == key_id
    exported = SubjectRepository(app.state.telemetry.engine).export("ana")
    assert [r["caller"] for r in exported["records"]] == [key_id]
