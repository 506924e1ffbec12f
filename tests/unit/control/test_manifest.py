"""Manifests: what ``pasarela apply -f`` accepts, and errors that name the field and the line."""

from __future__ import annotations

import pytest

from pasarela.control.manifest import parse_document, parse_manifests, to_yaml
from pasarela.errors import InvalidRequest
from pasarela.types import BatchingConfig, ShadowSpec

CANARY = """\
kind: Endpoint
name: churn
description: churn risk
policy:
  type: canary
  baseline: churn@champion
  candidate: churn@3
  interval: 30s
  gates:
    max_error_rate: 0.05
    feedback:
      - {kind: task_completed, stat: rate}
shadow:
  targets: [churn@4]
  share: 0.1
timeout_s: 2
batching: {max_batch_size: 8}
"""


def test_a_canary_manifest_becomes_a_spec_with_defaults_filled() -> None:
    (spec,) = parse_manifests(CANARY, "churn.yaml")
    assert spec.name == "churn" and spec.policy == "canary"
    assert spec.targets == ("churn@champion", "churn@3")
    assert spec.options["steps"] == [5.0, 20.0, 50.0, 100.0]
    assert spec.options["min_requests"] == 100
    assert spec.options["gates"]["max_error_rate"] == 0.05
    assert spec.options["gates"]["feedback"][0]["kind"] == "task_completed"
    assert spec.shadow == ShadowSpec(("churn@4",), 0.1, 4)
    assert spec.batching == BatchingConfig(8, 0.0, 1024)
    assert spec.timeout_s == 2


def test_printed_yaml_applies_back_to_the_same_spec() -> None:
    (spec,) = parse_manifests(CANARY)
    assert parse_manifests(to_yaml(spec)) == [spec]


def test_several_documents_in_one_file() -> None:
    text = (
        "name: a\npolicy: {type: single, target: m@1}\n---\n"
        "name: b\npolicy: {type: blue_green, active: m@1, standby: m@2}\n"
    )
    specs = parse_manifests(text)
    assert [(s.name, s.policy, s.targets) for s in specs] == [
        ("a", "single", ("m@1",)),
        ("b", "blue_green", ("m@1", "m@2")),
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "name: c\npolicy:\n  type: canary\n  baseline: m@1\n  candidate: m@2\n"
            "  steps: [5, 50, 20]\n",
            "f.yaml:6: policy.steps: Value error, steps must increase",
        ),
        (
            "name: c\npolicy:\n  type: canary\n  baseline: m@1\n  candidate: m@2\n  intervl: 3s\n",
            "f.yaml:6: policy.intervl: Extra inputs are not permitted",
        ),
        ("name: c\npolicy: {type: teleport}\n", "f.yaml:2: policy.type: unknown policies kind"),
        ("name: c\n", "f.yaml:1: policy: Field required"),
        ("name: 'bad name'\npolicy: {type: single, target: m@1}\n", "f.yaml:1: name: String"),
        (
            "name: c\npolicy: {type: single, target: m@1}\nshadow:\n  targets: []\n",
            "f.yaml:4: shadow.targets: List should have at least 1 item",
        ),
        ("name: c\npolicy: {type: single\n", "f.yaml:3: not valid YAML"),
        ("- just\n- a list\n", "f.yaml:1: (document): a manifest is a mapping"),
        ("", "f.yaml: holds no endpoint"),
    ],
)
def test_errors_name_the_line_and_the_field(text: str, expected: str) -> None:
    with pytest.raises(InvalidRequest) as caught:
        parse_manifests(text, "f.yaml")
    assert caught.value.code == "invalid_manifest"
    assert expected in caught.value.message


def test_every_problem_is_reported_at_once() -> None:
    text = "name: c\npolicy:\n  type: canary\n  baseline: m@1\n  candidate: m@1\n  alpha: 2\n"
    with pytest.raises(InvalidRequest) as caught:
        parse_manifests(text, "f.yaml")
    assert "f.yaml:6: policy.alpha" in caught.value.message


def test_a_name_declared_twice_is_refused() -> None:
    doc = "name: a\npolicy: {type: single, target: m@1}\n"
    with pytest.raises(InvalidRequest, match="declared twice"):
        parse_manifests(doc + "---\n" + doc)


def test_parsed_json_documents_are_checked_the_same_way() -> None:
    spec = parse_document({"name": "a", "policy": {"type": "single", "target": "m@1"}})
    assert spec.targets == ("m@1",)
    with pytest.raises(InvalidRequest, match=r"manifest: policy.target: Field required"):
        parse_document({"name": "a", "policy": {"type": "single"}}, "manifest")
