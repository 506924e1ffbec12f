"""The process runtime: a real child process per model, killed and replaced for real."""

from __future__ import annotations

import os
import signal
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import replace
from typing import TypeVar

import pytest

from pasarela.control.apply import apply_specs
from pasarela.control.manifest import parse_manifests
from pasarela.errors import InvalidRequest, ModelError, PasarelaError
from pasarela.registry.service import Registry
from pasarela.runtimes import create_runtime
from pasarela.runtimes.process import ProcessRuntime
from pasarela.serving.snapshot import IsolatedVersionId, build_plan
from pasarela.types import ModelVersion, RuntimeContext
from tests.conftest import Trained

T = TypeVar("T")


def eventually(probe: Callable[[], T], done: Callable[[T], bool], timeout_s: float = 30) -> T:
    """``probe()`` until ``done`` holds (or the timeout: the test's assert then says why)."""
    deadline = time.monotonic() + timeout_s
    while True:
        result = probe()
        if done(result) or time.monotonic() > deadline:
            return result
        time.sleep(0.05)


def context(registry: Registry, version: ModelVersion) -> RuntimeContext:
    path = registry.store.fetch(version.artifact_sha256) if version.artifact_sha256 else None
    return RuntimeContext(version=version, artifact_path=path)


@pytest.fixture
def cancer(registry: Registry, trained: Trained) -> ModelVersion:
    return registry.register_estimator(
        "cancer", trained.model, train_data=trained.frame, target="target"
    )


@pytest.fixture
def isolated(registry: Registry, cancer: ModelVersion) -> Iterator[ProcessRuntime]:
    runtime = ProcessRuntime("sklearn", restart_backoff_s=0.05)
    runtime.load(context(registry, cancer))
    yield runtime
    runtime.unload()


def test_it_answers_as_the_same_model_in_process(
    registry: Registry, cancer: ModelVersion, isolated: ProcessRuntime, trained: Trained
) -> None:
    rows = trained.features.head(25).values.tolist()
    in_process = registry.load(cancer)
    try:
        assert isolated.predict_batch(rows) == in_process.predict_batch(rows)
        assert isolated.outputs == in_process.outputs
    finally:
        in_process.unload()
    assert isolated.pid is not None and isolated.pid != os.getpid()
    assert isolated.retry_safe and not isolated.holds_gil


def test_a_killed_child_fails_the_call_then_is_replaced(
    isolated: ProcessRuntime, trained: Trained
) -> None:
    rows = trained.features.head(3).values.tolist()
    expected = isolated.predict_batch(rows)
    first = isolated.pid
    assert first is not None
    os.kill(first, signal.SIGKILL)
    with pytest.raises(ModelError, match="the model's process died \\(killed by SIGKILL\\)"):
        isolated.predict_batch(rows)
    pid = eventually(lambda: isolated.pid, lambda p: p is not None)
    assert pid is not None and pid != first
    assert isolated.predict_batch(rows) == expected
    assert isolated.restarts == 1


def test_a_child_killed_mid_call_fails_that_call_without_waiting(
    registry: Registry, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PASARELA_TEST_DELAY_S", "30")  # the child inherits it at spawn
    version = registry.register("slow", entrypoint="pasarela.testing:SlowModel")
    runtime = ProcessRuntime("python", call_timeout_s=None)
    runtime.load(context(registry, version))
    errors: list[Exception] = []

    def call() -> None:
        try:
            runtime.predict_batch([[1, 2]])
        except ModelError as exc:
            errors.append(exc)

    try:
        caller = threading.Thread(target=call)
        caller.start()
        time.sleep(0.3)  # let the call reach the child's sleep
        assert runtime.pid is not None
        os.kill(runtime.pid, signal.SIGKILL)
        caller.join(20)  # well before the model's 30 s: the dead pipe is noticed at once
        assert not caller.is_alive()
        assert len(errors) == 1 and "process died" in str(errors[0])
    finally:
        runtime.unload()


def test_a_model_exception_comes_back_as_model_error_with_its_message(
    registry: Registry,
) -> None:
    version = registry.register("broken", entrypoint="pasarela.testing:BrokenModel")
    runtime = create_runtime("python", isolation="process")
    assert isinstance(runtime, ProcessRuntime)
    runtime.load(context(registry, version))
    try:
        with pytest.raises(ModelError) as caught:
            runtime.predict_batch([[1, 2]])
        assert str(caught.value) == "the model raised RuntimeError: this model is broken on purpose"
        assert "Traceback" not in str(caught.value)
        assert runtime.pid is not None  # the child lives on
    finally:
        runtime.unload()


def test_a_model_that_cannot_load_fails_load_with_its_reason(registry: Registry) -> None:
    version = registry.register("sums", entrypoint="pasarela.testing:row_sums")
    missing = replace(version, entrypoint="pasarela.testing:nope")
    runtime = ProcessRuntime("python")
    with pytest.raises(PasarelaError, match="nope"):
        runtime.load(context(registry, missing))
    assert runtime.pid is None


def test_unload_stops_the_child(isolated: ProcessRuntime) -> None:
    pid = isolated.pid
    assert pid is not None
    isolated.unload()
    assert isolated.pid is None
    with pytest.raises(ModelError, match="stopped"):
        isolated.predict_batch([[0.0] * 30])


MANIFESTS = """\
name: isolated
policy: {type: single, target: cancer@1}
isolation: process
retries: {attempts: 3}
fallback: [cancer@1]
---
name: threaded
policy: {type: single, target: cancer@1}
"""


def test_the_manifest_fields_round_trip_through_storage(
    registry: Registry, cancer: ModelVersion
) -> None:
    del cancer
    isolated, threaded = parse_manifests(MANIFESTS)
    assert isolated.isolation == "process" and isolated.retries == {"attempts": 3}
    assert threaded.isolation == "thread" and threaded.retries is None
    manifest = isolated.to_manifest()
    assert manifest["isolation"] == "process" and manifest["retries"] == {"attempts": 3}
    assert "isolation" not in threaded.to_manifest()  # the default is not written out
    apply_specs(registry, [isolated, threaded], actor="test")
    assert registry.endpoints.get("isolated") == isolated
    with pytest.raises(InvalidRequest, match="isolation"):
        parse_manifests(MANIFESTS.split("---")[0].replace("process", "container"))


def test_a_version_served_both_ways_is_loaded_once_in_each_place(
    registry: Registry, cancer: ModelVersion
) -> None:
    apply_specs(registry, parse_manifests(MANIFESTS), actor="test")
    plan = build_plan(registry, {})
    try:
        assert set(plan.loaded) == {cancer.id, IsolatedVersionId(cancer.model, cancer.version)}
        isolated = plan.loaded[IsolatedVersionId(cancer.model, cancer.version)].runtime
        assert isinstance(isolated, ProcessRuntime) and isolated.pid is not None
        assert not isinstance(plan.loaded[cancer.id].runtime, ProcessRuntime)
        # the next snapshot keeps both (no reload, no second child)
        again = build_plan(registry, plan.loaded)
        assert all(again.loaded[k] is plan.loaded[k] for k in plan.loaded)
    finally:
        for loaded in plan.loaded.values():
            loaded.runtime.unload()
