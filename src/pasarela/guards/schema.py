"""The schema guard: request rows checked against the version's signature, first of all.

The first input guard of every endpoint, before any detector reads a text (``guards.size``
has refused oversized bodies before they were parsed): each row, an object keyed by feature
name or a positional list, becomes a list in signature order, or the request is refused with
``InvalidInput`` naming the row and the feature at fault. Checking is strict on types (a string
is never silently turned into a number) and cheap: one pass over each row's values.
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Mapping, Sequence
from typing import Any

import orjson

from pasarela.errors import InvalidInput
from pasarela.types import Signature

__all__ = ["PositionalRowChecker", "RowChecker", "checker_for", "json_excerpt"]

EXCERPT_CHARS = 40
"""How much of a client's value or feature name an error message quotes."""
NAMED_UNKNOWN = 5
"""How many unknown feature names a message names (and looks up a close match for)."""
NAMED_MISSING = 20
"""How many missing feature names a message names (a wide model has thousands)."""
SUGGEST_AMONG = 100
"""Close matches are looked for only when at most this many features are missing: the work
(a difflib ratio per unknown × missing pair) stays a few milliseconds whatever a client
sends, and a row missing more than this is not a typo."""


# Which Python types a JSON value may have for each declared dtype. bool is a subclass of int in
# Python, so it is excluded from the numeric types on purpose.
_ACCEPTS: dict[str, tuple[type, ...]] = {
    "float": (float, int),
    "int": (int,),
    "bool": (bool,),
    "str": (str,),
}


class RowChecker:
    """Turns request rows (objects keyed by feature, or positional lists) into lists in
    signature order, or raises InvalidInput naming the row and the feature at fault."""

    def __init__(self, signature: Signature) -> None:
        self.signature = signature
        self.names = signature.names
        self._name_set = frozenset(self.names)
        self._accepts = tuple(_ACCEPTS[f.dtype] for f in signature.features)
        self._dtypes = tuple(f.dtype for f in signature.features)
        # Most models take one kind of value (all numbers): one set lookup per value then.
        kinds = set(self._accepts)
        self._uniform = frozenset(kinds.pop()) if len(kinds) == 1 else None

    def check(self, rows: Sequence[Any]) -> list[list[Any]]:
        out: list[list[Any]] = []
        for i, row in enumerate(rows):
            if isinstance(row, Mapping):
                values = self._from_mapping(i, row)
            elif isinstance(row, list):
                if len(row) != len(self.names):
                    raise InvalidInput(
                        f"inputs[{i}] has {len(row)} values; expected {len(self.names)} "
                        f"({', '.join(self.names)})"
                    )
                values = row
            else:
                raise InvalidInput(
                    f"inputs[{i}] must be an object keyed by feature name or a list of values"
                )
            self._check_types(i, values)
            out.append(values)
        return out

    def _from_mapping(self, i: int, row: Mapping[str, Any]) -> list[Any]:
        try:
            values = [row[name] for name in self.names]
        except KeyError:
            raise InvalidInput(f"inputs[{i}] {self._mismatch(row)}") from None
        if len(row) != len(self.names):
            raise InvalidInput(f"inputs[{i}] {self._mismatch(row)}")
        return values

    def _mismatch(self, row: Mapping[str, Any]) -> str:
        """What is wrong with a row's feature names: the unknown ones first, each with the
        missing feature it most likely misspells, then the missing ones, e.g. ``has unknown
        feature 'agee' (did you mean 'age'?); missing features: age``."""
        missing = [n for n in self.names if n not in row]
        unknown = sorted(str(k) for k in row if k not in self._name_set)
        parts = []
        if unknown:
            candidates = missing if len(missing) <= SUGGEST_AMONG else []
            named = [_with_suggestion(name, candidates) for name in unknown[:NAMED_UNKNOWN]]
            if len(unknown) > NAMED_UNKNOWN:
                named.append(f"and {len(unknown) - NAMED_UNKNOWN} more")
            plural = "s" if len(unknown) > 1 else ""
            parts.append(f"has unknown feature{plural} {', '.join(named)}")
        if missing:
            over = len(missing) - NAMED_MISSING
            more = f" and {over} more" if over > 0 else ""
            parts.append(f"missing features: {', '.join(missing[:NAMED_MISSING])}{more}")
        return "; ".join(parts) if unknown else f"is {parts[0]}"

    def _check_types(self, i: int, values: list[Any]) -> None:
        uniform = self._uniform
        if uniform is not None:
            for value in values:
                if type(value) not in uniform:
                    break
            else:
                return
        for value, accepts, name, dtype in zip(
            values, self._accepts, self.names, self._dtypes, strict=True
        ):
            if type(value) not in accepts:
                got = "null" if value is None else f"{type(value).__name__} {json_excerpt(value)}"
                raise InvalidInput(f"inputs[{i}].{name} must be {dtype}, got {got}")


class PositionalRowChecker:
    """Checks rows when a version has no recorded signature: only a consistent width."""

    def check(self, rows: Sequence[Any]) -> list[list[Any]]:
        width = None
        out: list[list[Any]] = []
        for i, row in enumerate(rows):
            if not isinstance(row, list):
                raise InvalidInput(
                    f"inputs[{i}] must be a list of values: this model has no signature, so "
                    "named features cannot be matched"
                )
            if width is None:
                width = len(row)
            elif len(row) != width:
                raise InvalidInput(f"inputs[{i}] has {len(row)} values; inputs[0] has {width}")
            out.append(row)
        return out


def json_excerpt(value: Any, limit: int = EXCERPT_CHARS) -> str:
    """A client's value as the client wrote it, in JSON (``true``, ``null``, ``"1"``), cut to
    ``limit`` characters with ``…``: error messages quote what was sent, not Python's repr."""
    try:
        text = orjson.dumps(value).decode()
    except TypeError:  # beyond JSON as orjson writes it (an int over 64 bits, a numpy value)
        text = json.dumps(value, default=str, ensure_ascii=False)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _with_suggestion(unknown: str, candidates: Sequence[str]) -> str:
    """``'agee' (did you mean 'age'?)``: the closest of ``candidates``, when one is close."""
    name = unknown[: EXCERPT_CHARS * 2]  # a client's name: bounded before it is compared
    close = difflib.get_close_matches(name, candidates, n=1)
    quoted = _quote_name(name)
    return f"{quoted} (did you mean {_quote_name(close[0])}?)" if close else quoted


def _quote_name(name: str) -> str:
    return repr(name if len(name) <= EXCERPT_CHARS else name[: EXCERPT_CHARS - 1] + "…")


def checker_for(signature: Signature | None) -> RowChecker | PositionalRowChecker:
    return RowChecker(signature) if signature is not None else PositionalRowChecker()
