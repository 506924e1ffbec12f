"""Test doubles for runtimes, for pasarela's tests and for users' own.

Example::

    runtime = FakeRuntime(answer=lambda row: sum(row))
    runtime.predict_batch([[1, 2], [3, 4]])  # [3, 7]
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

from pasarela.errors import ModelError
from pasarela.types import JSON, Output, RuntimeContext


class FakeRuntime:
    """Answers each row with ``answer(row)`` (default: the sum of its numbers) and records
    every batch it was given, so tests can see how requests were grouped."""

    def __init__(self, answer: Callable[[list[Any]], JSON] | None = None) -> None:
        self.answer = answer or (lambda row: float(sum(row)))
        self.batches: list[list[list[Any]]] = []
        self.loaded = False
        self.outputs: tuple[Output, ...] = (Output("predict", "float"),)
        self._lock = threading.Lock()

    def load(self, context: RuntimeContext) -> None:
        del context
        self.loaded = True

    def predict_batch(self, rows: list[list[Any]]) -> list[JSON]:
        with self._lock:
            self.batches.append(rows)
        return [self.answer(row) for row in rows]

    def unload(self) -> None:
        self.loaded = False


class SlowRuntime(FakeRuntime):
    """A FakeRuntime that takes ``delay_s`` per batch, to exercise batching and queue limits."""

    def __init__(self, delay_s: float = 0.05, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.delay_s = delay_s

    def predict_batch(self, rows: list[list[Any]]) -> list[JSON]:
        time.sleep(self.delay_s)
        return super().predict_batch(rows)


class FailingRuntime(FakeRuntime):
    """A FakeRuntime whose every batch raises ``error`` (a ModelError by default)."""

    def __init__(self, error: Exception | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.error = error or ModelError("the model failed on purpose")

    def predict_batch(self, rows: list[list[Any]]) -> list[JSON]:
        super().predict_batch(rows)
        raise self.error


# Python-kind models, addressable as entrypoints (``pasarela.testing:row_sums``) so tests and
# users can serve a model without training one.
def row_sums(rows: list[dict[str, Any]] | list[list[Any]]) -> list[float]:
    """Each row's sum of values."""
    return [float(sum(r.values() if isinstance(r, dict) else r)) for r in rows]


def echo(rows: list[dict[str, Any]] | list[list[Any]]) -> list[dict[str, str]]:
    """Each row's values joined into a reply, as a chat model quoting its input would: what
    reaches the model, and what a model may leak back, made visible (for guards)."""
    return [
        {
            "reply": "you said: "
            + " ".join(str(v) for v in (r.values() if isinstance(r, dict) else r))
        }
        for r in rows
    ]


class SlowModel:
    """Sleeps ``PASARELA_TEST_DELAY_S`` (default 0.2 s) per batch, then sums rows."""

    def predict(self, rows: list[Any]) -> list[float]:
        import os

        time.sleep(float(os.environ.get("PASARELA_TEST_DELAY_S", "0.2")))
        return row_sums(rows)


class BrokenModel:
    """Raises on every batch."""

    def predict(self, rows: list[Any]) -> list[float]:
        raise RuntimeError("this model is broken on purpose")


class FlakyModel:
    """Sums rows, but fails a share of its batches: ``rate``, by default
    ``PASARELA_TEST_ERROR_RATE`` or 0.5. A candidate that is measurably worse, for canaries."""

    rate: float | None = None

    def __init__(self) -> None:
        import os
        import random

        if self.rate is None:
            self.rate = float(os.environ.get("PASARELA_TEST_ERROR_RATE", "0.5"))
        self.rng = random.Random()

    def predict(self, rows: list[Any]) -> list[float]:
        if self.rng.random() < (self.rate or 0.0):
            raise RuntimeError("this model fails some batches on purpose")
        return row_sums(rows)


class SwitchableModel:
    """Sums rows, or fails, or hangs, as the file named by ``PASARELA_TEST_MODE_FILE`` says
    (read on every batch, so a test flips a running server's model): ``ok`` (or no file),
    ``fail``, or ``hang:SECONDS``. For resilience tests: a primary that breaks and recovers."""

    def predict(self, rows: list[Any]) -> list[float]:
        import os
        from pathlib import Path

        path = os.environ.get("PASARELA_TEST_MODE_FILE")
        mode = Path(path).read_text().strip() if path and Path(path).exists() else "ok"
        if mode == "fail":
            raise RuntimeError("this model fails while its mode file says so")
        if mode.startswith("hang:"):
            time.sleep(float(mode.split(":", 1)[1]))
        return row_sums(rows)
