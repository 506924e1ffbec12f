from __future__ import annotations

import numpy as np
import pandas as pd

from pasarela.registry.baseline import compute_baseline, fingerprint


def test_numeric_baseline_is_a_quantile_histogram() -> None:
    rng = np.random.default_rng(0)
    frame = pd.DataFrame({"x": rng.normal(size=1000)})
    baseline = compute_baseline(frame)
    x = baseline["features"]["x"]
    assert baseline["rows"] == 1000
    assert x["type"] == "numeric"
    assert sum(x["counts"]) == 1000
    assert len(x["edges"]) == len(x["counts"]) + 1
    # quantile bins: each holds about a tenth of the data
    assert all(90 <= c <= 110 for c in x["counts"])
    assert x["min"] == frame.x.min() and x["max"] == frame.x.max()


def test_categorical_baseline_counts_categories_and_nulls() -> None:
    frame = pd.DataFrame({"city": ["a", "b", "a", None]})
    city = compute_baseline(frame)["features"]["city"]
    assert city == {"type": "categorical", "nulls": 1, "frequencies": {"a": 2, "b": 1}}


def test_constant_column_does_not_break_the_histogram() -> None:
    x = compute_baseline(pd.DataFrame({"x": [3.0] * 5}))["features"]["x"]
    assert x["counts"] == [5]


def test_fingerprint_is_stable_and_sensitive() -> None:
    frame = pd.DataFrame({"a": [1, 2], "b": [0.5, 0.25]})
    assert fingerprint(frame) == fingerprint(frame.copy())
    assert fingerprint(frame) != fingerprint(frame.assign(b=[0.5, 0.26]))
    assert fingerprint(frame) != fingerprint(frame[["b", "a"]])
