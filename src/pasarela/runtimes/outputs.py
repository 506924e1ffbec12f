"""Shapes model results into one JSON-ready output per row, the same for every runtime."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from pasarela.types import DType


def classification_outputs(classes: Sequence[Any], probabilities: np.ndarray) -> list[Any]:
    """``{"label": most probable class, "probabilities": {class: p}}`` per row."""
    keys = [str(c) for c in classes]
    labels = list(classes)
    best = probabilities.argmax(axis=1).tolist()
    return [
        {"label": labels[b], "probabilities": dict(zip(keys, row, strict=True))}
        for b, row in zip(best, probabilities.tolist(), strict=True)
    ]


def plain_outputs(values: Any) -> list[Any]:
    """Predictions as plain JSON values: a list of scalars (or of lists for multi-output)."""
    array = np.asarray(values)
    if array.ndim == 2 and array.shape[1] == 1:
        array = array[:, 0]
    result: list[Any] = array.tolist()
    return result


def dtype_of_values(values: Sequence[Any]) -> DType:
    """The narrowest JSON type that holds every value (labels of a classifier, say)."""
    if all(isinstance(v, bool) for v in values):
        return "bool"
    if all(isinstance(v, int) and not isinstance(v, bool) for v in values):
        return "int"
    if all(isinstance(v, int | float) and not isinstance(v, bool) for v in values):
        return "float"
    return "str"
