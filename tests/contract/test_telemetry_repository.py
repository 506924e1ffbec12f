"""Records and aggregates, on every database backend."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest

from pasarela.storage.db import create_engine, upgrade
from pasarela.storage.telemetry import TelemetryRepository
from pasarela.telemetry.aggregates import endpoint_stats


@pytest.fixture
def repo(database_url: str) -> Iterator[TelemetryRepository]:
    engine = create_engine(database_url)
    upgrade(engine)
    yield TelemetryRepository(engine)
    engine.dispose()


def record(i: int, *, version: int = 1, latency: float = 0.004, **extra: Any) -> dict[str, Any]:
    return {
        "request_id": f"r{i}",
        "at": time.time(),
        "endpoint": "e",
        "model": "m",
        "version": version,
        "reason": "single",
        "status": "ok",
        "server_error": False,
        "latency_s": latency,
        "queue_s": 0.001,
        "model_s": 0.002,
        "batch_size": 4,
        "unit_id": "u1",
        "subject_id": None,
        "inputs": [[1.0, 2.0]],
        "outputs": [{"label": 1}],
    } | extra


def test_records_are_stored_once_and_counted_once(repo: TelemetryRepository) -> None:
    batch = [record(i) for i in range(10)]
    assert repo.store_records(batch) == 10
    assert repo.store_records([*batch[5:], record(10)]) == 1  # a replay plus one new
    assert repo.count_records("e") == 11
    stats = endpoint_stats(repo, "e", 3600)
    assert stats["requests"] == 11
    stored = repo.get_record("r3")
    assert stored is not None
    assert stored["inputs"] == [[1.0, 2.0]] and stored["outputs"] == [{"label": 1}]
    assert stored["unit_id"] == "u1"


def test_stats_split_versions_and_count_only_server_errors(repo: TelemetryRepository) -> None:
    repo.store_records(
        [record(i, version=1, latency=0.002) for i in range(30)]
        + [record(100 + i, version=2, latency=0.2) for i in range(10)]
        + [record(200, version=2, status="model_error", server_error=True)]
        + [record(201, version=2, status="invalid_input", server_error=False)]
    )
    stats = endpoint_stats(repo, "e", 900)
    assert stats["requests"] == 42
    assert stats["errors"] == 1
    v1, v2 = stats["versions"]
    assert (v1["version"], v1["requests"], v1["errors"]) == (1, 30, 0)
    assert (v2["version"], v2["requests"], v2["errors"]) == (2, 12, 1)
    assert v1["share"] == pytest.approx(30 / 42)
    assert 0.001 < v1["latency_s"]["p50"] <= 0.0025
    assert 0.1 < v2["latency_s"]["p50"] <= 0.25
    assert v1["latency_s"]["mean"] == pytest.approx(0.002)
    assert sum(point["requests"] for point in stats["series"]) == 42


def test_old_minutes_fall_out_of_the_window(repo: TelemetryRepository) -> None:
    now = time.time()
    repo.store_records([record(1, at=now - 7200), record(2, at=now)])
    assert endpoint_stats(repo, "e", 3600, now=now)["requests"] == 1
    assert endpoint_stats(repo, "e", 3 * 3600, now=now)["requests"] == 2
    assert endpoint_stats(repo, "other", 3600, now=now)["versions"] == []


def test_long_windows_read_the_hourly_rollup_exactly(repo: TelemetryRepository) -> None:
    now = 1_700_000_000.0 + 1234  # a fixed clock, mid-hour
    ages_min = [5, 50, 70, 130, 170, 190, 300]
    repo.store_records([record(i, at=now - m * 60) for i, m in enumerate(ages_min)])
    for window_min in (60, 120, 180, 240, 24 * 60):
        expected = sum(1 for m in ages_min if m < window_min)
        stats = endpoint_stats(repo, "e", window_min * 60, now=now)
        assert stats["requests"] == expected, window_min
    day = endpoint_stats(repo, "e", 86400, now=now)
    assert day["series_bucket_s"] == 3600
    assert sum(p["requests"] for p in day["series"]) == len(ages_min)
