"""The one YAML reader: aliases within a budget, bounded size and depth, coded refusals."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from pasarela.control.manifest import parse_manifests
from pasarela.errors import InvalidRequest
from pasarela.guards.injection_rules import RULES_PATH, load_rules
from pasarela.safe_yaml import (
    MAX_DEPTH,
    MAX_EXPANDED_NODES,
    MAX_YAML_BYTES,
    YAML_TOO_COMPLEX,
    read_yaml,
    read_yaml_text,
)
from tests.yaml_bombs import alias_bomb


def refusal(text: str) -> InvalidRequest:
    with pytest.raises(InvalidRequest) as caught:
        read_yaml(text, "m.yaml")
    return caught.value


def test_an_alias_bomb_is_refused_naming_the_budget() -> None:
    error = refusal(alias_bomb())
    assert error.code == YAML_TOO_COMPLEX
    assert f"more than {MAX_EXPANDED_NODES} values" in error.message
    assert error.message.startswith("m.yaml:")


def test_an_alias_bomb_in_a_manifest_is_refused_before_validation() -> None:
    with pytest.raises(InvalidRequest) as caught:
        parse_manifests(alias_bomb(), "bomb.yaml")
    assert caught.value.code == YAML_TOO_COMPLEX


def test_anchors_and_merge_keys_as_people_use_them_still_load() -> None:
    text = (
        "defaults: &defaults {timeout_s: 2, batching: {max_batch_size: 8}}\n"
        "a: {<<: *defaults, name: a}\n"
        "b: {<<: *defaults, name: b, timeout_s: 3}\n"
        "shared: [*defaults, *defaults]\n"
    )
    (document,) = read_yaml(text)
    assert document.value["a"] == {"timeout_s": 2, "batching": {"max_batch_size": 8}, "name": "a"}
    assert document.value["b"]["timeout_s"] == 3
    assert document.value["shared"][1]["batching"] == {"max_batch_size": 8}


def test_expansion_just_under_the_budget_loads_and_just_over_is_refused() -> None:
    # an anchored list of n scalars (n + 1 nodes) and k aliases of it: 1 + (n + 1) * (1 + k)
    # nodes in the expanded document, plus k alias entries of the outer list.
    n = 999

    def text(aliases: int) -> str:
        items = ", ".join(["1"] * n)
        return f"- &x [{items}]\n" + "".join("- *x\n" for _ in range(aliases))

    within = (MAX_EXPANDED_NODES - 1) // (n + 1) - 1
    assert len(read_yaml(text(within))[0].value) == within + 1
    assert refusal(text(within + 1)).code == YAML_TOO_COMPLEX


def test_a_document_over_the_size_limit_is_refused_before_parsing() -> None:
    error = refusal("a: " + "x" * MAX_YAML_BYTES)
    assert error.code == YAML_TOO_COMPLEX
    assert str(MAX_YAML_BYTES) in error.message


def test_files_and_stdin_are_read_no_further_than_the_limit() -> None:
    stream = io.BytesIO(b"a: 1\n" * MAX_YAML_BYTES)
    with pytest.raises(InvalidRequest) as caught:
        read_yaml_text(stream, "big.yaml")
    assert caught.value.code == YAML_TOO_COMPLEX
    assert stream.tell() == MAX_YAML_BYTES + 1
    assert read_yaml_text(io.BytesIO("name: café\n".encode()), "ok.yaml") == "name: café\n"
    with pytest.raises(InvalidRequest) as caught:
        read_yaml_text(io.BytesIO(b"name: \xff\n"), "latin.yaml")
    assert caught.value.code == "invalid_yaml"


def test_deep_nesting_and_self_reference_are_refused() -> None:
    assert "nested deeper" in refusal("[" * (MAX_DEPTH + 1) + "]" * (MAX_DEPTH + 1)).message
    assert len(read_yaml("[" * MAX_DEPTH + "]" * MAX_DEPTH)) == 1
    assert "refers to its own anchor" in refusal("a: &a [1, *a]\n").message
    assert refusal("[" * 100_000).code in {YAML_TOO_COMPLEX, "invalid_yaml"}


def test_values_python_refuses_are_a_coded_error_not_a_crash() -> None:
    error = refusal("a: " + "1" * 10_000 + "\n")
    assert error.code == "invalid_yaml"
    assert error.message.startswith("m.yaml: not valid YAML:")


def test_not_yaml_names_the_line_and_the_callers_code() -> None:
    with pytest.raises(InvalidRequest) as caught:
        read_yaml("a: 1\nb: [unclosed\n", "x.yaml", invalid_code="invalid_manifest")
    assert caught.value.code == "invalid_manifest"
    assert caught.value.message.startswith("x.yaml:3: not valid YAML:")


def test_empty_documents_are_kept_in_place() -> None:
    assert [d.value for d in read_yaml("---\na: 1\n---\n---\nb: 2\n")] == [{"a": 1}, None, {"b": 2}]


def test_the_shipped_guard_rules_load_through_the_same_reader(tmp_path: Path) -> None:
    assert load_rules(RULES_PATH)
    bomb = tmp_path / "rules.yaml"
    bomb.write_text(alias_bomb())
    with pytest.raises(ValueError, match="more than"):
        load_rules(bomb)
