"""The admin and security routes take their repositories from one workspace per registry."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

from starlette.datastructures import State

from pasarela.api.admin_routes import _workspace
from pasarela.control.workspace import open_registry
from pasarela.settings import Settings


def test_the_workspace_is_built_once_and_follows_the_registry(tmp_path: Path) -> None:
    first_registry = open_registry(Settings(home=tmp_path / "a"))
    other_registry = open_registry(Settings(home=tmp_path / "b"))
    try:
        state = State()
        state.registry = first_registry
        request = SimpleNamespace(app=SimpleNamespace(state=state))
        found = _workspace(request)  # type: ignore[arg-type]
        assert found.registry is first_registry
        assert found.keys.engine is first_registry.engine
        assert _workspace(request) is found  # type: ignore[arg-type]
        state.registry = other_registry  # an app given another registry gets its workspace
        assert _workspace(request).registry is other_registry  # type: ignore[arg-type]
    finally:
        first_registry.engine.dispose()
        other_registry.engine.dispose()
