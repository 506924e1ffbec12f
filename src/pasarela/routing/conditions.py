"""Targeting conditions: tests on a request's attributes, as feature-flag tools write them.

A condition names an attribute, an operator and a value::

    {attribute: plan, op: in, value: [pro, team]}
    {attribute: app_version, op: semver_gte, value: "2.3.0"}

It is validated when the manifest is applied (the regex compiles, ``in`` has a list, numeric
operators have numbers, semantic versions parse) and compiled once, when the policy is built,
into a :data:`Matcher`: a plain function of the attributes.

Evaluation never raises. The rules, which follow GrowthBook's:

- An attribute that is absent or ``null`` is *missing*. A missing attribute matches nothing
  except ``ne``, ``not_in`` and ``exists: false``: those two operators are the exact negations of
  ``eq`` and ``in``, so "plan is not enterprise" holds for a request that sends no plan.
- A value of the wrong type does not match (``"10"`` is not ``gt 5``; ``true`` is not ``eq 1``),
  and again ``ne``/``not_in`` match it as negations.
- ``in``/``not_in`` against an attribute that is a list test whether any element is in the
  condition's list (``tags in [beta]`` holds for ``tags: [beta, eu]``).
- ``regex`` searches (``re.search``), so anchor with ``^``/``$`` to match the whole value.
- ``semver_*`` compare by semver.org precedence; an attribute that is not a full
  ``major.minor.patch`` version (a leading ``v`` is allowed) does not match.
- An attribute name with dots reaches into nested objects (``company.plan``) when no attribute
  has that literal name.
"""

from __future__ import annotations

import math
import operator
import re
from collections.abc import Callable, Mapping
from functools import lru_cache
from typing import Any, Literal

from pydantic import Field, ValidationInfo, field_validator

from pasarela.routing.base import PolicyOptions
from pasarela.types import JSON

Op = Literal[
    "eq",
    "ne",
    "in",
    "not_in",
    "regex",
    "gt",
    "gte",
    "lt",
    "lte",
    "semver_eq",
    "semver_gt",
    "semver_gte",
    "semver_lt",
    "semver_lte",
    "exists",
]

Matcher = Callable[[Mapping[str, JSON]], bool]
"""A compiled condition: the request's attributes in, whether they match out."""

_COMPARE: dict[str, Callable[[Any, Any], bool]] = {
    "eq": operator.eq,
    "gt": operator.gt,
    "gte": operator.ge,
    "lt": operator.lt,
    "lte": operator.le,
}
_NUMERIC = frozenset({"gt", "gte", "lt", "lte"})
_SEMVER = frozenset({"semver_eq", "semver_gt", "semver_gte", "semver_lt", "semver_lte"})

# semver.org's own pattern, with an optional leading "v".
_SEMVER_RE = re.compile(
    r"[vV]?(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)"
    r"(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?"
    r"(?:\+[0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*)?"
)

SemverKey = tuple[int, int, int, tuple[Any, ...]]
"""Sorts like semver.org precedence; see :func:`semver_key`."""

_MISSING: Any = object()


def semver_key(text: str) -> SemverKey:
    """A sort key with semver.org precedence; raises ``ValueError`` for a malformed version.

    Pre-release identifiers compare numerically when numeric, lexically otherwise, numeric
    before alphanumeric; a pre-release sorts before its release; build metadata is ignored.

    >>> semver_key("1.0.0-alpha.1") < semver_key("1.0.0-beta") < semver_key("v1.0.0+build.7")
    True
    """
    match = _SEMVER_RE.fullmatch(text.strip())
    if match is None:
        raise ValueError(f"{text!r} is not a semantic version like 1.4.2 or v2.0.0-rc.1")
    major, minor, patch, pre = match.groups()
    if pre is None:
        release: tuple[Any, ...] = (1,)  # a release outranks all of its pre-releases
    else:
        ids = tuple((0, int(p), "") if p.isdigit() else (1, 0, p) for p in pre.split("."))
        release = (0, ids)
    return (int(major), int(minor), int(patch), release)


@lru_cache(maxsize=4096)
def _attribute_semver(value: str) -> SemverKey | None:
    # Requests repeat a handful of app versions; parse each once.
    try:
        return semver_key(value)
    except ValueError:
        return None


_NUMBER_TYPES = (int, float)


def _is_number(value: JSON) -> bool:
    return isinstance(value, _NUMBER_TYPES) and not isinstance(value, bool)


def _is_scalar(value: JSON) -> bool:
    return isinstance(value, str | int | float)  # bool is an int


def _one_of(values: list[JSON]) -> Callable[[JSON], bool]:
    """Whether a scalar equals one of ``values`` as JSON says: ``1`` equals ``1.0``, but ``true``
    is not ``1`` (Python's ``True == 1`` is why the values are kept apart by type)."""
    strings = frozenset(v for v in values if isinstance(v, str))
    bools = frozenset(v for v in values if isinstance(v, bool))
    numbers = frozenset(v for v in values if _is_number(v))

    def contains(actual: JSON) -> bool:
        if isinstance(actual, str):
            return actual in strings
        if isinstance(actual, bool):
            return actual in bools
        if isinstance(actual, _NUMBER_TYPES):
            return actual in numbers
        return False

    return contains


