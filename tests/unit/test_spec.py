"""Typed spec sections: validated once when a spec is built, stored exactly as before, and
accepted as they are by every reader (breakers, caches, retries, guards, limits, the judge)."""

from __future__ import annotations

import orjson
import pytest
from pydantic import ValidationError

from pasarela.control.canary import judged_gates
from pasarela.control.manifest import parse_document, parse_manifests
from pasarela.errors import InvalidRequest
from pasarela.guards.config import GuardsConfig, parse
from pasarela.retry import RetryPolicy
from pasarela.routing.canary import CanaryOptions
from pasarela.security.ratelimit.base import Limit
from pasarela.serving.breaker import Breaker, BreakerConfig
from pasarela.serving.cache import CacheConfig
from pasarela.spec import (
    BreakerSpec,
    CacheSpec,
    FeedbackGateSpec,
    GatesSpec,
    GuardSpec,
    GuardsSpec,
    RateLimitSpec,
    RetrySpec,
)
from pasarela.stats.canary import FeedbackGate, Gates
from pasarela.types import EndpointSpec

FULL = """\
name: churn
policy: {type: single, target: churn@1}
guards:
  size: {max_rows: 10}
  input:
    - {type: pii, action: redact, kinds: [email]}
    - {type: injection}
rate_limit: 100/s burst=200
fallback: [churn@2, {cached: true}]
breaker: {consecutive_failures: 3, open_s: 2}
cache: {ttl_s: 30}
isolation: process
retries: {attempts: 3}
"""

STORED = {
    "kind": "Endpoint",
    "name": "churn",
    "description": "",
    "policy": {"type": "single", "target": "churn@1"},
    "timeout_s": None,
    "payload_sample_rate": 1.0,
    "guards": {
        "size": {"max_rows": 10},
        "input": [{"type": "pii", "action": "redact", "kinds": ["email"]}, {"type": "injection"}],
    },
    "rate_limit": "100/s burst=200",
    "fallback": ["churn@2", {"cached": True}],
    "breaker": {"consecutive_failures": 3, "open_s": 2.0},
    "cache": {"ttl_s": 30.0},
    "isolation": "process",
    "retries": {"attempts": 3},
    "targets": ["churn@1"],
}
"""What ``pasarela apply`` stored for ``FULL`` before the sections were typed."""


def test_a_manifest_gives_typed_sections() -> None:
    (spec,) = parse_manifests(FULL)
    assert spec.breaker == BreakerSpec(consecutive_failures=3, open_s=2)
    assert spec.cache == CacheSpec(ttl_s=30)
    assert spec.retries == RetrySpec(attempts=3)
    assert isinstance(spec.guards, GuardsSpec)
    assert spec.guards.input[0] == GuardSpec(type="pii", action="redact", kinds=("email",))
    assert isinstance(spec.rate_limit, RateLimitSpec)
    assert (spec.rate_limit.rate, spec.rate_limit.burst) == (100.0, 200)


def test_the_stored_form_is_what_was_stored_before() -> None:
    (spec,) = parse_manifests(FULL)
    assert spec.to_json() == STORED
    # byte for byte, as the repository writes it
    assert orjson.dumps(spec.to_json()) == orjson.dumps(STORED)


def test_a_stored_spec_reads_back_to_the_same_spec_and_bytes() -> None:
    (spec,) = parse_manifests(FULL)
    again = EndpointSpec.from_json(orjson.loads(orjson.dumps(spec.to_json())))
    assert again == spec
    assert orjson.dumps(again.to_json()) == orjson.dumps(spec.to_json())
    assert isinstance(again.breaker, BreakerSpec) and isinstance(again.guards, GuardsSpec)


def test_sections_left_out_stay_none_and_are_not_stored() -> None:
    spec = parse_document({"name": "e", "policy": {"type": "single", "target": "m@1"}})
    assert (spec.guards, spec.breaker, spec.cache, spec.retries, spec.rate_limit) == (None,) * 5
    assert not {"guards", "breaker", "cache", "retries", "rate_limit"} & spec.to_json().keys()


def test_an_empty_guards_section_is_no_guards() -> None:
    document = {"name": "e", "policy": {"type": "single", "target": "m@1"}, "guards": {}}
    spec = parse_document(document)
    assert spec.guards is None
    assert EndpointSpec.from_json({**spec.to_json(), "guards": {}}).guards is None


def test_a_section_equals_the_mapping_it_is_stored_as() -> None:
    assert RetrySpec(attempts=3) == {"attempts": 3}
    assert BreakerSpec() == {}
    assert BreakerSpec(open_s=2) != {"open_s": 3}
    assert RetrySpec() != BreakerSpec()


