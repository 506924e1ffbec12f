"""The control plane's repositories per noun, on every database backend: each change is one
transaction that bumps the change counter, nouns changed together commit together, and a
change that fails leaves nothing behind."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import sqlalchemy as sa

from pasarela.errors import Conflict, NotFound
from pasarela.storage import schema
from pasarela.storage.audit import AuditRepository
from pasarela.storage.catalog import Catalog
from pasarela.storage.changes import control_change, read_revision
from pasarela.storage.db import create_engine, upgrade
from pasarela.types import EndpointSpec

CANARY = EndpointSpec("c", "canary", ("m@1", "m@2"), {"baseline": "m@1", "candidate": "m@2"})


@pytest.fixture
def catalog(database_url: str) -> Iterator[Catalog]:
    engine = create_engine(database_url)
    upgrade(engine)
    yield Catalog(engine)
    engine.dispose()


def actions(catalog: Catalog) -> list[str]:
    return [e.action for e in AuditRepository(catalog.engine).entries()]


def count(catalog: Catalog, table: sa.Table) -> int:
    with catalog.engine.connect() as conn:
        return int(conn.execute(sa.select(sa.func.count()).select_from(table)).scalar_one())


def test_every_control_change_bumps_the_counter_once_and_is_audited(catalog: Catalog) -> None:
    seen = [catalog.endpoints.revision()]

    def changed() -> int:
        seen.append(catalog.endpoints.revision())
        return seen[-1] - seen[-2]

    catalog.versions.add("m", kind="python", actor="a")
    assert changed() == 1
    catalog.versions.add("m", kind="python", actor="a")
    assert changed() == 1
    catalog.aliases.move("m", "champion", 2, actor="a")
    assert changed() == 1
    catalog.endpoints.put(CANARY, actor="a", rollout={"phase": "progressing", "weight": 5.0})
    assert changed() == 1
    catalog.rollouts.update(
        "c", {"phase": "paused"}, generation=1, actor="a", event="pause", detail={}
    )
    assert changed() == 1
    catalog.endpoints.delete("c", actor="a")
    assert changed() == 1
    assert read_revision(catalog.engine) == seen[-1]
    assert actions(catalog) == [
        "version.register",
        "version.register",
        "alias.move",
        "endpoint.apply",
        "rollout.start",
        "rollout.pause",
        "endpoint.delete",
    ]


def test_an_endpoint_and_its_rollout_commit_together_or_not_at_all(catalog: Catalog) -> None:
    before = catalog.endpoints.revision()
    # The rollout state cannot be stored (not JSON): the endpoint written before it in the
    # same transaction must not stay either.
    # (SQLite's driver reports it wrapped in a StatementError, psycopg's as it is.)
    with pytest.raises((sa.exc.StatementError, TypeError), match="not JSON serializable"):
        catalog.endpoints.put(CANARY, actor="a", rollout={"phase": object()})
    with pytest.raises(NotFound):
        catalog.endpoints.get("c")
    with pytest.raises(NotFound):
        catalog.endpoints.revisions("c")
    assert catalog.rollouts.states() == {}
    assert catalog.rollouts.events("c") == []
    assert catalog.endpoints.revision() == before
    assert actions(catalog) == []


def test_a_failed_change_neither_commits_nor_bumps(catalog: Catalog) -> None:
    before = read_revision(catalog.engine)
    with pytest.raises(RuntimeError), control_change(catalog.engine) as conn:
        conn.execute(
            schema.endpoints.insert().values(
                name="x",
                spec={},
                created_at=sa.func.now(),
                updated_at=sa.func.now(),
                updated_by="a",
            )
        )
        raise RuntimeError("stop")
    assert count(catalog, schema.endpoints) == 0
    assert read_revision(catalog.engine) == before
    with control_change(catalog.engine):
        pass
    assert read_revision(catalog.engine) == before + 1


def test_a_refused_change_leaves_no_trace(catalog: Catalog) -> None:
    catalog.versions.add("m", kind="python", actor="a")
    catalog.endpoints.put(CANARY, actor="a", rollout={"phase": "progressing"})
    before = catalog.endpoints.revision()
    with pytest.raises(Conflict):
        catalog.rollouts.update("c", {}, generation=7, actor="b", event="pause", detail={})
    with pytest.raises(NotFound):
        catalog.aliases.move("m", "champion", 9, actor="b")
    with pytest.raises(NotFound):
        catalog.endpoints.delete("ghost", actor="b")
    with pytest.raises(NotFound, match="model 'ghost' is not registered"):
        catalog.aliases.move("ghost", "champion", 1, actor="b")
    assert catalog.endpoints.revision() == before
    assert [e["kind"] for e in catalog.rollouts.events("c")] == ["start"]
    assert catalog.aliases.of("m") == {}
    assert count(catalog, schema.alias_moves) == 0


def test_applying_again_restarts_the_rollout_at_the_next_generation(catalog: Catalog) -> None:
    catalog.endpoints.put(CANARY, actor="a", rollout={"phase": "progressing"})
    catalog.endpoints.put(CANARY, actor="b", action="restart", rollout={"phase": "draft"})
    assert catalog.rollouts.states() == {"c": {"phase": "draft", "generation": 2}}
    events = catalog.rollouts.events("c")
    assert [(e["kind"], e["detail"]["revision"]) for e in events] == [("start", 1), ("start", 2)]
    assert catalog.rollouts.events("c", limit=1) == events[-1:]
    assert [r.action for r in catalog.endpoints.revisions("c")] == ["apply", "restart"]


def test_experiment_tunings_are_fixed_once_per_start_without_waking_pollers(
    catalog: Catalog,
) -> None:
    before = catalog.endpoints.revision()
    first = catalog.rollouts.fix_experiment_tuning(
        "exp-1", endpoint="e", units_per_variant=500.0, source="design"
    )
    assert catalog.rollouts.experiment_tunings() == {
        "exp-1": {"units_per_variant": 500.0, "source": "design", "fixed_at": first}
    }
    again = catalog.rollouts.fix_experiment_tuning(
        "exp-1", endpoint="e", units_per_variant=800.0, source="default"
    )
    tuning = catalog.rollouts.experiment_tunings()["exp-1"]
    assert (tuning["units_per_variant"], tuning["source"]) == (800.0, "default")
    assert tuning["fixed_at"] == again and again.tzinfo is not None
    assert catalog.endpoints.revision() == before  # serving does not read tunings


def test_versions_and_aliases_read_back(catalog: Catalog) -> None:
    assert catalog.versions.models() == []
    catalog.versions.add("b", kind="python", actor="a")
    catalog.versions.add("a", kind="onnx", actor="a", tags={"t": "1"})
    assert catalog.versions.models() == ["a", "b"]
    assert catalog.versions.get("a", 1).tags == {"t": "1"}
    assert [v.model for v in catalog.versions.of("b")] == ["b"]
    with pytest.raises(NotFound, match="model 'z' is not registered"):
        catalog.versions.of("z")
    with pytest.raises(NotFound, match="model 'z' is not registered"):
        catalog.aliases.of("z")
    with pytest.raises(NotFound, match="model 'z' is not registered"):
        catalog.aliases.history("z")
    move = catalog.aliases.move("a", "prod", 1, actor="ana")
    assert (move.model, move.alias, move.actor) == ("a", "prod", "ana")
    assert catalog.aliases.history("a") == [move]
    assert catalog.aliases.resolve("a", "prod") == catalog.versions.get("a", 1)
    with pytest.raises(Conflict, match="reserved"):
        catalog.aliases.move("a", "7", 1, actor="ana")
