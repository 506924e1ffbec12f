"""Runtimes run model versions: ``load``, ``predict_batch``, ``unload``."""

from __future__ import annotations

from pasarela.plugins import PluginRegistry
from pasarela.types import Isolation, Runtime

runtimes = PluginRegistry(
    "pasarela.runtimes",
    {
        "sklearn": "pasarela.runtimes.sklearn:SklearnRuntime",
        "onnx": "pasarela.runtimes.onnx:OnnxRuntime",
        "python": "pasarela.runtimes.python:PythonRuntime",
    },
)


def create_runtime(kind: str, *, isolation: Isolation = "thread") -> Runtime:
    """A fresh, unloaded runtime for ``kind`` (``sklearn``, ``onnx``, ``python`` or a plugin);
    with ``isolation="process"``, one that runs it in a child process."""
    if isolation == "process":
        from pasarela.runtimes.process import ProcessRuntime

        if kind not in runtimes.names():
            runtimes.get(kind)  # an unknown kind fails here, in the server, with its message
        return ProcessRuntime(kind)
    runtime: Runtime = runtimes.get(kind)()
    return runtime
