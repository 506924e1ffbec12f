"""Input signatures: inferred from a training frame when a version is registered.

``guards.schema`` enforces them on every request row.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from pasarela.types import DType, Feature, Signature


def infer_signature(frame: pd.DataFrame) -> Signature:
    """The signature of a training frame: column names, in order, with their JSON types."""
    return Signature(tuple(Feature(str(name), _dtype_of(frame[name])) for name in frame.columns))


def _dtype_of(column: pd.Series[Any]) -> DType:
    if pd.api.types.is_bool_dtype(column):
        return "bool"
    if pd.api.types.is_integer_dtype(column):
        return "int"
    if pd.api.types.is_float_dtype(column):
        return "float"
    return "str"
