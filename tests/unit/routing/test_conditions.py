from __future__ import annotations

import itertools
from typing import Any

import pytest
from pydantic import ValidationError

from pasarela.routing.conditions import Condition, semver_key


def matches(op: str, value: Any, attributes: dict[str, Any], attribute: str = "a") -> bool:
    condition = Condition.model_validate({"attribute": attribute, "op": op, "value": value})
    return condition.compile()(attributes)


@pytest.mark.parametrize(
    ("op", "value", "actual", "expected"),
    [
        ("eq", "pro", "pro", True),
        ("eq", "pro", "team", False),
        ("eq", "pro", "Pro", False),
        ("eq", 3, 3, True),
        ("eq", 3, 3.0, True),
        ("eq", 3, 4, False),
        ("eq", True, True, True),
        ("eq", True, False, False),
        ("ne", "pro", "team", True),
        ("ne", "pro", "pro", False),
        ("ne", 3, 3.0, False),
        ("in", ["pro", "team"], "team", True),
        ("in", ["pro", "team"], "free", False),
        ("in", [1, 2], 2.0, True),
        ("in", ["beta"], ["eu", "beta"], True),
        ("in", ["beta"], ["eu", "us"], False),
        ("in", ["beta"], [], False),
        ("in", [], "pro", False),
        ("not_in", ["pro", "team"], "free", True),
        ("not_in", ["pro", "team"], "pro", False),
        ("not_in", ["beta"], ["eu", "beta"], False),
        ("not_in", ["beta"], ["eu"], True),
        ("regex", r"@example\.com$", "ana@example.com", True),
        ("regex", r"@example\.com$", "ana@example.com.evil.io", False),
        ("regex", r"@example\.com$", "ana@exampleXcom", False),
        ("regex", "beta", "closed-beta-2", True),  # search, not fullmatch
        ("regex", "^beta", "closed-beta-2", False),
        ("gt", 10, 11, True),
        ("gt", 10, 10, False),
        ("gt", 10, 9.5, False),
        ("gte", 10, 10, True),
        ("gte", 10, 9.99, False),
        ("lt", 2.5, 2, True),
        ("lt", 2.5, 2.5, False),
        ("lte", 2.5, 2.5, True),
        ("lte", 2.5, 3, False),
        ("gt", -1, 0, True),
        ("semver_eq", "2.3.0", "2.3.0", True),
        ("semver_eq", "2.3.0", "v2.3.0", True),
        ("semver_eq", "2.3.0", "2.3.0+build.5", True),
        ("semver_eq", "2.3.0", "2.3.1", False),
        ("semver_eq", "2.3.0", "2.3.0-rc.1", False),
        ("semver_gt", "2.3.0", "2.10.0", True),
        ("semver_gt", "2.3.0", "2.3.0", False),
        ("semver_gt", "2.3.0", "2.3.1-alpha", True),
        ("semver_gte", "2.3.0", "2.3.0", True),
        ("semver_gte", "2.3.0", "2.3.0-rc.1", False),
        ("semver_gte", "2.3.0", "10.0.0", True),
        ("semver_gte", "2.3.0", "2.2.99", False),
        ("semver_lt", "2.3.0", "2.3.0-rc.1", True),
        ("semver_lt", "2.3.0", "2.3.0", False),
        ("semver_lte", "2.3.0", "2.3.0", True),
        ("semver_lte", "2.3.0", "2.3.1", False),
        ("semver_lte", "v2.3.0", "V1.9.9", True),
        ("exists", True, "anything", True),
        ("exists", True, 0, True),
        ("exists", True, False, True),
        ("exists", True, "", True),
        ("exists", False, "anything", False),
    ],
)
def test_every_op(op: str, value: Any, actual: Any, expected: bool) -> None:
    assert matches(op, value, {"a": actual}) is expected


def test_exists_defaults_to_true() -> None:
    condition = Condition(attribute="email", op="exists")
    assert condition.value is True
    assert condition.compile()({"email": "x"}) is True
    assert condition.compile()({}) is False


