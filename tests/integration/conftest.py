"""Fixtures of the integration tests."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture
def mode(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """What ``pasarela.testing:SwitchableModel`` does, for every app of the test: write
    ``ok``, ``fail`` or ``hang:SECONDS`` here."""
    path = tmp_path / "mode"
    path.write_text("ok")
    monkeypatch.setenv("PASARELA_TEST_MODE_FILE", str(path))
    return path
