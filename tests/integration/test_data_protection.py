"""Payloads sealed at rest (AES-256-GCM, a data key wrapped by the master key), rotated
without downtime; a data subject's records exported and erased, late journal records of an
erased subject dropped; all of it audited."""

from __future__ import annotations

import asyncio
import base64
import time
from collections.abc import AsyncIterator
from typing import Any

import pytest
import sqlalchemy as sa
from httpx import AsyncClient
from pydantic import SecretStr

from pasarela.api.app import PasarelaAPI, create_app
from pasarela.errors import ConfigurationError
from pasarela.registry.service import Registry
from pasarela.security.crypto import PayloadCipher, is_envelope, rotate_data_key
from pasarela.security.keys import KeyService
from pasarela.security.roles import ANONYMOUS
from pasarela.settings import Settings
from pasarela.storage import schema
from pasarela.storage.audit import AuditRepository
from pasarela.storage.data_keys import DataKeyRepository
from pasarela.storage.keys import KeyRepository
from pasarela.storage.telemetry import TelemetryRepository
from tests.conftest import Trained, row
from tests.integration.test_apply_api import wait_for_records

pytestmark = pytest.mark.anyio


async def predict(client: AsyncClient, trained: Trained, subject: str, i: int) -> str:
    reply = await client.post(
        "/v1/endpoints/cancer/predict",
        json={"inputs": [row(trained, i)]},
        headers={"X-Subject-Id": subject},
    )
    assert reply.status_code == 200, reply.text
    request_id: str = reply.json()["request_id"]
    return request_id


def raw_payloads(registry: Registry) -> list[tuple[Any, Any]]:
    r = schema.prediction_records
    with registry.engine.connect() as conn:
        return [(x.inputs, x.outputs) for x in conn.execute(sa.select(r.c.inputs, r.c.outputs))]


async def test_payloads_are_sealed_and_open_after_a_rotation(
    app: PasarelaAPI, client: AsyncClient, served_registry: Registry, trained: Trained
) -> None:
    first = await predict(client, trained, "ana", 0)
    await wait_for_records(TelemetryRepository(served_registry.engine), 1)
    ((inputs, outputs),) = raw_payloads(served_registry)
    assert is_envelope(inputs) and is_envelope(outputs)
    assert str(row(trained, 0)["mean radius"]) not in str(inputs)
    old_kid = inputs["kid"]

    cipher = served_registry.payloads
    assert isinstance(cipher, PayloadCipher)
    new_kid = await asyncio.to_thread(rotate_data_key, cipher, actor="ops")
    await app.state.dataplane.refresh()
    await predict(client, trained, "ana", 1)
    await wait_for_records(TelemetryRepository(served_registry.engine), 2)
    kids = {i["kid"] for i, _ in raw_payloads(served_registry)}
    assert kids == {old_kid, new_kid}

    # Both open, with the cipher of another process that reads the keys afresh.
    fresh = PayloadCipher(cipher.settings, DataKeyRepository(served_registry.engine))
    opened = [fresh.open(i) for i, _ in raw_payloads(served_registry)]
    assert row(trained, 0) in [o[0] for o in opened]
    # The master key is not in the database; a wrong one opens nothing.
    wrong = cipher.settings.model_copy(
        update={"master_key": SecretStr(base64.urlsafe_b64encode(b"x" * 32).decode())}
    )
    with pytest.raises(ConfigurationError, match="master key"):
        PayloadCipher(wrong, DataKeyRepository(served_registry.engine)).open(inputs)
    del first


async def test_label_feedback_still_scores_sealed_predictions(
    client: AsyncClient, served_registry: Registry, trained: Trained
) -> None:
    request_id = await predict(client, trained, "ana", 0)
    await wait_for_records(TelemetryRepository(served_registry.engine), 1)
    label = int(trained.frame["target"].iloc[0])
    sent = await client.post("/v1/feedback", json={"request_id": request_id, "label": label})
    assert sent.status_code == 202
    for _ in range(100):
        stats = (await client.get("/admin/stats", params={"endpoint": "cancer"})).json()
        performance = stats["versions"][0]["performance"]
        if "classification" in performance:
            break
        await asyncio.sleep(0.1)
    # The writer opened the sealed outputs to compare the predicted label with the true one.
    assert performance["classification"]["accuracy"] == 1.0


