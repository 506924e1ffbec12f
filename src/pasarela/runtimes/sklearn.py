"""scikit-learn models saved with joblib (``.joblib``, ``.pkl``) or skops (``.skops``)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from pasarela.errors import ArtifactError, MissingDependency
from pasarela.runtimes.outputs import classification_outputs, plain_outputs
from pasarela.types import JSON, RuntimeContext

# Recorded at registration for skops files: the types the registering user trusted.
SKOPS_TRUSTED_TAG = "skops_trusted_types"


def load_estimator(path: Path, trusted: list[str] | None = None) -> Any:
    """Load an estimator; skops files only with the types the registry recorded as trusted."""
    if path.suffix == ".skops" or _is_zip(path):
        try:
            import skops.io as sio
        except ImportError as exc:
            raise MissingDependency("skops", "skops") from exc
        return sio.load(path, trusted=trusted or [])
    import joblib

    try:
        return joblib.load(path)
    except Exception as exc:  # noqa: BLE001 - any unpickling failure means a bad artifact
        raise ArtifactError(f"cannot load scikit-learn model from {path}: {exc}") from exc


def _is_zip(path: Path) -> bool:
    with path.open("rb") as f:
        return f.read(4) == b"PK\x03\x04"


class SklearnRuntime:
    """Classifiers answer ``{"label", "probabilities"}`` per row; regressors a number."""

    def __init__(self) -> None:
        self.model: Any = None
        self.columns: list[str] | None = None
        self.numeric = True

    def load(self, context: RuntimeContext) -> None:
        if context.artifact_path is None:
            raise ArtifactError(f"version {context.version.id} has no artifact")
        trusted = context.version.params.get(SKOPS_TRUSTED_TAG)
        self.model = load_estimator(context.artifact_path, trusted)
        signature = context.version.signature
        names = getattr(self.model, "feature_names_in_", None)
        # A model fitted on a frame wants a frame with the same columns; one fitted on an array
        # gets an array, which is cheaper.
        self.columns = [str(n) for n in names] if names is not None else None
        if signature is not None:
            self.numeric = all(f.dtype != "str" for f in signature.features)
            if self.columns is None and not self.numeric:
                self.columns = list(signature.names)

    def _frame(self, rows: list[list[Any]]) -> Any:
        if self.numeric:
            array = np.asarray(rows, dtype=np.float64)
            return pd.DataFrame(array, columns=self.columns) if self.columns else array
        return pd.DataFrame(rows, columns=self.columns).infer_objects()

    def predict_batch(self, rows: list[list[Any]]) -> list[JSON]:
        data = self._frame(rows)
        if hasattr(self.model, "predict_proba") and hasattr(self.model, "classes_"):
            return classification_outputs(self.model.classes_.tolist(), self.model.predict_proba(data))
        return plain_outputs(self.model.predict(data))

    def unload(self) -> None:
        self.model = None
