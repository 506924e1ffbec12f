"""The schema guard: request rows checked against the version's signature, first of all.

The first input guard of every endpoint, before any detector reads a text (``guards.size``
has refused oversized bodies before they were parsed): each row, an object keyed by feature
name or a positional list, becomes a list in signature order, or the request is refused with
``InvalidInput`` naming the row and the feature at fault. Checking is strict on types (a string
is never silently turned into a number) and cheap: one pass over each row's values.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from pasarela.errors import InvalidInput
from pasarela.types import Signature

__all__ = ["PositionalRowChecker", "RowChecker", "checker_for"]


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
            missing = [n for n in self.names if n not in row]
            raise InvalidInput(f"inputs[{i}] is missing features: {', '.join(missing)}") from None
        if len(row) != len(self.names):
            unknown = sorted(k for k in row if k not in self._name_set)
            raise InvalidInput(f"inputs[{i}] has unknown features: {', '.join(map(str, unknown))}")
        return values

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
                got = "null" if value is None else type(value).__name__
                raise InvalidInput(
                    f"inputs[{i}].{name} must be {dtype}, got {got} ({str(value)[:40]!r})"
                )


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


def checker_for(signature: Signature | None) -> RowChecker | PositionalRowChecker:
    return RowChecker(signature) if signature is not None else PositionalRowChecker()
