"""Every policy kind, built as the data plane builds it: ``build_policy(kind, options, versions,
state)``."""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Mapping
from typing import Any

import pytest
from pydantic import ValidationError

from pasarela.errors import ConfigurationError
from pasarela.routing import build_policy, policies, policy_options
from pasarela.routing.canary import CanaryOptions
from pasarela.types import JSON, Decision, Policy, RequestContext, VersionId

V1 = VersionId("churn", 1)
V2 = VersionId("churn", 2)
V3 = VersionId("churn", 3)
VERSIONS = {"churn@1": V1, "churn@2": V2, "churn@3": V3, "churn@champion": V1}

CANARY = {"baseline": "churn@1", "candidate": "churn@2"}


def request(unit_id: str | None = None, **attributes: JSON) -> RequestContext:
    return RequestContext("r1", "churn", unit_id=unit_id, attributes=attributes)


def canary(state: Mapping[str, JSON] | None = None, **options: Any) -> Policy:
    return build_policy("canary", {**CANARY, **options}, VERSIONS, state)


def on_candidate(policy: Policy, units: list[str]) -> set[str]:
    rng = random.Random(0)
    return {u for u in units if policy.decide(request(u), rng).version == V2}


UNITS = [f"user-{i}" for i in range(5000)]

# One minimal manifest per built-in kind, so the suite covers every kind the registry knows.
MINIMAL: dict[str, dict[str, JSON]] = {
    "single": {"target": "churn@1"},
    "blue_green": {"active": "churn@1", "standby": "churn@2"},
    "canary": CANARY,
    "flags": {"default": "churn@1", "rules": [{"name": "all", "serve": "churn@2"}]},
    "experiment": {
        "experiment": "e1",
        "variants": [
            {"name": "control", "target": "churn@1", "weight": 50},
            {"name": "treatment", "target": "churn@2", "weight": 50},
        ],
        "primary_metric": {"kind": "reward"},
    },
    "bandit": {
        "arms": [{"name": "a", "target": "churn@1"}, {"name": "b", "target": "churn@2"}],
    },
}


def test_every_registered_kind_has_a_minimal_manifest_here() -> None:
    assert set(MINIMAL) == set(policies.names())


@pytest.mark.parametrize("kind", sorted(MINIMAL))
def test_every_kind_decides_among_its_targets(kind: str) -> None:
    targets = policy_options(kind, MINIMAL[kind]).targets()
    policy = build_policy(kind, MINIMAL[kind], VERSIONS)
    rng = random.Random(0)
    allowed = {VERSIONS[t] for t in targets}
    for i in range(200):
        decision = policy.decide(request(f"u{i}" if i % 2 else None), rng)
        assert isinstance(decision, Decision)
        assert decision.version in allowed
        assert decision.reason


@pytest.mark.parametrize("kind", sorted(MINIMAL))
def test_every_kind_rejects_unknown_fields(kind: str) -> None:
    with pytest.raises(ValidationError) as info:
        policy_options(kind, {**MINIMAL[kind], "tpyo": 1})
    assert [e["loc"] for e in info.value.errors()] == [("tpyo",)]


def test_unknown_kind_is_a_configuration_error() -> None:
    with pytest.raises(ConfigurationError, match="unknown policies kind 'sticky'"):
        build_policy("sticky", {}, VERSIONS)


# --- single ---------------------------------------------------------------------------------


def test_single_always_serves_its_target() -> None:
    policy = build_policy("single", {"target": "churn@champion"}, VERSIONS)
    rng = random.Random(0)
    for i in range(100):
        assert policy.decide(request(f"u{i}", plan="pro"), rng) == Decision(V1, "single")
    assert policy.decide(request(), rng) == Decision(V1, "single")
    assert policy_options("single", {"target": "churn@3"}).targets() == ("churn@3",)


@pytest.mark.parametrize(
    ("options", "loc"),
    [({}, ("target",)), ({"target": "bad ref"}, ("target",)), ({"target": "m@1@2"}, ("target",))],
)
def test_single_options_validation(options: dict[str, JSON], loc: tuple[str, ...]) -> None:
    with pytest.raises(ValidationError) as info:
        policy_options("single", options)
    assert [e["loc"] for e in info.value.errors()] == [loc]


# --- blue_green -----------------------------------------------------------------------------