async def test_a_subject_is_exported_and_erased_and_stays_erased(
    app: PasarelaAPI, client: AsyncClient, served_registry: Registry, trained: Trained
) -> None:
    ana = [await predict(client, trained, "ana@example.com", i) for i in range(3)]
    await predict(client, trained, "bob", 3)
    await wait_for_records(TelemetryRepository(served_registry.engine), 4)
    await client.post("/v1/feedback", json={"request_id": ana[0], "reward": 1.0})
    await asyncio.sleep(0.5)

    exported = (await client.get("/admin/subjects/ana@example.com")).json()
    assert [r["request_id"] for r in exported["records"]] == ana
    assert exported["records"][0]["inputs"] == [row(trained, 0)]  # opened, not sealed
    assert [f["kind"] for f in exported["feedback"]] == ["reward"]

    erased = (await client.delete("/admin/subjects/ana@example.com")).json()
    assert erased == {"records": 3, "feedback": 1, "cached_answers": 0}
    assert (await client.get("/admin/subjects/ana@example.com")).json()["records"] == []
    assert len((await client.get("/admin/subjects/bob")).json()["records"]) == 1

    # A record of the subject made before the erasure, still on its way from a journal,
    # is dropped when it arrives; one made after it is kept.
    late = {
        "request_id": "late-1",
        "at": time.time() - 60,
        "endpoint": "cancer",
        "model": "cancer",
        "version": 1,
        "reason": "single",
        "status": "ok",
        "server_error": False,
        "latency_s": 0.01,
        "queue_s": 0.0,
        "model_s": 0.01,
        "batch_size": 1,
        "subject_id": "ana@example.com",
    }
    repo = TelemetryRepository(served_registry.engine)
    assert await asyncio.to_thread(repo.store_records, [late]) == 0
    later = {**late, "request_id": "late-2", "at": time.time() + 1}
    assert await asyncio.to_thread(repo.store_records, [later]) == 1

    await asyncio.to_thread(app.state.events.flush)
    entries = list(AuditRepository(served_registry.engine).entries())
    erasure = next(e for e in entries if e.action == "subject.erase")
    assert erasure.detail == {"records": 3, "feedback": 1}
    assert "ana" not in erasure.target  # the audit names a hash, not the subject


@pytest.fixture
async def plain_app(settings: Settings, served_registry: Registry) -> AsyncIterator[PasarelaAPI]:
    application = create_app(settings.model_copy(update={"encrypt_payloads": False}))
    async with application.router.lifespan_context(application):
        yield application


async def test_encryption_can_be_turned_off(
    plain_app: PasarelaAPI, served_registry: Registry, trained: Trained
) -> None:
    import httpx

    transport = httpx.ASGITransport(app=plain_app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        await predict(client, trained, "ana", 0)
    await wait_for_records(TelemetryRepository(served_registry.engine), 1)
    ((inputs, _),) = raw_payloads(served_registry)
    assert inputs == [row(trained, 0)]


async def test_the_compliance_report_reads_its_evidence_from_the_install(
    app: PasarelaAPI, client: AsyncClient, served_registry: Registry, trained: Trained
) -> None:
    await predict(client, trained, "ana", 0)
    await wait_for_records(TelemetryRepository(served_registry.engine), 1)
    checks = {c["control"]: c for c in (await client.get("/admin/compliance")).json()["checks"]}
    auth = checks["Authentication required on every route but health checks"]
    assert auth["status"] == "fail" and "open to anyone" in auth["evidence"]
    sealed = checks["Personal data encrypted at rest"]
    assert "1 of the latest 1 stored payloads sealed" in sealed["evidence"]
    retention = checks["Records are kept no longer than needed"]
    assert retention["status"] == "fail" and "no retention on cancer" in retention["evidence"]
    assert checks["Tamper-evident audit trail of changes and security events"]["status"] == "pass"

    _, secret = await asyncio.to_thread(
        KeyService(KeyRepository(served_registry.engine)).create,
        name="ops",
        role="admin",
        by=ANONYMOUS,
        expires_in_days=90,
    )
    await app.state.dataplane.refresh()
    admin = {"Authorization": f"Bearer {secret}"}
    manifest = (
        "name: cancer\npolicy: {type: single, target: cancer@1}\nretention_days: 30\n"
        "guards:\n  input:\n    - {type: pii, action: redact}\n"
    )
    applied = await client.post(
        "/admin/apply",
        content=manifest.encode(),
        headers={"content-type": "application/yaml", **admin},
    )
    assert applied.status_code == 200, applied.text
    report = (await client.get("/admin/compliance", headers=admin)).json()["checks"]
    statuses = {c["control"]: c["status"] for c in report}
    assert statuses["Authentication required on every route but health checks"] == "pass"
    assert statuses["Credentials expire or are rotated"] == "pass"
    assert statuses["Records are kept no longer than needed"] == "pass"
    guards = next(c for c in report if c["control"].startswith("Inputs and outputs"))
    assert guards["status"] == "pass" and "cancer in [pii:redact]" in guards["evidence"]
