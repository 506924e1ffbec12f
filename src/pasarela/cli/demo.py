"""Kept for demo homes made before the demo moved to ``pasarela.demo``: their flaky version's
entrypoint is ``pasarela.cli.demo:FlakyBreastCancerModel``. The tour is ``pasarela.demo``."""

from __future__ import annotations

from pasarela.demo.flaky import FlakyBreastCancerModel

__all__ = ["FlakyBreastCancerModel"]
