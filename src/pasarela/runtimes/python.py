"""Models written as Python: an import string to a callable, a class, or an object with
``predict``."""

from __future__ import annotations

import inspect
from typing import Any

from pasarela.errors import ConfigurationError, ModelError
from pasarela.plugins import load_object
from pasarela.runtimes.outputs import plain_outputs
from pasarela.types import JSON, Output, RuntimeContext


class PythonRuntime:
    """Calls ``entrypoint`` with the batch and expects one output per row back.

    With a signature the batch is a list of dicts keyed by feature name; without one, a list of
    lists. A class is instantiated once at load (with no arguments); an object or a class
    instance is called through its ``predict`` method, anything else directly.
    """

    def __init__(self) -> None:
        self.predict: Any = None
        self.names: tuple[str, ...] | None = None
        self.outputs: tuple[Output, ...] = ()  # whatever the callable returns

    def load(self, context: RuntimeContext) -> None:
        entrypoint = context.version.entrypoint
        if not entrypoint:
            raise ConfigurationError(f"version {context.version.id} has no entrypoint")
        target = load_object(entrypoint)
        if inspect.isclass(target):
            target = target()
        self.predict = getattr(target, "predict", target)
        if not callable(self.predict):
            raise ConfigurationError(f"{entrypoint!r} is neither callable nor has predict()")
        signature = context.version.signature
        self.names = signature.names if signature is not None else None

    def predict_batch(self, rows: list[list[Any]]) -> list[JSON]:
        batch: list[Any] = (
            [dict(zip(self.names, row, strict=True)) for row in rows] if self.names else rows
        )
        outputs = self.predict(batch)
        result = plain_outputs(outputs) if hasattr(outputs, "tolist") else list(outputs)
        if len(result) != len(rows):
            raise ModelError(f"the model returned {len(result)} outputs for {len(rows)} rows")
        return result

    def unload(self) -> None:
        self.predict = None