def test_blue_green_serves_the_active_version_only() -> None:
    policy = build_policy("blue_green", {"active": "churn@2", "standby": "churn@1"}, VERSIONS)
    rng = random.Random(0)
    for i in range(100):
        assert policy.decide(request(f"u{i}"), rng) == Decision(V2, "active")
    assert policy.decide(request(), rng) == Decision(V2, "active")


def test_blue_green_targets_are_active_then_standby() -> None:
    options = policy_options("blue_green", {"active": "churn@2", "standby": "churn@1"})
    assert options.targets() == ("churn@2", "churn@1")


def test_blue_green_options_validation() -> None:
    with pytest.raises(ValidationError, match="active and standby must be different"):
        policy_options("blue_green", {"active": "churn@1", "standby": "churn@1"})
    with pytest.raises(ValidationError) as info:
        policy_options(
            "blue_green", {"active": "churn@1", "standby": "churn@2", "smoke": {"inputs": []}}
        )
    assert [e["loc"] for e in info.value.errors()] == [("smoke", "inputs")]


# --- canary ---------------------------------------------------------------------------------


def test_canary_reasons_name_the_side() -> None:
    policy = canary({"phase": "progressing", "weight": 50})
    rng = random.Random(0)
    decisions = {policy.decide(request(u), rng) for u in UNITS[:200]}
    assert decisions == {Decision(V2, "candidate"), Decision(V1, "baseline")}


def test_canary_without_state_starts_at_the_first_step() -> None:
    assert on_candidate(canary(), UNITS) == on_candidate(canary({"weight": 5}), UNITS)
    assert on_candidate(canary(steps=[10, 100]), UNITS) == on_candidate(
        canary({"weight": 10}), UNITS
    )


@pytest.mark.parametrize("weight", [0, 5, 50, 100])
def test_promoted_canary_always_serves_the_candidate(weight: float) -> None:
    policy = canary({"phase": "promoted", "weight": weight})
    rng = random.Random(0)
    for u in UNITS:
        assert policy.decide(request(u), rng) == Decision(V2, "candidate")
    for _ in range(5000):
        assert policy.decide(request(), rng) == Decision(V2, "candidate")


@pytest.mark.parametrize("weight", [0, 5, 50, 100])
def test_rolled_back_canary_always_serves_the_baseline(weight: float) -> None:
    policy = canary({"phase": "rolled_back", "weight": weight})
    rng = random.Random(0)
    for u in UNITS:
        assert policy.decide(request(u), rng) == Decision(V1, "baseline")
    for _ in range(5000):
        assert policy.decide(request(), rng) == Decision(V1, "baseline")


@pytest.mark.parametrize("weight", [5, 20, 50])
def test_paused_canary_keeps_its_weight(weight: float) -> None:
    paused = canary({"phase": "paused", "weight": weight})
    progressing = canary({"phase": "progressing", "weight": weight})
    assert on_candidate(paused, UNITS) == on_candidate(progressing, UNITS)
    share = len(on_candidate(paused, UNITS)) / len(UNITS)
    assert abs(share - weight / 100) < 0.02


def test_canary_unit_stays_on_the_candidate_as_the_weight_grows() -> None:
    at_5, at_20, at_50 = (on_candidate(canary({"weight": w}), UNITS) for w in (5, 20, 50))
    assert at_5
    assert at_5 <= at_20 <= at_50
    assert len(at_5) < len(at_20) < len(at_50)


def test_canary_unit_is_sticky_across_instances_and_rngs() -> None:
    first = {u: canary({"weight": 20}).decide(request(u), random.Random(1)) for u in UNITS}
    rng = random.Random(99)
    again = canary({"weight": 20})
    assert all(again.decide(request(u), rng) == first[u] for u in UNITS)


def test_canary_without_unit_uses_the_injected_rng() -> None:
    policy = canary({"weight": 20})

    def run(seed: int) -> list[VersionId]:
        rng = random.Random(seed)
        return [policy.decide(request(), rng).version for _ in range(500)]

    assert run(3) == run(3)
    assert run(3) != run(4)
    rng = random.Random(3)
    assert run(3) == [V2 if rng.random() < 0.20 else V1 for _ in range(500)]


def test_canary_options_defaults_and_derived_values() -> None:
    options = CanaryOptions.model_validate({**CANARY, "interval": "5m"})
    assert options.steps == [5.0, 20.0, 50.0, 100.0]
    assert options.targets() == ("churn@1", "churn@2")
    assert options.interval_s == 300
    assert options.judged_steps == 3
    assert CanaryOptions.model_validate({**CANARY, "interval": "2h"}).interval_s == 7200
    assert CanaryOptions.model_validate({**CANARY, "interval": "30s"}).interval_s == 30


