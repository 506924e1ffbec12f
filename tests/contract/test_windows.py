"""A canary step's window and the shadow rows, read from request records on every backend;
an experiment's per-unit sums; and leadership among servers sharing one database."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from pasarela.control.leader import Leadership
from pasarela.storage.db import create_engine, upgrade
from pasarela.storage.feedback import FeedbackRepository
from pasarela.storage.telemetry import TelemetryRepository
from pasarela.storage.windows import reason_windows, shadow_rows, version_window
from pasarela.telemetry.aggregates import endpoint_stats
from pasarela.telemetry.shadows import shadow_report
from tests.contract.test_telemetry_repository import record


@pytest.fixture
def engine(database_url: str) -> Iterator[sa.Engine]:
    engine = create_engine(database_url)
    upgrade(engine)
    yield engine
    engine.dispose()


def test_a_window_counts_its_version_its_span_and_server_errors_only(engine: sa.Engine) -> None:
    now = time.time()
    repo = TelemetryRepository(engine)
    repo.store_records(
        [record(i, version=2, at=now - 5, latency=0.01 * (i + 1)) for i in range(6)]
        + [record(10, version=2, at=now - 5, status="model_error", server_error=True)]
        + [record(11, version=2, at=now - 5, status="invalid_input", server_error=False)]
        + [record(20, version=2, at=now - 500)]  # before the window
        + [record(30, version=1, at=now - 5)]  # the other version
        + [record(40, version=2, at=now - 5, shadow_of="r0")]  # a shadow call
    )
    feedback = FeedbackRepository(engine)
    feedback.store(
        [
            {"request_id": "r0", "kind": "reward", "value": 1.0, "at": time.time()},
            {"request_id": "r1", "kind": "reward", "value": 3.0, "at": time.time()},
            {"request_id": "r2", "kind": "label", "label": 1, "at": time.time()},
            {"request_id": "r30", "kind": "reward", "value": 9.0, "at": time.time()},
        ]
    )
    window = version_window(engine, "e", "m", 2, now - 60, now + 1)
    assert window.requests == 8
    assert window.errors == 1
    assert sorted(window.latencies_s)[:3] == pytest.approx([0.004, 0.004, 0.01])
    assert window.feedback["reward"] == (2, 4.0, 10.0)
    assert window.feedback["label_correct"] == (1, 1.0, 1.0)


def test_shadow_calls_are_compared_not_counted_as_traffic(engine: sa.Engine) -> None:
    repo = TelemetryRepository(engine)
    primary = [record(i, version=1, latency=0.010) for i in range(4)]
    shadows = [
        record(
            100 + i,
            version=3,
            reason="shadow",
            latency=0.020,
            shadow_of=f"r{i}",
            agreement=float(i != 0),
            server_error=False,
        )
        for i in range(4)
    ]
    repo.store_records(primary + shadows)
    assert endpoint_stats(repo, "e", 3600)["requests"] == 4
    report = shadow_report("e", 3600, shadow_rows(engine, "e", time.time() - 3600))
    (shadow,) = report["shadows"]
    assert shadow["version"] == "m@3" and shadow["shadowing"] == ["m@1"]
    assert shadow["calls"] == 4 and shadow["paired"] == 4
    assert shadow["agreement_rate"] == 0.75
    assert shadow["latency_p50_delta_ms"] == pytest.approx(10.0)
    assert shadow["error_rate_delta"] == 0.0


def test_one_leader_at_a_time(engine: sa.Engine, tmp_path: Path) -> None:
    first = Leadership(engine, tmp_path / "leader.lock")
    second = Leadership(engine, tmp_path / "leader.lock")
    try:
        assert first.acquire()
        assert first.acquire()  # still the leader
        assert not second.acquire()
        first.release()
        assert second.acquire()
        assert not first.acquire()
    finally:
        first.release()
        second.release()


def test_reason_windows_sum_each_metric_per_unit(engine: sa.Engine) -> None:
    now = time.time()
    TelemetryRepository(engine).store_records(
        # unit a: three requests of variant x; unit b: one; a request with no unit counts as its own
        [record(i, reason="variant:x", unit_id="a", at=now - 5, latency=0.01) for i in range(3)]
        + [record(3, reason="variant:x", unit_id="b", at=now - 5, latency=0.02)]
        + [record(4, reason="variant:x", unit_id=None, at=now - 5)]
        + [record(5, reason="variant:y", unit_id="a", at=now - 5)]
        + [record(6, reason="variant:x", unit_id="a", at=now - 5, shadow_of="r0")]
    )
    at = time.time()
    FeedbackRepository(engine).store(
        [
            {"request_id": "r0", "kind": "task_completed", "value": 1.0, "at": at},
            {"request_id": "r1", "kind": "task_completed", "value": 0.0, "at": at},
            {"request_id": "r0", "kind": "cost", "value": 2.0, "at": at},
            {"request_id": "r2", "kind": "cost", "value": 4.0, "at": at},
            {"request_id": "r3", "kind": "cost", "value": 1.5, "at": at},  # b: cost, no success
        ]
    )
    ratios = [("task_completed", None), ("cost", "task_completed"), ("latency_ms", None)]
    windows = reason_windows(engine, "e", now - 60, now + 1, ratios)
    x = windows["variant:x"]
    assert (x.requests, x.units) == (5, 3)
    # unit a: x = 1 success of y = 2 observations
    assert x.metrics[("task_completed", None)] == (1, 1.0, 2.0, 1.0, 4.0, 2.0)
    # unit a: cost 6 for 1 success; unit b: cost 1.5 for none
    assert x.metrics[("cost", "task_completed")] == pytest.approx((2, 7.5, 1.0, 38.25, 1.0, 6.0))
    n, latency, requests, *_ = x.metrics[("latency_ms", None)]
    assert (n, requests) == (3, 5.0)
    assert latency == pytest.approx(30.0 + 20.0 + 4.0)
    assert windows["variant:y"].metrics[("task_completed", None)][0] == 0