def _getter(attribute: str) -> Callable[[Mapping[str, JSON]], JSON]:
    path = attribute.split(".")

    def get(attributes: Mapping[str, JSON]) -> JSON:
        value = attributes.get(attribute, _MISSING)
        if value is _MISSING and len(path) > 1:
            value = attributes
            for part in path:
                if not isinstance(value, Mapping):
                    return _MISSING
                value = value.get(part, _MISSING)
        return _MISSING if value is None else value

    return get


def _exists_value(op: str, value: JSON) -> JSON:
    if value is None:
        return True
    if not isinstance(value, bool):
        raise ValueError(f"op {op!r} takes true or false")
    return value


def _scalar_value(op: str, value: JSON) -> JSON:
    if not _is_scalar(value):
        hint = "; use op 'exists' to test for a missing attribute" if value is None else ""
        raise ValueError(f"op {op!r} takes a string, number or boolean{hint}")
    return value


def _list_value(op: str, value: JSON) -> JSON:
    if not isinstance(value, list):
        raise ValueError(f"op {op!r} takes a list of values, like [pro, team]")
    if not all(_is_scalar(v) for v in value):
        raise ValueError(f"op {op!r} takes a list of strings, numbers or booleans")
    return value


def _regex_value(op: str, value: JSON) -> JSON:
    if not isinstance(value, str):
        raise ValueError(f"op {op!r} takes a pattern string")
    try:
        re.compile(value)
    except re.error as exc:
        raise ValueError(f"{value!r} is not a valid regular expression: {exc}") from exc
    return value


def _number_value(op: str, value: JSON) -> JSON:
    if not _is_number(value) or not math.isfinite(value):
        raise ValueError(f"op {op!r} takes a number")
    return value


def _semver_value(op: str, value: JSON) -> JSON:
    if not isinstance(value, str):
        raise ValueError(f"op {op!r} takes a version string like 2.3.0")
    semver_key(value)
    return value


_VALUE_CHECKS: dict[str, Callable[[str, JSON], JSON]] = {
    "exists": _exists_value,
    "eq": _scalar_value,
    "ne": _scalar_value,
    "in": _list_value,
    "not_in": _list_value,
    "regex": _regex_value,
    **dict.fromkeys(_NUMERIC, _number_value),
    **dict.fromkeys(_SEMVER, _semver_value),
}


class Condition(PolicyOptions):
    """One test on a request attribute.

    >>> Condition(attribute="plan", op="in", value=["pro", "team"]).compile()({"plan": "pro"})
    True
    """

    attribute: str = Field(min_length=1)
    """The attribute's name in the request's attributes; dots reach into nested objects."""
    op: Op
    value: JSON = Field(default=None, validate_default=True)
    """What the attribute is compared with: a scalar for ``eq``/``ne``, a list for ``in``/
    ``not_in``, a pattern for ``regex``, a number for ``gt``…``lte``, a version for ``semver_*``,
    and for ``exists`` whether the attribute must be present (default ``true``)."""

    @field_validator("value")
    @classmethod
    def _value_fits_op(cls, value: JSON, info: ValidationInfo) -> JSON:
        op = info.data.get("op")
        if op is None:  # the op itself is invalid; that error is reported on its own
            return value
        return _VALUE_CHECKS[op](op, value)

    def compile(self) -> Matcher:
        """A fast function of the attributes; everything parseable is parsed here, once."""
        get = _getter(self.attribute)
        test = _test(self.op, self.value)
        on_missing = self.op in ("ne", "not_in") or (self.op == "exists" and not self.value)

        def matches(attributes: Mapping[str, JSON]) -> bool:
            actual = get(attributes)
            if actual is _MISSING:
                return on_missing
            return test(actual)

        return matches


def _test(op: Op, expected: JSON) -> Callable[[JSON], bool]:
    """How a present attribute value is tested."""
    if op == "exists":
        present: bool = expected
        return lambda actual: present
    if op in ("eq", "ne"):
        equals = _one_of([expected])
        if op == "eq":
            return equals
        return lambda actual: not equals(actual)
    if op in ("in", "not_in"):
        one_of = _one_of(expected)

        def is_in(actual: JSON) -> bool:
            if isinstance(actual, list):
                return any(one_of(a) for a in actual)
            return one_of(actual)

        if op == "in":
            return is_in
        return lambda actual: not is_in(actual)
    if op == "regex":
        pattern = re.compile(expected)
        return lambda actual: isinstance(actual, str) and pattern.search(actual) is not None
    if op in _NUMERIC:
        compare = _COMPARE[op]
        number: float = expected
        return lambda actual: _is_number(actual) and compare(actual, number)
    compare = _COMPARE[op.removeprefix("semver_")]
    version = semver_key(expected)

    def semver(actual: JSON) -> bool:
        if not isinstance(actual, str):
            return False
        parsed = _attribute_semver(actual)
        return parsed is not None and compare(parsed, version)

    return semver
