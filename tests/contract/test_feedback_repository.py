"""Feedback storage and folding, on every database backend."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest

from pasarela.storage.db import create_engine, upgrade
from pasarela.storage.feedback import FeedbackRepository
from pasarela.storage.telemetry import TelemetryRepository
from pasarela.telemetry.aggregates import endpoint_stats
from tests.contract.test_telemetry_repository import record


@pytest.fixture
def repos(database_url: str) -> Iterator[tuple[TelemetryRepository, FeedbackRepository]]:
    engine = create_engine(database_url)
    upgrade(engine)
    yield TelemetryRepository(engine), FeedbackRepository(engine)
    engine.dispose()


def item(request_id: str, kind: str, **fields: Any) -> dict[str, Any]:
    return {"request_id": request_id, "kind": kind, "at": time.time(), **fields}


def test_feedback_is_idempotent_per_request_and_kind(
    repos: tuple[TelemetryRepository, FeedbackRepository],
) -> None:
    _, feedback = repos
    assert feedback.store([item("r1", "reward", value=1.0), item("r1", "rating", value=5.0)]) == 2
    assert feedback.store([item("r1", "reward", value=0.0)]) == 0


def test_feedback_waits_for_its_record_and_is_folded_once(
    repos: tuple[TelemetryRepository, FeedbackRepository],
) -> None:
    records, feedback = repos
    feedback.store([item("r1", "reward", value=0.5), item("r2", "reward", value=1.0)])
    records.store_records([record(1)])  # r1's record; r2's has not arrived
    assert feedback.aggregate_pending() == 1
    assert feedback.aggregate_pending() == 0
    records.store_records([record(2)])
    assert feedback.aggregate_pending() == 1
    stats = endpoint_stats(records, "e", 3600, feedback=feedback)
    reward = stats["versions"][0]["feedback"]["reward"]
    assert reward["count"] == 2
    assert reward["mean"] == pytest.approx(0.75)


def test_classifier_labels_give_accuracy_precision_recall(
    repos: tuple[TelemetryRepository, FeedbackRepository],
) -> None:
    records, feedback = repos
    # predictions: r0..r3 say 1, r4..r5 say 0; truth: r0, r1, r2, r4 are 1
    predicted = [1, 1, 1, 1, 0, 0]
    actual = [1, 1, 1, 0, 1, 0]
    records.store_records(
        [record(i, outputs=[{"label": p, "probabilities": {}}]) for i, p in enumerate(predicted)]
    )
    feedback.store([item(f"r{i}", "label", label=a) for i, a in enumerate(actual)])
    feedback.aggregate_pending()
    metrics = endpoint_stats(records, "e", 3600, feedback=feedback)["versions"][0]["performance"][
        "classification"
    ]
    assert metrics["labels"] == 6
    assert metrics["accuracy"] == pytest.approx(4 / 6)
    ones = metrics["per_class"]["1"]
    assert ones["precision"] == pytest.approx(3 / 4)
    assert ones["recall"] == pytest.approx(3 / 4)
    zeros = metrics["per_class"]["0"]
    assert (zeros["precision"], zeros["recall"]) == (pytest.approx(1 / 2), pytest.approx(1 / 2))


def test_regression_labels_give_mae_and_rmse(
    repos: tuple[TelemetryRepository, FeedbackRepository],
) -> None:
    records, feedback = repos
    records.store_records([record(i, outputs=[10.0 + i]) for i in range(2)])
    feedback.store([item("r0", "label", label=12.0), item("r1", "label", label=11.0)])
    feedback.aggregate_pending()
    regression = endpoint_stats(records, "e", 3600, feedback=feedback)["versions"][0][
        "performance"
    ]["regression"]
    assert regression["mae"] == pytest.approx(1.0)  # errors -2 and 0
    assert regression["rmse"] == pytest.approx(2**0.5)


def test_a_models_long_or_nul_label_does_not_stop_the_folding(
    repos: tuple[TelemetryRepository, FeedbackRepository],
) -> None:
    """The confusion columns hold 200 characters (PostgreSQL refuses more, and any NUL): a
    model's label is cut to fit, so the batch it is in still folds."""
    records, feedback = repos
    long, nul = "c" * 300, "cat\x00dog"
    records.store_records(
        [record(i, outputs=[{"label": p}]) for i, p in enumerate([long, nul, "ok"])]
    )
    feedback.store([item(f"r{i}", "label", label=a) for i, a in enumerate([long[:200], "x", "ok"])])
    assert feedback.aggregate_pending() == 3
    metrics = endpoint_stats(records, "e", 3600, feedback=feedback)["versions"][0]["performance"][
        "classification"
    ]
    assert metrics["labels"] == 3
    # the counts know a class by its first 200 characters: the long one matches its cut label
    assert metrics["accuracy"] == pytest.approx(2 / 3)
    assert {"c" * 200, "catdog", "ok"} <= set(metrics["per_class"])


def test_the_endpoint_of_stored_records_for_the_scope_check(
    repos: tuple[TelemetryRepository, FeedbackRepository],
) -> None:
    records, feedback = repos
    records.store_records([record(1), record(2, endpoint="f")])
    ids = [f"r{i}" for i in range(1000)]  # a full feedback batch in one query
    assert feedback.endpoints_of(ids) == {"r1": "e", "r2": "f"}
    assert feedback.endpoints_of([]) == {}
