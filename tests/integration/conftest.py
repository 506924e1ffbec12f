"""Fixtures of the integration tests."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from pasarela.api.app import PasarelaAPI, create_app
from pasarela.registry.service import Registry
from pasarela.settings import Settings


@pytest.fixture
def mode(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """What ``pasarela.testing:SwitchableModel`` does, for every app of the test: write
    ``ok``, ``fail`` or ``hang:SECONDS`` here."""
    path = tmp_path / "mode"
    path.write_text("ok")
    monkeypatch.setenv("PASARELA_TEST_MODE_FILE", str(path))
    return path


@pytest.fixture
async def primary_and_backup(
    settings: Settings, registry: Registry, mode: Path
) -> AsyncIterator[PasarelaAPI]:
    """An app with ``primary@1`` (a ``SwitchableModel``, driven by ``mode``) and ``backup@1``
    (row sums): what a resilience test breaks, and what answers for it."""
    registry.register("primary", entrypoint="pasarela.testing:SwitchableModel")
    registry.register("backup", entrypoint="pasarela.testing:row_sums")
    application = create_app(settings)
    async with application.router.lifespan_context(application):
        yield application
