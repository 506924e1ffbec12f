from __future__ import annotations

import random
from typing import Any

import pytest
import yaml
from pydantic import ValidationError

from pasarela.routing import build_policy, policy_options
from pasarela.routing.flags import FlagsOptions, FlagsPolicy
from pasarela.routing.hashing import bucket
from pasarela.types import JSON, Decision, Policy, RequestContext, VersionId

CHAMPION = VersionId("churn", 3)
V4 = VersionId("churn", 4)
V5 = VersionId("churn", 5)
VERSIONS = {"churn@champion": CHAMPION, "churn@4": V4, "churn@5": V5}

# The manifest section from the design, as an operator writes it.
MANIFEST = yaml.safe_load(
    r"""
type: flags
default: churn@champion
salt: churn-flags-2026
segments:
  beta_testers:
    - {attribute: plan, op: in, value: [pro, team]}
    - {attribute: app_version, op: semver_gte, value: "2.3.0"}
rules:
  - name: staff
    when: [{attribute: email, op: regex, value: '@example\.com$'}]
    serve: churn@4
  - name: beta
    segment: beta_testers
    split:
      - {target: churn@4, weight: 20}
      - {target: churn@champion, weight: 80}
"""
)


def flags(options: dict[str, Any] | None = None) -> Policy:
    return build_policy("flags", options or MANIFEST, VERSIONS)


def request(unit_id: str | None = None, **attributes: JSON) -> RequestContext:
    return RequestContext("r1", "churn", unit_id=unit_id, attributes=attributes)


def decide(policy: Policy, unit_id: str | None = None, **attributes: JSON) -> Decision:
    return policy.decide(request(unit_id, **attributes), random.Random(0))


def test_manifest_validates_and_builds_a_flags_policy() -> None:
    options = policy_options("flags", MANIFEST)
    assert isinstance(options, FlagsOptions)
    assert isinstance(flags(), FlagsPolicy)
    assert options.split_salt == "churn-flags-2026"


def test_no_rule_matches_serves_the_default() -> None:
    policy = flags()
    assert decide(policy) == Decision(CHAMPION, "DEFAULT")
    assert decide(policy, "u1", plan="free", app_version="3.0.0") == Decision(CHAMPION, "DEFAULT")
    assert decide(policy, "u1", email="ana@other.org") == Decision(CHAMPION, "DEFAULT")


def test_serve_rule_is_a_targeting_match() -> None:
    assert decide(flags(), "u1", email="ana@example.com") == Decision(V4, "TARGETING_MATCH")


def test_first_matching_rule_wins() -> None:
    beta_staff = {"email": "ana@example.com", "plan": "pro", "app_version": "2.4.0"}
    assert decide(flags(), "u1", **beta_staff).reason == "TARGETING_MATCH"
    reordered = {**MANIFEST, "rules": list(reversed(MANIFEST["rules"]))}
    assert decide(flags(reordered), "u1", **beta_staff).reason == "SPLIT"


def test_later_rule_applies_when_earlier_ones_do_not_match() -> None:
    options = {
        "default": "churn@champion",
        "rules": [
            {
                "name": "eu",
                "when": [{"attribute": "region", "op": "eq", "value": "eu"}],
                "serve": "churn@4",
            },
            {
                "name": "us",
                "when": [{"attribute": "region", "op": "eq", "value": "us"}],
                "serve": "churn@5",
            },
        ],
    }
    policy = flags(options)
    assert decide(policy, region="eu").version == V4
    assert decide(policy, region="us").version == V5
    assert decide(policy, region="apac").version == CHAMPION


def test_segment_needs_every_condition() -> None:
    policy = flags()
    assert decide(policy, "u1", plan="pro", app_version="2.3.0").reason == "SPLIT"
    assert decide(policy, "u1", plan="team", app_version="v3.1.0").reason == "SPLIT"
    assert decide(policy, "u1", plan="pro", app_version="2.3.0-rc.1").reason == "DEFAULT"
    assert decide(policy, "u1", plan="free", app_version="2.3.0").reason == "DEFAULT"
    assert decide(policy, "u1", plan="pro").reason == "DEFAULT"


def test_segment_and_when_must_both_hold() -> None:
    options = {
        **MANIFEST,
        "rules": [
            {
                "name": "beta-eu",
                "segment": "beta_testers",
                "when": [{"attribute": "region", "op": "eq", "value": "eu"}],
                "serve": "churn@5",
            }
        ],
    }
    policy = flags(options)
    beta = {"plan": "pro", "app_version": "2.3.0"}
    assert decide(policy, **beta, region="eu") == Decision(V5, "TARGETING_MATCH")
    assert decide(policy, **beta, region="us") == Decision(CHAMPION, "DEFAULT")
    assert decide(policy, plan="free", app_version="2.3.0", region="eu").reason == "DEFAULT"


