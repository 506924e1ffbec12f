"""The experiment policy: sticky, weighted assignment while running; control in draft; the
winner once stopped."""

from __future__ import annotations

import random
from collections import Counter
from typing import Any

import pytest
from pydantic import ValidationError

from pasarela.routing import build_policy, policy_options
from pasarela.types import RequestContext, VersionId

VERSIONS = {"m@1": VersionId("m", 1), "m@2": VersionId("m", 2), "m@3": VersionId("m", 3)}


def options(**extra: Any) -> dict[str, Any]:
    return {
        "experiment": "exp-1",
        "variants": [
            {"name": "control", "target": "m@1", "weight": 50},
            {"name": "treatment", "target": "m@2", "weight": 50},
        ],
        "primary_metric": {"kind": "task_completed", "stat": "rate"},
        **extra,
    }


def decide(state: dict[str, Any], unit: str | None, rng: random.Random, **extra: Any) -> str:
    policy = build_policy("experiment", options(**extra), VERSIONS, state)
    return policy.decide(RequestContext("r", "e", unit_id=unit), rng).reason


def test_a_draft_serves_the_control_only() -> None:
    rng = random.Random(1)
    assert {decide({"phase": "draft"}, f"u{i}", rng) for i in range(200)} == {"variant:control"}


def test_a_stopped_experiment_serves_its_winner_or_the_control() -> None:
    rng = random.Random(1)
    stopped = {"phase": "stopped", "winner": "treatment"}
    assert {decide(stopped, f"u{i}", rng) for i in range(100)} == {"variant:treatment"}
    no_winner = {"phase": "stopped", "winner": None}
    assert {decide(no_winner, f"u{i}", rng) for i in range(100)} == {"variant:control"}


def test_a_unit_always_gets_the_same_variant_across_policy_instances() -> None:
    first = {f"u{i}": decide({"phase": "running"}, f"u{i}", random.Random(1)) for i in range(500)}
    again = {f"u{i}": decide({"phase": "running"}, f"u{i}", random.Random(9)) for i in range(500)}
    assert first == again
    assert set(first.values()) == {"variant:control", "variant:treatment"}


@pytest.mark.parametrize("weights", [(50, 50), (90, 10), (20, 30, 50)])
def test_split_within_one_point_over_100k_units(weights: tuple[int, ...]) -> None:
    variants = [
        {"name": f"v{i}", "target": f"m@{i + 1}", "weight": w} for i, w in enumerate(weights)
    ]
    policy = build_policy("experiment", options(variants=variants), VERSIONS, {"phase": "running"})
    rng = random.Random(3)
    counts = Counter(
        policy.decide(RequestContext("r", "e", unit_id=f"unit-{i}"), rng).reason
        for i in range(100_000)
    )
    for i, weight in enumerate(weights):
        assert abs(counts[f"variant:v{i}"] / 1000 - weight) <= 1.0


def test_requests_without_a_unit_are_drawn_with_the_rng() -> None:
    policy = build_policy("experiment", options(), VERSIONS, {"phase": "running"})
    rng = random.Random(5)
    counts = Counter(policy.decide(RequestContext("r", "e"), rng).reason for _ in range(20_000))
    assert abs(counts["variant:treatment"] / 20_000 - 0.5) < 0.02


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"variants": [{"name": "a", "target": "m@1", "weight": 100}]}, "at least 2"),
        (
            {
                "variants": [
                    {"name": "a", "target": "m@1", "weight": 60},
                    {"name": "b", "target": "m@2", "weight": 30},
                ]
            },
            "add up to 100",
        ),
        (
            {
                "variants": [
                    {"name": "a", "target": "m@1", "weight": 50},
                    {"name": "a", "target": "m@2", "weight": 50},
                ]
            },
            "unique",
        ),
        (
            {
                "variants": [
                    {"name": "a", "target": "m@1", "weight": 50},
                    {"name": "b", "target": "m@1", "weight": 50},
                ]
            },
            "target of its own",
        ),
        ({"alpha": 0.7}, "alpha"),
    ],
)
def test_bad_designs_are_refused(change: dict[str, Any], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        policy_options("experiment", options(**change))
