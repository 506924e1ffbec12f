"""Outcomes: answers and failures recorded, health counted, shadows fed."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from pasarela.errors import InvalidInput, ModelError
from pasarela.serving.batching import BatchResult
from pasarela.serving.health import HealthThresholds
from pasarela.serving.outcomes import Outcomes
from pasarela.telemetry.journal import Journal
from pasarela.telemetry.metrics import Metrics
from pasarela.testing import FakeRuntime
from pasarela.types import EndpointSpec, ShadowSpec, VersionId
from tests.unit.serving.stages import (
    ENDPOINT,
    Versions,
    attempt,
    counted,
    endpoint,
    recorder,
    records,
    request,
)

pytestmark = pytest.mark.anyio

VID = VersionId("primary", 3)
THRESHOLDS = HealthThresholds(window_s=60, min_requests=1, error_rate=0.5, fallback_share=0.5)


@pytest.fixture
def metrics() -> Metrics:
    return Metrics()


@pytest.fixture
def outcomes(metrics: Metrics, tmp_path: Path) -> Outcomes:
    rec, _ = recorder(tmp_path / "journal")
    return Outcomes(metrics, rec, THRESHOLDS)


def journal_of(outcomes: Outcomes) -> Journal:
    assert outcomes.recorder is not None
    return outcomes.recorder.journal


async def test_an_answer_is_recorded_with_the_requests_fields(outcomes: Outcomes) -> None:
    ask = request(request_id="r9", unit_id="u1", subject_id="s1", caller="k1")
    result = BatchResult([1.0, 2.0], batch_size=4, queue_s=0.001, model_s=0.002)
    prediction = outcomes.answered(attempt([[1], [2]], request=ask), VID, result.outputs, result)
    assert (prediction.request_id, prediction.version, prediction.batch_size) == ("r9", VID, 4)
    [record] = records(journal_of(outcomes))
    assert {k: record[k] for k in ("request_id", "endpoint", "model", "version", "status")} == {
        "request_id": "r9",
        "endpoint": ENDPOINT,
        "model": "primary",
        "version": 3,
        "status": "ok",
    }
    assert (record["unit_id"], record["subject_id"], record["caller"]) == ("u1", "s1", "k1")
    assert (record["batch_size"], record["reason"], record["server_error"]) == (4, "single", False)
    assert record["inputs"] == [[1], [2]] and record["outputs"] == [1.0, 2.0]


async def test_a_cached_or_static_answer_is_recorded_without_a_model_call(
    outcomes: Outcomes,
) -> None:
    prediction = outcomes.answered(attempt([[1]], served_by="cache"), VID, [5.0], None)
    assert (prediction.served_by, prediction.batch_size, prediction.model_s) == ("cache", 0, 0.0)
    [record] = records(journal_of(outcomes))
    assert record["batch_size"] == 0


async def test_a_server_failure_counts_against_health_and_a_clients_does_not(
    outcomes: Outcomes,
) -> None:
    outcomes.failed(attempt([[1]]), VID, InvalidInput("bad row"))
    outcomes.failed(attempt([[1]]), VID, ModelError("down"))
    got = [(r["status"], r["server_error"], r["outputs"]) for r in records(journal_of(outcomes))]
    assert got == [("invalid_input", False, None), ("model_error", True, None)]
    health = outcomes.health[ENDPOINT]
    assert health.counts() == (0, 0, 1)  # (answered, by fallback, failed)


async def test_answers_by_fallback_are_counted_apart(outcomes: Outcomes) -> None:
    outcomes.answered(attempt([[1]]), VID, [1.0], None)
    outcomes.answered(attempt([[1]], served_by="fallback:1"), VID, [1.0], None)
    assert outcomes.health[ENDPOINT].counts() == (2, 1, 0)


async def test_conditions_forget_endpoints_no_longer_served(outcomes: Outcomes) -> None:
    outcomes.failed(attempt([[1]]), VID, ModelError("down"))
    assert ENDPOINT in outcomes.health
    assert outcomes.conditions({}) == []
    assert outcomes.health == {}


@pytest.fixture
async def versions(metrics: Metrics) -> AsyncIterator[Versions]:
    found = Versions(metrics)
    yield found
    await found.close()


async def test_a_shadow_gets_a_copy_and_its_answer_is_recorded_beside_the_primarys(
    outcomes: Outcomes, versions: Versions, metrics: Metrics
) -> None:
    primary = versions.serve("primary", FakeRuntime())
    shadow_runtime = FakeRuntime(answer=lambda row: float(sum(row)) + 1)
    shadow = versions.serve("shadow", shadow_runtime, number=2)
    spec = EndpointSpec(ENDPOINT, "single", ("primary@1",), shadow=ShadowSpec(("shadow@2",)))
    served = endpoint(primary, shadows=(shadow,), spec=spec)
    copied = attempt([[1, 2]])
    prediction = outcomes.answered(copied, primary.id, [3.0], None)
    outcomes.copy_to_shadows(served, copied, prediction)
    await outcomes.drain()
    await asyncio.sleep(0)
    assert shadow_runtime.batches == [[[1, 2]]]
    shadow_record = [r for r in records(journal_of(outcomes)) if r["shadow_of"] is not None]
    assert [(r["model"], r["shadow_of"], r["outputs"]) for r in shadow_record] == [
        ("shadow", "r1", [4.0])
    ]
    ok = counted(
        metrics,
        "pasarela_shadow_requests_total",
        endpoint=ENDPOINT,
        model="shadow",
        version="2",
        outcome="ok",
    )
    assert ok == 1


async def test_a_full_shadow_gate_skips_the_copy(
    outcomes: Outcomes, versions: Versions, metrics: Metrics
) -> None:
    primary = versions.serve("primary", FakeRuntime())
    shadow_runtime = FakeRuntime()
    shadow = versions.serve("shadow", shadow_runtime, number=2)
    spec = EndpointSpec(
        ENDPOINT, "single", ("primary@1",), shadow=ShadowSpec(("shadow@2",), max_concurrency=1)
    )
    served = endpoint(primary, shadows=(shadow,), spec=spec)
    assert served.shadow_gate is not None and served.shadow_gate.enter()  # the gate is full
    copied = attempt([[1]])
    outcomes.copy_to_shadows(served, copied, outcomes.answered(copied, primary.id, [1.0], None))
    await outcomes.drain()
    assert shadow_runtime.batches == []
    skipped = counted(
        metrics,
        "pasarela_shadow_requests_total",
        endpoint=ENDPOINT,
        model="shadow",
        version="2",
        outcome="skipped",
    )
    assert skipped == 1