@pytest.mark.parametrize(
    ("extra", "loc", "message"),
    [
        ({"steps": [20, 5, 100]}, ("steps",), "steps must increase"),
        ({"steps": [5, 5, 100]}, ("steps",), "steps must increase"),
        ({"steps": [5, 20, 50]}, ("steps",), "the last step must be 100"),
        ({"steps": [0, 100]}, ("steps",), "percentage in (0, 100]"),
        ({"steps": [50, 150]}, ("steps",), "percentage in (0, 100]"),
        ({"steps": []}, ("steps",), "should have at least"),
        ({"interval": "5"}, ("interval",), "is not a duration"),
        ({"interval": "0s"}, ("interval",), "is not a duration"),
        ({"interval": "5d"}, ("interval",), "is not a duration"),
        ({"interval": "-1m"}, ("interval",), "is not a duration"),
        ({"progress_deadline": "soon"}, ("progress_deadline",), "is not a duration"),
        ({"alpha": 0.5}, ("alpha",), "less than 0.5"),
        ({"min_requests": 0}, ("min_requests",), "greater than or equal to 1"),
        ({"candidate": "churn@1"}, (), "baseline and candidate must be different"),
        ({"gates": {"max_error_rate": 2}}, ("gates", "max_error_rate"), "less than or equal"),
        ({"gates": {"tail_quantile": 1}}, ("gates", "tail_quantile"), "less than 1"),
        ({"gates": {"tail_quantile": 0.3}}, ("gates", "tail_quantile"), "greater than or equal"),
        (
            {"gates": {"tail_latency_tolerance": -0.1}},
            ("gates", "tail_latency_tolerance"),
            "greater than or equal to 0",
        ),
    ],
)
def test_canary_options_validation(
    extra: dict[str, Any], loc: tuple[str, ...], message: str
) -> None:
    with pytest.raises(ValidationError) as info:
        CanaryOptions.model_validate({**CANARY, **extra})
    (error,) = info.value.errors()
    assert error["loc"] == loc
    assert message in error["msg"]


# --- acceptance: weighted splits land within one percentage point ------------------------------

N = 100_000

FLAGS_20_80 = {
    "default": "churn@1",
    "rules": [
        {
            "name": "rollout",
            "split": [{"target": "churn@2", "weight": 20}, {"target": "churn@1", "weight": 80}],
        }
    ],
}
FLAGS_3_WAY = {
    "default": "churn@1",
    "salt": "three-way",
    "rules": [
        {
            "name": "experiment",
            "split": [
                {"target": "churn@1", "weight": 50},
                {"target": "churn@2", "weight": 30},
                {"target": "churn@3", "weight": 20},
            ],
        }
    ],
}
SPLITS: dict[str, tuple[str, dict[str, JSON], dict[str, JSON], dict[VersionId, float]]] = {
    "canary-5": ("canary", CANARY, {"weight": 5}, {V2: 5, V1: 95}),
    "canary-20": ("canary", CANARY, {"weight": 20}, {V2: 20, V1: 80}),
    "canary-50": ("canary", CANARY, {"weight": 50}, {V2: 50, V1: 50}),
    "flags-20-80": ("flags", FLAGS_20_80, {}, {V2: 20, V1: 80}),
    "flags-50-30-20": ("flags", FLAGS_3_WAY, {}, {V1: 50, V2: 30, V3: 20}),
}


@pytest.mark.parametrize("path", ["hashed-unit-ids", "seeded-rng"])
@pytest.mark.parametrize("split", sorted(SPLITS))
def test_split_within_one_point_over_100k_requests(split: str, path: str) -> None:
    kind, options, state, expected = SPLITS[split]
    policy = build_policy(kind, options, VERSIONS, state)
    rng = random.Random(20260101)
    if path == "hashed-unit-ids":
        counts = Counter(policy.decide(request(f"unit-{i}"), rng).version for i in range(N))
    else:
        counts = Counter(policy.decide(request(), rng).version for _ in range(N))
    assert set(counts) == set(expected)
    for version, percent in expected.items():
        assert abs(100 * counts[version] / N - percent) <= 1.0, (version, counts)
