"""Incidents through the app: a primary that starts failing opens an incident (its breaker
open, its fallbacks answering), a signed webhook says so, someone acknowledges it, and once the
primary recovers the incident closes by itself and the webhook says that too. An endpoint with
nothing to fall back to is a P0."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson
import pytest
from httpx import AsyncClient
from pydantic import SecretStr

from pasarela.api.app import PasarelaAPI
from pasarela.settings import Settings
from pasarela.telemetry.notifiers import verify_signature
from tests.integration.test_apply_api import applied, error_of
from tests.webhook_receiver import WebhookReceiver, webhook_receiver

pytestmark = pytest.mark.anyio

CHAIN = """\
name: scores
policy: {type: single, target: primary@1}
timeout_s: 2
breaker: {consecutive_failures: 3, open_s: 0.5, probes: 1}
fallback: [backup@1]
"""

BARE = """\
name: bare
policy: {type: single, target: primary@1}
timeout_s: 2
"""


@pytest.fixture
def receiver() -> Iterator[WebhookReceiver]:
    with webhook_receiver() as found:
        yield found


@pytest.fixture
def settings(tmp_path: Path, receiver: WebhookReceiver) -> Settings:
    # Short windows so a test sees an incident open and close in seconds.
    return Settings(
        home=tmp_path / "home",
        snapshot_poll_s=0.2,
        incident_poll_s=0.1,
        incident_clear_s=0.6,
        incident_window_s=1,
        incident_min_requests=3,
        incident_webhook_url=receiver.url,
        incident_webhook_secret=SecretStr("hook-secret"),
    )


@pytest.fixture
def app(primary_and_backup: PasarelaAPI) -> PasarelaAPI:
    return primary_and_backup


async def incidents(client: AsyncClient, status: str = "open") -> list[dict[str, Any]]:
    reply = await client.get("/admin/incidents", params={"status": status})
    assert reply.status_code == 200, reply.text
    found: list[dict[str, Any]] = reply.json()
    return found


async def until(client: AsyncClient, status: str, count: int) -> list[dict[str, Any]]:
    for _ in range(100):
        found = await incidents(client, status)
        if len(found) >= count:
            return found
        await asyncio.sleep(0.1)
    raise AssertionError(f"no {status} incident after 10 s")


def events(receiver: WebhookReceiver) -> list[str]:
    return [orjson.loads(d.body)["event"] for d in receiver.received]


async def test_a_failing_primary_opens_an_incident_that_closes_when_it_recovers(
    client: AsyncClient, mode: Path, receiver: WebhookReceiver
) -> None:
    await applied(client, CHAIN)
    assert await incidents(client) == []
    mode.write_text("fail")
    for _ in range(6):
        reply = await client.post("/v1/endpoints/scores/predict", json={"inputs": [[1, 2]]})
        assert reply.json()["served_by"] == "fallback:1"

    (incident,) = await until(client, "open", 1)
    assert (incident["endpoint"], incident["severity"], incident["status"]) == (
        "scores",
        "P1",
        "open",
    )
    keys = {c["key"]: c["summary"] for c in incident["conditions"]}
    assert keys["breaker:primary@1"].startswith("breaker of primary@1 open")
    # every answer in the window came from the fallback (how many depends on when it looked)
    assert re.match(r"fallback links answered (\d+) of \1 requests", keys["fallbacks"])

    acked = await client.post(f"/admin/incidents/{incident['id']}/acknowledge")
    assert acked.status_code == 200 and acked.json()["acknowledged_by"] == "anonymous"

    mode.write_text("ok")
    await asyncio.sleep(0.6)  # the breaker's open_s: the next call is its probe
    probe = await client.post("/v1/endpoints/scores/predict", json={"inputs": [[1, 2]]})
    assert "served_by" not in probe.json()  # the primary answers again

    (closed,) = await until(client, "closed", 1)
    assert closed["id"] == incident["id"]
    assert await incidents(client) == []
    for _ in range(50):  # the closing notification is sent after the report that closed it
        if len(receiver.received) >= 2:
            break
        await asyncio.sleep(0.1)
    assert events(receiver) == ["incident.opened", "incident.closed"]
    for delivery in receiver.received:
        headers = delivery.headers
        assert verify_signature(
            b"hook-secret",
            headers["x-pasarela-timestamp"],
            delivery.body,
            headers["x-pasarela-signature"],
        )

    story = (await client.get(f"/admin/incidents/{incident['id']}")).json()
    kinds = [e["kind"] for e in story["timeline"]]
    assert kinds[0] == "opened" and kinds.index("closed") > kinds.index("cleared")
    assert {"seen", "acknowledged", "notified", "cleared"} <= set(kinds)
    notified = [e["message"] for e in story["timeline"] if e["kind"] == "notified"]
    assert "webhook: webhook answered 200" in notified and "log: logged" in notified


async def test_an_endpoint_with_nothing_to_fall_back_to_is_down(
    client: AsyncClient, mode: Path
) -> None:
    await applied(client, BARE)
    mode.write_text("fail")
    for _ in range(5):
        reply = await client.post("/v1/endpoints/bare/predict", json={"inputs": [[1, 2]]})
        assert reply.status_code == 502
    (incident,) = await until(client, "open", 1)
    assert incident["severity"] == "P0"
    # every request in the window failed (at least min_requests of them when it looked)
    assert re.fullmatch(r"bare: down: (\d+) of \1 requests failed in 1 s", incident["title"])


async def test_incident_routes_refuse_bad_input_with_clear_errors(client: AsyncClient) -> None:
    error_of(await client.get("/admin/incidents?status=maybe"), 400, "invalid_status")
    error_of(await client.get("/admin/incidents?limit=0"), 400, "invalid_limit")
    error_of(await client.get("/admin/incidents/999"), 404, "incident_not_found")
    error_of(await client.post("/admin/incidents/999/acknowledge"), 404, "incident_not_found")
    reply = await client.get("/admin/incidents/abc")
    assert reply.status_code == 400 and reply.json()["error"]["code"] == "invalid_request"