def test_mappings_given_to_a_spec_are_validated_when_it_is_built() -> None:
    spec = EndpointSpec("e", "single", ("m@1",), breaker={"probes": 2}, rate_limit="5/m")
    assert spec.breaker == BreakerSpec(probes=2)
    assert isinstance(spec.rate_limit, RateLimitSpec) and spec.rate_limit == "5/m"
    with pytest.raises(ValidationError):
        EndpointSpec("e", "single", ("m@1",), cache={"ttl_s": -1})
    with pytest.raises(ValueError, match="cannot read the rate limit"):
        EndpointSpec("e", "single", ("m@1",), rate_limit="lots")


def test_sections_are_frozen() -> None:
    with pytest.raises(ValidationError):
        BreakerSpec().probes = 9  # type: ignore[misc]


def test_the_old_names_are_the_spec_models_and_take_typed_values() -> None:
    (spec,) = parse_manifests(FULL)
    assert BreakerConfig is BreakerSpec and CacheConfig is CacheSpec
    assert BreakerConfig.model_validate(spec.breaker or {}) is spec.breaker
    assert CacheConfig.model_validate(spec.cache) is spec.cache
    assert Breaker(BreakerConfig.model_validate(spec.breaker)).config.consecutive_failures == 3
    assert RetryPolicy.from_config(spec.retries) == RetryPolicy(3, 0.02, 0.5)
    assert RetryPolicy.from_config({"attempts": 1}).attempts == 1
    assert parse(spec.guards) is spec.guards
    assert spec.rate_limit is not None
    assert Limit.parse(spec.rate_limit) == Limit(100.0, 200)


def test_parse_checks_a_mapping_in_full() -> None:
    assert isinstance(parse({"input": [{"type": "secrets"}]}), GuardsConfig)
    with pytest.raises(ValidationError, match="unknown PII kinds"):
        parse({"input": [{"type": "pii", "kinds": ["shoe_size"]}]})
    # the structural checks are the spec's own: a stored section meets them too
    with pytest.raises(ValidationError, match="cannot redact"):
        GuardsSpec.model_validate({"input": [{"type": "injection", "action": "redact"}]})


def test_a_bad_section_is_refused_with_the_manifest_error() -> None:
    document = {"name": "e", "policy": {"type": "single", "target": "m@1"}}
    for section, value, field in (
        ("breaker", {"threshold": 3}, "breaker.threshold"),
        ("cache", {"ttl_s": 0}, "cache.ttl_s"),
        ("retries", {"attempts": 11}, "retries.attempts"),
        ("rate_limit", "lots", "rate_limit"),
        ("guards", {"input": [{"type": "pii", "kinds": ["shoe_size"]}]}, "guards.input.0"),
    ):
        with pytest.raises(InvalidRequest) as caught:
            parse_document({**document, section: value}, "e.json")
        assert caught.value.code == "invalid_manifest"
        assert f"e.json: {field}" in caught.value.message


def test_canary_gates_are_typed_and_the_control_plane_builds_the_judges() -> None:
    options = CanaryOptions.model_validate(
        {
            "baseline": "m@1",
            "candidate": "m@2",
            "gates": {"max_error_rate": 0.05, "feedback": [{"kind": "sale", "stat": "rate"}]},
        }
    )
    assert isinstance(options.gates, GatesSpec)
    assert options.gates.feedback == [FeedbackGateSpec(kind="sale", stat="rate")]
    gates = judged_gates(options.gates)
    assert gates == Gates(max_error_rate=0.05, feedback=(FeedbackGate("sale", stat="rate"),))
    assert judged_gates(GatesSpec()) == Gates()


def test_rate_limit_spec_is_its_text() -> None:
    limit = RateLimitSpec("6000/m")
    assert limit == "6000/m" and str(limit) == "6000/m"
    assert (limit.rate, limit.burst) == (100.0, 100)
    assert orjson.dumps({"rate_limit": limit}) == b'{"rate_limit":"6000/m"}'
    with pytest.raises(ValueError, match="unknown unit"):
        RateLimitSpec("5/fortnight")


def test_who_imports_what_now() -> None:
    """The sections live at the bottom, so the manifest needs no serving/ and the canary
    policy no stats/; spec.py itself needs nothing of pasarela."""
    from tests.unit.test_layers import all_edges

    imported = {(e.importer, e.imported.split(".")[1]) for e in all_edges() if "." in e.imported}
    assert ("pasarela.control.manifest", "serving") not in imported
    assert ("pasarela.routing.canary", "stats") not in imported
    assert not {package for importer, package in imported if importer == "pasarela.spec"}
