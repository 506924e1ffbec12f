"""The workspace holds every repository on one engine, on every database backend, and shares
the control plane's nouns with its registry."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from pasarela.control.workspace import Workspace, open_registry, open_workspace
from pasarela.registry.service import Registry
from pasarela.settings import Settings
from pasarela.types import EndpointSpec

SPEC = EndpointSpec("e", "single", ("m@1",), {"target": "m@1"})


@pytest.fixture
def workspace(database_url: str, tmp_path: Path) -> Iterator[Workspace]:
    opened = open_workspace(Settings(home=tmp_path / "home", database_url=database_url))
    yield opened
    opened.engine.dispose()


def test_every_repository_shares_the_one_engine(workspace: Workspace) -> None:
    repositories = (
        workspace.versions,
        workspace.aliases,
        workspace.endpoints,
        workspace.rollouts,
        workspace.keys,
        workspace.audit,
        workspace.subjects,
        workspace.data_keys,
        workspace.sessions,
        workspace.incidents,
        workspace.telemetry,
        workspace.feedback,
    )
    assert all(r.engine is workspace.engine for r in repositories)
    assert workspace.registry.engine is workspace.engine
    assert workspace.endpoints is workspace.registry.endpoints
    # the cipher that seals payloads reads the data keys the workspace holds
    assert workspace.data_keys is workspace.registry.payloads.repo  # type: ignore[union-attr]


def test_a_change_through_the_registry_is_seen_by_the_workspace(workspace: Workspace) -> None:
    workspace.registry.versions.add("m", kind="python", actor="ana")
    workspace.registry.set_alias("m", "prod", 1, actor="ana")
    workspace.endpoints.put(SPEC, actor="ana")
    assert workspace.aliases.of("m") == {"prod": 1}
    assert workspace.registry.resolve("m@prod").version == 1
    assert workspace.endpoints.all() == [SPEC]
    assert [e.action for e in workspace.audit.entries()] == [
        "version.register",
        "alias.move",
        "endpoint.apply",
    ]
    assert workspace.keys.count() == 0


def test_open_registry_is_the_workspace_registry(database_url: str, tmp_path: Path) -> None:
    registry = open_registry(Settings(home=tmp_path / "home", database_url=database_url))
    try:
        assert isinstance(registry, Registry)
        assert Workspace(registry).endpoints is registry.endpoints
    finally:
        registry.engine.dispose()
