"""ONNX models run by onnxruntime (``pasarela[onnx]``)."""

from __future__ import annotations

from typing import Any

import numpy as np

from pasarela.errors import ArtifactError, MissingDependency
from pasarela.runtimes.outputs import classification_outputs, plain_outputs
from pasarela.types import JSON, DType, Output, RuntimeContext

_NUMPY_TYPES = {
    "tensor(float)": np.float32,
    "tensor(double)": np.float64,
    "tensor(int64)": np.int64,
    "tensor(int32)": np.int32,
    "tensor(bool)": np.bool_,
    "tensor(string)": np.object_,
}

_DTYPES: dict[str, DType] = {
    "tensor(float)": "float",
    "tensor(double)": "float",
    "tensor(int64)": "int",
    "tensor(int32)": "int",
    "tensor(bool)": "bool",
    "tensor(string)": "str",
}


class OnnxRuntime:
    """One input tensor ``[rows, features]``, or one ``[rows, 1]`` input per feature.

    Classifiers converted by skl2onnx (a label output and a probability output, as a tensor or
    a list of maps) answer like scikit-learn ones: ``{"label", "probabilities"}`` per row.
    """

    def __init__(self) -> None:
        self.session: Any = None
        self.inputs: list[tuple[str, Any]] = []
        self.output_names: list[str] = []
        self.outputs: tuple[Output, ...] = ()

    def load(self, context: RuntimeContext) -> None:
        try:
            import onnxruntime as ort
        except ImportError as exc:
            raise MissingDependency("onnxruntime", "onnx") from exc
        if context.artifact_path is None:
            raise ArtifactError(f"version {context.version.id} has no artifact")
        options = ort.SessionOptions()
        # The data plane already runs batches in parallel with request handling; one intra-op
        # thread per call avoids oversubscribing small machines.
        options.intra_op_num_threads = 1
        try:
            self.session = ort.InferenceSession(
                str(context.artifact_path), options, providers=["CPUExecutionProvider"]
            )
        except Exception as exc:
            raise ArtifactError(f"cannot load ONNX model: {exc}") from exc
        self.inputs = [
            (i.name, _NUMPY_TYPES.get(i.type, np.float32)) for i in self.session.get_inputs()
        ]
        declared = self.session.get_outputs()
        self.output_names = [o.name for o in declared]
        if len(declared) == 2 and "label" in declared[0].name:
            width = declared[1].shape[1] if len(declared[1].shape or []) == 2 else -1
            self.outputs = (
                Output("predict", _DTYPES.get(declared[0].type, "str")),
                Output("predict_proba", "float", width if isinstance(width, int) else -1),
            )
        else:
            self.outputs = (Output("predict", _DTYPES.get(declared[0].type, "float")),)

    def predict_batch(self, rows: list[list[Any]]) -> list[JSON]:
        if len(self.inputs) == 1:
            name, dtype = self.inputs[0]
            feeds = {name: np.asarray(rows, dtype=dtype)}
        else:
            columns = list(zip(*rows, strict=True))
            feeds = {
                name: np.asarray(col, dtype=dtype).reshape(-1, 1)
                for (name, dtype), col in zip(self.inputs, columns, strict=True)
            }
        results = self.session.run(self.output_names, feeds)
        if len(results) == 2 and "label" in self.output_names[0]:
            return _classification(results[0], results[1])
        return plain_outputs(results[0])

    def unload(self) -> None:
        self.session = None


def _classification(labels: Any, probabilities: Any) -> list[JSON]:
    del labels  # the most probable class is derived from the probabilities, as for scikit-learn
    if isinstance(probabilities, list):  # skl2onnx ZipMap: a dict per row, keyed by class
        classes = list(probabilities[0].keys())
        matrix = np.array([[row[c] for c in classes] for row in probabilities])
    else:  # a plain tensor: columns are the classes in sorted order, named by their index
        matrix = np.asarray(probabilities)
        classes = list(range(matrix.shape[1]))
    return classification_outputs(classes, matrix)
