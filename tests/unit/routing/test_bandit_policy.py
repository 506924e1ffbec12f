"""The bandit policy draws arms by the allocation in its state."""

from __future__ import annotations

import random
from collections import Counter

import pytest
from pydantic import ValidationError

from pasarela.routing import build_policy, policy_options
from pasarela.types import RequestContext, VersionId

VERSIONS = {f"m@{i}": VersionId("m", i) for i in (1, 2, 3)}
OPTIONS = {
    "arms": [
        {"name": "a", "target": "m@1"},
        {"name": "b", "target": "m@2"},
        {"name": "c", "target": "m@3"},
    ]
}


def shares(state: dict[str, object], n: int = 100_000) -> dict[str, float]:
    policy = build_policy("bandit", OPTIONS, VERSIONS, state)
    rng = random.Random(11)
    counts = Counter(policy.decide(RequestContext("r", "e"), rng).reason for _ in range(n))
    return {k.removeprefix("arm:"): v / n for k, v in counts.items()}


def test_traffic_follows_the_allocation_within_one_point() -> None:
    found = shares({"allocation": {"a": 0.1, "b": 0.2, "c": 0.7}})
    assert found == pytest.approx({"a": 0.1, "b": 0.2, "c": 0.7}, abs=0.01)


def test_without_an_allocation_arms_share_equally() -> None:
    assert shares({}) == pytest.approx({"a": 1 / 3, "b": 1 / 3, "c": 1 / 3}, abs=0.01)
    broken = {"allocation": {"a": 0.0, "b": 0.0, "c": 0.0}}
    assert shares(broken) == pytest.approx({"a": 1 / 3, "b": 1 / 3, "c": 1 / 3}, abs=0.01)


def test_arms_must_be_distinct_and_the_interval_a_duration() -> None:
    with pytest.raises(ValidationError, match="unique"):
        policy_options("bandit", {"arms": [{"name": "a", "target": "m@1"}] * 2})
    with pytest.raises(ValidationError, match="duration"):
        policy_options("bandit", {**OPTIONS, "update_every": "soon"})
