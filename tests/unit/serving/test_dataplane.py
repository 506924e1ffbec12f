"""The data plane composed: every caller admitted, the snapshot swapped on refresh."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from pasarela.control.apply import apply_specs
from pasarela.errors import Forbidden, Unauthenticated
from pasarela.registry.service import Registry
from pasarela.security.keys import KeyService
from pasarela.security.roles import ANONYMOUS
from pasarela.serving.dataplane import DataPlane
from pasarela.settings import Settings
from pasarela.storage.keys import KeyRepository
from pasarela.telemetry.metrics import Metrics
from pasarela.types import EndpointSpec, RequestContext, VersionId
from tests.unit.serving.stages import recorder, records

pytestmark = pytest.mark.anyio


def single(name: str, ref: str) -> EndpointSpec:
    return EndpointSpec(name, "single", (ref,), options={"target": ref})


@pytest.fixture
def models(registry: Registry) -> Registry:
    registry.register("sums", entrypoint="pasarela.testing:row_sums")
    registry.register("sums", entrypoint="pasarela.testing:row_sums")
    apply_specs(registry, [single("a", "sums@1")], actor="test")
    return registry


@pytest.fixture
async def plane(settings: Settings, models: Registry, tmp_path: Path) -> AsyncIterator[DataPlane]:
    rec, _ = recorder(tmp_path / "journal")
    started = DataPlane(settings, models, Metrics(), recorder=rec)
    await started.start()
    yield started
    await started.stop()


async def test_an_open_install_answers_a_direct_caller_as_anonymous(plane: DataPlane) -> None:
    prediction = await plane.predict(RequestContext("r1", "a"), [[1, 2]])
    assert (prediction.outputs, prediction.version) == ([3.0], VersionId("sums", 1))
    assert plane.outcomes.recorder is not None
    [record] = records(plane.outcomes.recorder.journal)
    assert record["caller"] == "anonymous"


async def test_a_direct_caller_of_a_keyed_install_needs_credentials(
    plane: DataPlane, models: Registry
) -> None:
    record, secret = KeyService(KeyRepository(models.engine)).create(
        name="client", role="client", by=ANONYMOUS, endpoints=["a"]
    )
    await plane.refresh()
    with pytest.raises(Unauthenticated):
        await plane.predict(RequestContext("r1", "a"), [[1, 2]])
    with pytest.raises(Unauthenticated):
        await plane.predict_version(RequestContext("r2", "sums"), 1, [[1, 2]])
    credentials = {"x-api-key": secret}
    answered = await plane.predict(RequestContext("r3", "a"), [[1, 2]], credentials=credentials)
    assert answered.outputs == [3.0]
    with pytest.raises(Forbidden):  # the key is limited to endpoint a
        await plane.predict_version(RequestContext("r4", "sums"), 1, [[1]], credentials=credentials)
    assert plane.outcomes.recorder is not None
    callers = [r["caller"] for r in records(plane.outcomes.recorder.journal)]
    assert callers == [record.id]


async def test_a_refresh_swaps_in_the_new_snapshot(plane: DataPlane, models: Registry) -> None:
    before = plane.snapshot
    apply_specs(models, [single("a", "sums@2")], actor="test")
    await plane.refresh()
    assert plane.snapshot is not before
    assert plane.snapshot.revision > before.revision
    prediction = await plane.predict(RequestContext("r1", "a"), [[1, 2]])
    assert prediction.version == VersionId("sums", 2)


async def test_predict_version_serves_a_model_by_name(plane: DataPlane) -> None:
    prediction = await plane.predict_version(RequestContext("r1", "sums"), 1, [[2, 2]])
    assert (prediction.outputs, prediction.decision_reason) == ([4.0], "version_requested")