def test_rule_without_conditions_matches_everyone() -> None:
    options = {"default": "churn@champion", "rules": [{"name": "all", "serve": "churn@5"}]}
    assert decide(flags(options)) == Decision(V5, "TARGETING_MATCH")


def test_split_is_sticky_per_unit_across_requests_and_policy_instances() -> None:
    beta = {"plan": "pro", "app_version": "2.3.0"}
    first = flags()
    units = [f"user-{i}" for i in range(2000)]
    seen = {u: first.decide(request(u, **beta), random.Random(1)).version for u in units}
    for seed in range(3):
        again = flags()  # a new snapshot, as after a restart or on another replica
        rng = random.Random(seed)
        for u in units:
            decision = again.decide(request(u, **beta), rng)
            assert decision == Decision(seen[u], "SPLIT")
    assert set(seen.values()) == {V4, CHAMPION}


def test_split_hashes_unit_with_salt_and_rule_name() -> None:
    beta = {"plan": "pro", "app_version": "2.3.0"}
    policy = flags()
    for i in range(500):
        unit = f"user-{i}"
        expected = V4 if bucket(unit, "churn-flags-2026:beta") < 0.20 else CHAMPION
        assert decide(policy, unit, **beta).version == expected


def test_default_salt_derives_from_the_default_reference() -> None:
    options = {k: v for k, v in MANIFEST.items() if k != "salt"}
    assert FlagsOptions.model_validate(options).split_salt == "flags:churn@champion"
    policy = flags(options)
    beta = {"plan": "pro", "app_version": "2.3.0"}
    for i in range(500):
        unit = f"user-{i}"
        expected = V4 if bucket(unit, "flags:churn@champion:beta") < 0.20 else CHAMPION
        assert decide(policy, unit, **beta).version == expected


def test_changing_the_salt_reshuffles_units() -> None:
    beta = {"plan": "pro", "app_version": "2.3.0"}
    units = [f"user-{i}" for i in range(1000)]
    a, b = flags(), flags({**MANIFEST, "salt": "another"})
    on_a = {u for u in units if decide(a, u, **beta).version == V4}
    on_b = {u for u in units if decide(b, u, **beta).version == V4}
    assert on_a != on_b


def test_split_without_unit_draws_from_the_injected_rng() -> None:
    beta = {"plan": "pro", "app_version": "2.3.0"}
    policy = flags()

    def run(seed: int) -> list[VersionId]:
        rng = random.Random(seed)
        return [policy.decide(request(None, **beta), rng).version for _ in range(200)]

    assert run(7) == run(7)
    assert set(run(7)) == {V4, CHAMPION}
    rng = random.Random(7)
    expected = [V4 if rng.random() < 0.20 else CHAMPION for _ in range(200)]
    assert run(7) == expected


def test_three_way_split_buckets_by_cumulative_weight() -> None:
    options = {
        "default": "churn@champion",
        "salt": "s",
        "rules": [
            {
                "name": "r",
                "split": [
                    {"target": "churn@4", "weight": 50},
                    {"target": "churn@5", "weight": 30},
                    {"target": "churn@champion", "weight": 20},
                ],
            }
        ],
    }
    policy = flags(options)
    for i in range(1000):
        unit = f"u{i}"
        b = bucket(unit, "s:r")
        expected = V4 if b < 0.5 else V5 if b < 0.8 else CHAMPION
        assert decide(policy, unit) == Decision(expected, "SPLIT")


def test_targets_are_distinct_default_first_then_rule_order() -> None:
    assert policy_options("flags", MANIFEST).targets() == ("churn@champion", "churn@4")
    options = {
        "default": "churn@5",
        "rules": [
            {"name": "a", "serve": "churn@4"},
            {
                "name": "b",
                "split": [{"target": "other@2", "weight": 50}, {"target": "churn@5", "weight": 50}],
            },
            {"name": "c", "serve": "churn@4"},
        ],
    }
    assert policy_options("flags", options).targets() == ("churn@5", "churn@4", "other@2")
    assert policy_options("flags", {"default": "churn@5"}).targets() == ("churn@5",)


def invalid(options: dict[str, Any]) -> list[tuple[tuple[str | int, ...], str]]:
    with pytest.raises(ValidationError) as info:
        FlagsOptions.model_validate(options)
    return [(tuple(e["loc"]), e["msg"]) for e in info.value.errors()]


