"""Runtimes run model versions: ``load``, ``predict_batch``, ``unload``."""

from __future__ import annotations

from pasarela.plugins import PluginRegistry
from pasarela.types import Runtime

runtimes = PluginRegistry(
    "pasarela.runtimes",
    {
        "sklearn": "pasarela.runtimes.sklearn:SklearnRuntime",
        "onnx": "pasarela.runtimes.onnx:OnnxRuntime",
        "python": "pasarela.runtimes.python:PythonRuntime",
    },
)


def create_runtime(kind: str) -> Runtime:
    """A fresh, unloaded runtime for ``kind`` (``sklearn``, ``onnx``, ``python`` or a plugin)."""
    runtime: Runtime = runtimes.get(kind)()
    return runtime
