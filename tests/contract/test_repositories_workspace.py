"""The workspace holds every repository on one engine, on every database backend; the old
single repository (removed at merge) forwards to the repositories per noun."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from pasarela.control.workspace import Workspace, open_registry, open_workspace
from pasarela.registry.service import Registry
from pasarela.settings import Settings
from pasarela.storage.catalog import Catalog
from pasarela.storage.repository import Repository
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


def test_the_old_repository_forwards_every_method(workspace: Workspace) -> None:
    old = Repository(workspace.engine)
    catalog = workspace.registry.catalog
    first = old.add_version("m", kind="python", actor="a")
    assert catalog.versions.get("m", 1) == first == old.get_version("m", 1)
    assert old.list_models() == catalog.versions.models() == ["m"]
    assert old.list_versions("m") == catalog.versions.of("m")
    move = old.set_alias("m", "prod", 1, actor="a")
    assert old.alias_history("m") == catalog.aliases.history("m") == [move]
    assert old.aliases("m") == catalog.aliases.of("m") == {"prod": 1}
    assert old.resolve("m", "prod") == catalog.aliases.resolve("m", "prod")
    canary = EndpointSpec("c", "canary", ("m@1", "m@1"), {"baseline": "m@1", "candidate": "m@1"})
    assert old.put_endpoint(canary, actor="a", rollout={"phase": "draft"}) == 1
    assert old.get_endpoint("c") == catalog.endpoints.get("c")
    assert old.list_endpoints() == catalog.endpoints.all()
    assert old.rollout_states() == catalog.rollouts.states()
    old.update_rollout("c", {"phase": "x"}, generation=1, actor="a", event="step", detail={})
    assert old.rollout_events("c") == catalog.rollouts.events("c")
    at = old.fix_experiment_tuning("x", endpoint="c", units_per_variant=1.0, source="s")
    assert old.experiment_tunings()["x"]["fixed_at"] == at
    old.delete_endpoint("c", actor="a")
    assert old.endpoint_revisions("c") == catalog.endpoints.revisions("c")
    assert old.revision() == catalog.endpoints.revision()


def test_the_registry_takes_a_catalog_or_the_old_repository(workspace: Workspace) -> None:
    catalog = Catalog(workspace.engine)
    for given in (catalog, Repository(catalog)):
        registry = Registry(given, store=workspace.registry.store)
        assert registry.catalog is catalog
        assert registry.repo.catalog is catalog  # the facade, removed at merge