ALL_OPS: list[tuple[str, Any]] = [
    ("eq", "pro"),
    ("ne", "pro"),
    ("in", ["pro"]),
    ("not_in", ["pro"]),
    ("regex", ".*"),
    ("gt", 0),
    ("gte", 0),
    ("lt", 0),
    ("lte", 0),
    ("semver_eq", "1.0.0"),
    ("semver_gt", "1.0.0"),
    ("semver_gte", "1.0.0"),
    ("semver_lt", "1.0.0"),
    ("semver_lte", "1.0.0"),
    ("exists", True),
    ("exists", False),
]
# The documented choice (GrowthBook's): ne and not_in are negations of eq and in, so they hold
# for a missing attribute; exists: false holds by definition; nothing else does.
MATCH_WHEN_MISSING = {("ne", "pro"), ("not_in", ("pro",)), ("exists", False)}


def _key(op: str, value: Any) -> tuple[str, Any]:
    return (op, tuple(value) if isinstance(value, list) else value)


@pytest.mark.parametrize(("op", "value"), ALL_OPS)
@pytest.mark.parametrize("attributes", [{}, {"a": None}, {"other": "pro"}], ids=str)
def test_missing_attribute(op: str, value: Any, attributes: dict[str, Any]) -> None:
    assert matches(op, value, attributes) is (_key(op, value) in MATCH_WHEN_MISSING)


@pytest.mark.parametrize(
    ("op", "value", "actual"),
    [
        ("eq", 1, True),
        ("eq", True, 1),
        ("eq", "1", 1),
        ("eq", 1, "1"),
        ("eq", "pro", ["pro"]),
        ("eq", "pro", {"plan": "pro"}),
        ("in", [1], True),
        ("in", [True], 1),
        ("in", ["1"], 1),
        ("in", ["pro"], {"pro": 1}),
        ("in", ["pro"], [["pro"]]),
        ("regex", "1", 1),
        ("regex", "pro", ["pro"]),
        ("gt", 5, "10"),
        ("gt", 0, True),
        ("gte", 0, None),
        ("lt", 5, "1"),
        ("lte", 5, [1]),
        ("gt", 5, {"n": 10}),
        ("semver_gte", "1.0.0", 2),
        ("semver_gte", "1.0.0", "2.0"),
        ("semver_gte", "1.0.0", "latest"),
        ("semver_gte", "1.0.0", "2.0.0.0"),
        ("semver_lt", "9.0.0", ["1.0.0"]),
        ("semver_eq", "1.0.0", 1.0),
    ],
)
def test_type_mismatch_does_not_match_and_never_raises(op: str, value: Any, actual: Any) -> None:
    assert matches(op, value, {"a": actual}) is False


@pytest.mark.parametrize(
    ("op", "value", "actual"),
    [("ne", 1, True), ("ne", "1", 1), ("not_in", [1], True), ("not_in", ["1"], 1)],
)
def test_negations_match_type_mismatches(op: str, value: Any, actual: Any) -> None:
    assert matches(op, value, {"a": actual}) is True


def test_dotted_attribute_reaches_into_objects() -> None:
    attrs = {"company": {"plan": "pro", "size": 40}}
    assert matches("eq", "pro", attrs, attribute="company.plan") is True
    assert matches("gte", 50, attrs, attribute="company.size") is False
    assert matches("exists", True, attrs, attribute="company.region") is False
    assert matches("exists", True, {"company": "acme"}, attribute="company.plan") is False


def test_literal_dotted_name_wins_over_path() -> None:
    attrs = {"company.plan": "team", "company": {"plan": "pro"}}
    assert matches("eq", "team", attrs, attribute="company.plan") is True


SEMVER_ORDER = [
    "1.0.0-alpha",
    "1.0.0-alpha.1",
    "1.0.0-alpha.beta",
    "1.0.0-beta",
    "1.0.0-beta.2",
    "1.0.0-beta.11",
    "1.0.0-rc.1",
    "1.0.0",
    "1.0.1",
    "1.2.0",
    "1.10.0",
    "2.0.0",
]


