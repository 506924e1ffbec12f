"""Baselines: reference statistics of the training data, kept with a version for drift work."""

from __future__ import annotations

import hashlib
from typing import Any

import numpy as np
import pandas as pd

_BINS = 10
_TOP_CATEGORIES = 50


def compute_baseline(frame: pd.DataFrame) -> dict[str, Any]:
    """Per numeric feature a quantile histogram (edges and counts) and moments; per categorical
    feature the category frequencies (top 50, the rest as ``__other__``); and the row count."""
    features: dict[str, Any] = {}
    for name in frame.columns:
        column = frame[name]
        nulls = int(column.isna().sum())
        present = column.dropna()
        if pd.api.types.is_numeric_dtype(column) and not pd.api.types.is_bool_dtype(column):
            features[str(name)] = {"type": "numeric", "nulls": nulls, **_numeric(present)}
        else:
            features[str(name)] = {"type": "categorical", "nulls": nulls, **_categorical(present)}
    return {"rows": len(frame), "features": features}


def _numeric(values: pd.Series[Any]) -> dict[str, Any]:
    data = values.to_numpy(dtype=float)
    if data.size == 0:
        return {"edges": [], "counts": []}
    edges = np.unique(np.quantile(data, np.linspace(0, 1, _BINS + 1)))
    if edges.size == 1:
        counts = np.array([data.size])
    else:
        counts, _ = np.histogram(data, bins=edges)
    return {
        "edges": edges.tolist(),
        "counts": counts.tolist(),
        "mean": float(data.mean()),
        "std": float(data.std()),
        "min": float(data.min()),
        "max": float(data.max()),
    }


def _categorical(values: pd.Series[Any]) -> dict[str, Any]:
    counts = values.astype(str).value_counts()
    top = counts.head(_TOP_CATEGORIES)
    frequencies = {str(k): int(v) for k, v in top.items()}
    other = int(counts.iloc[_TOP_CATEGORIES:].sum())
    if other:
        frequencies["__other__"] = other
    return {"frequencies": frequencies}


def fingerprint(frame: pd.DataFrame) -> str:
    """A stable sha256 of a frame's column names, dtypes and values (row order included)."""
    digest = hashlib.sha256()
    digest.update(repr([(str(c), str(t)) for c, t in frame.dtypes.items()]).encode())
    digest.update(pd.util.hash_pandas_object(frame, index=False).to_numpy().tobytes())
    return digest.hexdigest()
