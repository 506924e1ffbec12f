"""Fixtures of the unit tests: a clock the test moves by hand."""

from __future__ import annotations

import pytest


class ManualClock:
    """``time.monotonic`` for code that takes a ``clock``: it moves only when a test sets
    ``now``."""

    def __init__(self, now: float = 0.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()