def test_semver_precedence_follows_semver_org() -> None:
    keys = [semver_key(v) for v in SEMVER_ORDER]
    for lower, higher in itertools.pairwise(keys):
        assert lower < higher
    assert sorted(reversed(SEMVER_ORDER), key=semver_key) == SEMVER_ORDER


@pytest.mark.parametrize(("lower", "higher"), list(itertools.pairwise(SEMVER_ORDER)))
def test_semver_ops_use_precedence(lower: str, higher: str) -> None:
    assert matches("semver_lt", higher, {"a": lower}) is True
    assert matches("semver_lte", higher, {"a": lower}) is True
    assert matches("semver_gt", lower, {"a": higher}) is True
    assert matches("semver_gte", lower, {"a": higher}) is True
    assert matches("semver_gt", higher, {"a": lower}) is False
    assert matches("semver_eq", lower, {"a": higher}) is False


def test_semver_numeric_identifiers_sort_before_alphanumeric_ones() -> None:
    assert semver_key("1.0.0-1") < semver_key("1.0.0-alpha")
    assert semver_key("1.0.0-2") < semver_key("1.0.0-10")
    assert semver_key("1.0.0-alpha.9") < semver_key("1.0.0-alpha.a")


def test_semver_ignores_build_metadata_and_accepts_a_v() -> None:
    assert semver_key("1.0.0+20130313144700") == semver_key("1.0.0")
    assert semver_key("1.0.0-beta+exp.sha.5114f85") == semver_key("1.0.0-beta")
    assert semver_key("v1.2.3") == semver_key("1.2.3") == semver_key("V1.2.3")
    assert semver_key(" 1.2.3 ") == semver_key("1.2.3")


@pytest.mark.parametrize(
    "text",
    ["1.0", "1", "01.0.0", "1.00.0", "1.0.0-", "1.0.0-01", "1.0.0+", "vv1.0.0", "latest", ""],
)
def test_malformed_semver_raises(text: str) -> None:
    with pytest.raises(ValueError, match="is not a semantic version"):
        semver_key(text)


@pytest.mark.parametrize(
    ("op", "value", "message"),
    [
        ("regex", "(unclosed", "is not a valid regular expression"),
        ("regex", 3, "takes a pattern string"),
        ("semver_gte", "2.3", "is not a semantic version"),
        ("semver_lt", 2.3, "takes a version string"),
        ("in", "pro", "takes a list of values"),
        ("not_in", {"pro": 1}, "takes a list of values"),
        ("in", [["pro"]], "takes a list of strings, numbers or booleans"),
        ("gt", "10", "takes a number"),
        ("lte", True, "takes a number"),
        ("gte", None, "takes a number"),
        ("gt", float("inf"), "takes a number"),
        ("eq", None, "use op 'exists'"),
        ("ne", ["a"], "takes a string, number or boolean"),
        ("exists", "yes", "takes true or false"),
    ],
)
def test_invalid_value_is_a_validation_error_on_value(op: str, value: Any, message: str) -> None:
    with pytest.raises(ValidationError) as info:
        Condition.model_validate({"attribute": "a", "op": op, "value": value})
    (error,) = info.value.errors()
    assert error["loc"] == ("value",)
    assert message in error["msg"]


def test_unknown_op_and_field_are_errors() -> None:
    with pytest.raises(ValidationError) as info:
        Condition.model_validate({"attribute": "a", "op": "contains", "value": "x"})
    assert [e["loc"] for e in info.value.errors()] == [("op",)]
    with pytest.raises(ValidationError) as info:
        Condition.model_validate({"attribute": "a", "op": "eq", "value": "x", "vale": 1})
    assert [e["loc"] for e in info.value.errors()] == [("vale",)]
    with pytest.raises(ValidationError) as info:
        Condition.model_validate({"attribute": "", "op": "eq", "value": "x"})
    assert [e["loc"] for e in info.value.errors()] == [("attribute",)]


def test_compiled_matcher_is_reusable() -> None:
    matcher = Condition(attribute="v", op="semver_gte", value="2.3.0").compile()
    results = [matcher({"v": v}) for v in ["2.2.0", "2.3.0", "2.2.0", "3.0.0-rc.1", "x"]]
    assert results == [False, True, False, True, False]
