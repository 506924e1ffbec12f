"""Every runtime kind, with models trained here, answers like the model itself."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sklearn.compose import make_column_transformer
from sklearn.linear_model import LinearRegression, LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder

from pasarela.errors import ConfigurationError, Conflict, InvalidRequest, ModelError
from pasarela.registry.service import Registry
from pasarela.runtimes import create_runtime
from pasarela.types import RuntimeContext
from tests.conftest import Trained


def _rows(frame: pd.DataFrame, n: int = 4) -> list[list[object]]:
    return frame.head(n).astype(object).values.tolist()


def _proba(outputs: list[dict[str, object]]) -> np.ndarray:
    return np.array([list(o["probabilities"].values()) for o in outputs])  # type: ignore[union-attr]


def test_sklearn_joblib_classifier(registry: Registry, trained: Trained) -> None:
    version = registry.register_estimator(
        "c", trained.model, train_data=trained.frame, target="target"
    )
    runtime = registry.load(version)
    outputs = runtime.predict_batch(_rows(trained.features))
    np.testing.assert_allclose(
        _proba(outputs), trained.model.predict_proba(trained.features.head(4))
    )
    assert [o["label"] for o in outputs] == trained.model.predict(trained.features.head(4)).tolist()


def test_sklearn_regressor_answers_numbers(registry: Registry, trained: Trained) -> None:
    model = LinearRegression().fit(trained.features, trained.frame.target)
    version = registry.register_estimator("r", model, train_data=trained.features)
    outputs = registry.load(version).predict_batch(_rows(trained.features, 3))
    np.testing.assert_allclose(outputs, model.predict(trained.features.head(3)))


def test_frame_only_model_keeps_its_frame(registry: Registry) -> None:
    """A column transformer selecting columns by name cannot take arrays; it gets a frame."""
    frame = pd.DataFrame(
        {"city": ["a", "b", "a", "c"] * 10, "size": [1.0, 2.0, 3.0, 4.0] * 10, "y": [0, 1] * 20}
    )
    model = make_pipeline(
        make_column_transformer((OneHotEncoder(), ["city"]), remainder="passthrough"),
        LogisticRegression(),
    ).fit(frame[["city", "size"]], frame.y)
    version = registry.register_estimator("mixed", model, train_data=frame, target="y")
    assert version.signature is not None and version.signature.names == ("city", "size")
    outputs = registry.load(version).predict_batch([["a", 1.0], ["c", 4.0]])
    expected = model.predict_proba(pd.DataFrame({"city": ["a", "c"], "size": [1.0, 4.0]}))
    np.testing.assert_allclose(_proba(outputs), expected)


def test_columns_are_reordered_to_the_fitted_order(registry: Registry, trained: Trained) -> None:
    reversed_frame = trained.frame[list(trained.frame.columns[::-1])]
    version = registry.register_estimator(
        "rev", trained.model, train_data=reversed_frame, target="target"
    )
    rows = _rows(reversed_frame.drop(columns=["target"]), 2)
    np.testing.assert_allclose(
        _proba(registry.load(version).predict_batch(rows)),
        trained.model.predict_proba(trained.features.head(2)),
    )


def test_skops_needs_its_types_trusted(
    registry: Registry, trained: Trained, tmp_path: Path
) -> None:
    import skops.io as sio

    path = tmp_path / "model.skops"
    sio.dump(trained.model, path)
    untrusted = sio.get_untrusted_types(file=path)
    if untrusted:
        with pytest.raises(Conflict, match="trust"):
            registry.register("s", artifact=path, train_data=trained.frame, target="target")
    version = registry.register(
        "s", artifact=path, train_data=trained.frame, target="target", trust_skops_types=True
    )
    outputs = registry.load(version).predict_batch(_rows(trained.features, 2))
    np.testing.assert_allclose(
        _proba(outputs), trained.model.predict_proba(trained.features.head(2))
    )


def test_onnx_classifier_matches_sklearn(
    registry: Registry, trained: Trained, tmp_path: Path
) -> None:
    from skl2onnx import to_onnx

    features = trained.features.astype(np.float32)
    onnx_model = to_onnx(trained.model, features.to_numpy()[:1], options={"zipmap": False})
    path = tmp_path / "model.onnx"
    path.write_bytes(onnx_model.SerializeToString())
    version = registry.register("o", artifact=path, train_data=trained.frame, target="target")
    assert version.kind == "onnx"
    outputs = registry.load(version).predict_batch(_rows(trained.features, 5))
    np.testing.assert_allclose(
        _proba(outputs), trained.model.predict_proba(trained.features.head(5)), atol=1e-5
    )


def test_python_entrypoint(registry: Registry) -> None:
    frame = pd.DataFrame({"a": [1.0, 2.0], "b": [3.0, 4.0]})
    version = registry.register("p", entrypoint="pasarela.testing:row_sums", train_data=frame)
    assert version.kind == "python" and version.artifact_sha256 is None
    assert registry.load(version).predict_batch([[1.0, 2.0], [5.0, 5.0]]) == [3.0, 10.0]


def test_python_model_that_fails_on_training_data_is_refused(registry: Registry) -> None:
    frame = pd.DataFrame({"a": [1.0]})
    with pytest.raises(InvalidRequest, match="failed to predict on its own training data"):
        registry.register("b", entrypoint="pasarela.testing:BrokenModel", train_data=frame)
    assert "b" not in registry.versions.models()


def drop_last(rows: list[object]) -> list[object]:
    return rows[:-1]


def test_python_model_returning_too_few_outputs() -> None:
    from pasarela.types import ModelVersion

    runtime = create_runtime("python")
    runtime.load(
        RuntimeContext(
            ModelVersion("x", 1, "python", None, "tests.unit.test_runtimes:drop_last", None, None),
            None,
        )
    )
    with pytest.raises(ModelError, match="1 outputs for 2 rows"):
        runtime.predict_batch([[1], [2]])


def test_unknown_kinds_and_files_are_refused(registry: Registry, tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match="unknown runtimes kind 'tensorflow'"):
        create_runtime("tensorflow")
    model = tmp_path / "model.h5"
    model.write_bytes(b"x")
    with pytest.raises(InvalidRequest, match="cannot tell the model kind"):
        registry.register("x", artifact=model)
    with pytest.raises(ConfigurationError, match="cannot import"):
        registry.register("x", entrypoint="no.such.module:f")