def test_unknown_segment_is_an_error_on_rules() -> None:
    options = {**MANIFEST, "rules": [{"name": "x", "segment": "betas", "serve": "churn@4"}]}
    ((loc, msg),) = invalid(options)
    assert loc == ("rules",)
    assert "unknown segment 'betas'" in msg
    assert "known: beta_testers" in msg


def test_duplicate_rule_names_are_an_error() -> None:
    rule = {"name": "staff", "serve": "churn@4"}
    ((loc, msg),) = invalid({"default": "churn@champion", "rules": [rule, rule]})
    assert loc == ("rules",)
    assert "'staff' is used twice" in msg


@pytest.mark.parametrize(
    "weights", [[20, 70], [20, 81], [100, 0.001], [50], [33.3, 33.3, 33.3]], ids=str
)
def test_split_weights_must_sum_to_100(weights: list[float]) -> None:
    split = [{"target": f"churn@{i + 1}", "weight": w} for i, w in enumerate(weights)]
    ((loc, msg),) = invalid({"default": "churn@1", "rules": [{"name": "r", "split": split}]})
    assert loc == ("rules", 0, "split")
    assert "must sum to 100" in msg


def test_split_weights_summing_to_100_in_floats_are_accepted() -> None:
    split = [{"target": f"churn@{i + 1}", "weight": w} for i, w in enumerate([33.3, 33.3, 33.4])]
    FlagsOptions.model_validate({"default": "churn@1", "rules": [{"name": "r", "split": split}]})
    tenths = [{"target": f"m@{i}", "weight": 10.0} for i in range(10)]
    FlagsOptions.model_validate({"default": "m@0", "rules": [{"name": "r", "split": tenths}]})


@pytest.mark.parametrize("weight", [0, -10])
def test_split_weights_are_positive(weight: float) -> None:
    split = [{"target": "churn@4", "weight": weight}, {"target": "churn@5", "weight": 100 - weight}]
    errors = invalid({"default": "churn@4", "rules": [{"name": "r", "split": split}]})
    assert ("rules", 0, "split", 0, "weight") in [loc for loc, _ in errors]


def test_split_targets_are_distinct() -> None:
    split = [{"target": "churn@4", "weight": 50}, {"target": "churn@4", "weight": 50}]
    ((loc, msg),) = invalid({"default": "churn@4", "rules": [{"name": "r", "split": split}]})
    assert loc == ("rules", 0, "split")
    assert "once" in msg


@pytest.mark.parametrize(
    "outcome",
    [
        {"serve": "churn@4", "split": [{"target": "churn@4", "weight": 100}]},
        {},
    ],
    ids=["both", "neither"],
)
def test_rule_needs_exactly_one_of_serve_or_split(outcome: dict[str, Any]) -> None:
    ((loc, msg),) = invalid({"default": "churn@4", "rules": [{"name": "r", **outcome}]})
    assert loc == ("rules", 0)
    assert "exactly one of 'serve' or 'split'" in msg


def test_empty_split_is_an_error() -> None:
    errors = invalid({"default": "churn@4", "rules": [{"name": "r", "split": []}]})
    assert errors[0][0] == ("rules", 0, "split")


def test_condition_errors_name_their_place_in_the_manifest() -> None:
    options = {
        "default": "churn@4",
        "segments": {"s": [{"attribute": "v", "op": "semver_gte", "value": "2.3"}]},
        "rules": [
            {
                "name": "r",
                "when": [{"attribute": "e", "op": "regex", "value": "(x"}],
                "serve": "churn@5",
            }
        ],
    }
    errors = dict(invalid(options))
    assert "is not a semantic version" in errors[("segments", "s", 0, "value")]
    assert "is not a valid regular expression" in errors[("rules", 0, "when", 0, "value")]


@pytest.mark.parametrize(
    ("options", "loc"),
    [
        ({"rules": []}, ("default",)),
        ({"default": "churn@4", "rule": []}, ("rule",)),
        ({"default": "churn@4", "rules": [{"name": "r", "serv": "churn@4"}]}, ("rules", 0, "serv")),
        ({"default": "not a ref!"}, ("default",)),
        ({"default": "churn@4", "salt": ""}, ("salt",)),
        ({"default": "churn@4", "segments": {"empty": []}}, ("segments", "empty")),
        ({"default": "churn@4", "rules": [{"name": "", "serve": "churn@4"}]}, ("rules", 0, "name")),
        ({"default": "churn@4", "type": "canary"}, ("type",)),
    ],
)
def test_malformed_options_are_errors(options: dict[str, Any], loc: tuple[str | int, ...]) -> None:
    assert loc in [error_loc for error_loc, _ in invalid(options)]
