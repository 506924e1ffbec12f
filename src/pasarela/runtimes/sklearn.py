"""scikit-learn models saved with joblib (``.joblib``, ``.pkl``) or skops (``.skops``)."""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from pasarela.errors import ArtifactError, MissingDependency
from pasarela.runtimes.outputs import classification_outputs, dtype_of_values, plain_outputs
from pasarela.types import JSON, Output, RuntimeContext

# Recorded at registration for skops files: the types the registering user trusted.
SKOPS_TRUSTED_TAG = "skops_trusted_types"

# Models fitted on a frame are fed arrays in the fitted column order when that gives the same
# answer (checked at load): building a DataFrame per batch costs more than the model itself.
# scikit-learn warns about the missing names on every such call; that warning is expected here.
FEATURE_NAMES_WARNING = "X does not have valid feature names"
warnings.filterwarnings("ignore", message=FEATURE_NAMES_WARNING, category=UserWarning)


PICKLE_WARNING = "loading a pickle runs any code inside it; only for files you trust"
"""What ``--trust-pickle`` and ``trust_pickle=`` say: joblib and pickle files are programs."""


def is_pickle(path: Path) -> bool:
    """Whether ``load_estimator`` would unpickle ``path`` (joblib, pickle): anything that is
    not a skops file (a zip archive) is handed to joblib."""
    return not (path.suffix == ".skops" or _is_zip(path))


def load_estimator(path: Path, trusted: list[str] | None = None) -> Any:
    """Load an estimator; skops files only with the types the registry recorded as trusted.
    A joblib or pickle file runs whatever code it holds: the registry lets one in only with
    ``trust_pickle``."""
    if not is_pickle(path):
        try:
            import skops.io as sio
        except ImportError as exc:
            raise MissingDependency("skops", "skops") from exc
        return sio.load(path, trusted=trusted or [])
    import joblib

    try:
        return joblib.load(path)
    except Exception as exc:
        raise ArtifactError(f"cannot load scikit-learn model from {path}: {exc}") from exc


def _is_zip(path: Path) -> bool:
    with path.open("rb") as f:
        return f.read(4) == b"PK\x03\x04"


class SklearnRuntime:
    """Classifiers answer ``{"label", "probabilities"}`` per row; regressors a number."""

    holds_gil = True
    """Small estimators spend their time in Python-level validation and dispatch."""

    def __init__(self) -> None:
        self.model: Any = None
        self.columns: list[str] | None = None
        self.order: list[int] | None = None
        self.numeric = True
        self.outputs: tuple[Output, ...] = ()

    def load(self, context: RuntimeContext) -> None:
        if context.artifact_path is None:
            raise ArtifactError(f"version {context.version.id} has no artifact")
        trusted = context.version.params.get(SKOPS_TRUSTED_TAG)
        self.model = load_estimator(context.artifact_path, trusted)
        signature = context.version.signature
        fitted = getattr(self.model, "feature_names_in_", None)
        names = list(signature.names) if signature is not None else None
        self.numeric = signature is None or all(f.dtype != "str" for f in signature.features)
        if fitted is not None:
            self.columns = [str(n) for n in fitted]
            if names is not None and set(self.columns) <= set(names):
                self.order = [names.index(c) for c in self.columns]
        elif not self.numeric:
            self.columns = names
        if self.numeric and self.columns is not None and self.order is not None:
            self._prefer_arrays(len(names or []))
        self.outputs = _describe_outputs(self.model)

    def _prefer_arrays(self, width: int) -> None:
        """Drop the per-batch DataFrame when the model answers the same without it."""
        probe = np.linspace(-1.0, 1.0, 3 * width).reshape(3, width)
        columns, self.columns = self.columns, None
        try:
            fast = self._predict(self._frame(probe.tolist()))
        except Exception:  # noqa: BLE001 - the model needs its frame
            self.columns = columns
            return
        self.columns = columns
        slow = self._predict(self._frame(probe.tolist()))
        if fast == slow:
            self.columns = None

    def _frame(self, rows: list[list[Any]]) -> Any:
        if self.numeric:
            array = np.asarray(rows, dtype=np.float64)
            if self.order is not None:
                array = array[:, self.order]
            return pd.DataFrame(array, columns=self.columns) if self.columns else array
        frame = pd.DataFrame(rows, columns=self.columns if self.order is None else None)
        if self.order is not None and self.columns is not None:
            frame = frame.iloc[:, self.order]
            frame.columns = pd.Index(self.columns)
        return frame.infer_objects()

    def _predict(self, data: Any) -> list[JSON]:
        if hasattr(self.model, "predict_proba") and hasattr(self.model, "classes_"):
            return classification_outputs(
                self.model.classes_.tolist(), self.model.predict_proba(data)
            )
        return plain_outputs(self.model.predict(data))

    def predict_batch(self, rows: list[list[Any]]) -> list[JSON]:
        return self._predict(self._frame(rows))

    def unload(self) -> None:
        self.model = None


def _describe_outputs(model: Any) -> tuple[Output, ...]:
    classes = getattr(model, "classes_", None)
    if hasattr(model, "predict_proba") and classes is not None:
        return (
            Output("predict", dtype_of_values(classes.tolist())),
            Output("predict_proba", "float", len(classes)),
        )
    width = getattr(model, "n_outputs_", 1)
    return (Output("predict", "float", None if width == 1 else width),)
