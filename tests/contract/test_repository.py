"""One contract, every database backend (SQLite and PostgreSQL): the control plane's
repositories (``storage.catalog.Catalog``)."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
import sqlalchemy as sa

from pasarela.errors import Conflict, NotFound
from pasarela.storage.catalog import Catalog
from pasarela.storage.db import create_engine, current_revision, upgrade
from pasarela.types import BatchingConfig, EndpointSpec, Feature, ShadowSpec, Signature


@pytest.fixture
def repo(database_url: str) -> Iterator[Catalog]:
    engine = create_engine(database_url)
    upgrade(engine)
    yield Catalog(engine)
    engine.dispose()


SIG = Signature((Feature("x", "float"), Feature("city", "str")))


def test_versions_are_numbered_and_keep_everything(repo: Catalog) -> None:
    v1 = repo.versions.add(
        "churn",
        kind="sklearn",
        actor="ana",
        artifact_sha256="a" * 64,
        signature=SIG,
        baseline={"rows": 3},
        metrics={"auc": 0.91},
        params={"C": 1.0},
        tags={"team": "ml"},
        dataset_fingerprint="f" * 64,
    )
    v2 = repo.versions.add("churn", kind="onnx", actor="bo")
    assert (v1.version, v2.version) == (1, 2)
    got = repo.versions.get("churn", 1)
    assert got.signature == SIG
    assert got.baseline == {"rows": 3}
    assert got.metrics == {"auc": 0.91}
    assert got.params == {"C": 1.0}
    assert got.tags == {"team": "ml"}
    assert got.dataset_fingerprint == "f" * 64
    assert got.created_by == "ana"
    assert got.created_at is not None and got.created_at.tzinfo is not None
    assert [v.version for v in repo.versions.of("churn")] == [1, 2]
    assert repo.versions.models() == ["churn"]


def test_not_found_errors_name_what_is_missing(repo: Catalog) -> None:
    with pytest.raises(NotFound, match="model 'ghost' is not registered"):
        repo.versions.get("ghost", 1)
    repo.versions.add("m", kind="python", actor="a")
    with pytest.raises(NotFound, match="has no version 7") as info:
        repo.versions.get("m", 7)
    assert info.value.code == "version_not_found"
    with pytest.raises(NotFound, match="no alias 'prod'"):
        repo.aliases.resolve("m", "prod")


def test_aliases_move_and_every_move_is_recorded(repo: Catalog) -> None:
    for _ in range(3):
        repo.versions.add("m", kind="python", actor="a")
    first = repo.aliases.move("m", "champion", 1, actor="ana")
    second = repo.aliases.move("m", "champion", 3, actor="bo")
    assert (first.from_version, first.to_version) == (None, 1)
    assert (second.from_version, second.to_version) == (1, 3)
    assert repo.aliases.of("m") == {"champion": 3}
    assert repo.aliases.resolve("m", "champion").version == 3
    assert repo.aliases.resolve("m", "latest").version == 3
    assert repo.aliases.resolve("m", "2").version == 2
    history = repo.aliases.history("m")
    assert [(h.actor, h.from_version, h.to_version) for h in history] == [
        ("ana", None, 1),
        ("bo", 1, 3),
    ]
    assert history[0].at <= history[1].at


def test_alias_must_point_at_an_existing_version(repo: Catalog) -> None:
    repo.versions.add("m", kind="python", actor="a")
    with pytest.raises(NotFound):
        repo.aliases.move("m", "champion", 5, actor="a")
    with pytest.raises(Conflict, match="reserved"):
        repo.aliases.move("m", "latest", 1, actor="a")
    assert repo.aliases.history("m") == []


def test_endpoints_round_trip_and_bump_the_revision(repo: Catalog) -> None:
    start = repo.endpoints.revision()
    spec = EndpointSpec(
        "e",
        "single",
        ("m@champion",),
        {"target": "m@champion"},
        shadow=ShadowSpec(("m@3",), 0.25, 2),
        batching=BatchingConfig(16, 1.0, 100),
        timeout_s=2.5,
        description="demo",
    )
    assert repo.endpoints.put(spec, actor="ana") == 1
    assert repo.endpoints.get("e") == spec
    assert repo.endpoints.revision() == start + 1
    changed = EndpointSpec("e", "single", ("m@2",), {"target": "m@2"})
    assert repo.endpoints.put(changed, actor="bo", action="switch") == 2
    assert repo.endpoints.all() == [changed]
    repo.endpoints.delete("e", actor="cy")
    assert repo.endpoints.all() == []
    assert repo.endpoints.revision() == start + 3
    history = repo.endpoints.revisions("e")
    assert [(r.revision, r.action, r.spec, r.actor) for r in history] == [
        (1, "apply", spec, "ana"),
        (2, "switch", changed, "bo"),
        (3, "delete", None, "cy"),
    ]
    assert all(r.at.tzinfo is not None for r in history)
    with pytest.raises(NotFound, match="endpoint 'e' does not exist"):
        repo.endpoints.get("e")


def test_concurrent_registrations_get_distinct_numbers(repo: Catalog) -> None:
    numbers: list[int] = []
    errors: list[Exception] = []

    def register() -> None:
        try:
            for _ in range(5):
                numbers.append(repo.versions.add("busy", kind="python", actor="t").version)
        except Exception as exc:  # noqa: BLE001 - collected and asserted below
            errors.append(exc)

    threads = [threading.Thread(target=register) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert sorted(numbers) == list(range(1, 21))


def test_migrations_are_idempotent_and_reversible(database_url: str) -> None:
    engine = create_engine(database_url)
    upgrade(engine)
    upgrade(engine)
    assert current_revision(engine) == "0010"
    from alembic import command

    from pasarela.storage.db import alembic_config

    command.downgrade(alembic_config(engine), "base")
    assert "models" not in sa.inspect(engine).get_table_names()
    upgrade(engine)
    assert {
        "models",
        "model_versions",
        "aliases",
        "alias_moves",
        "endpoints",
        "prediction_records",
        "request_stats",
        "latency_buckets",
        "feedback",
        "feedback_stats",
        "label_confusion",
        "endpoint_revisions",
        "rollouts",
        "rollout_events",
        "api_keys",
        "audit_log",
        "audit_anchors",
        "data_keys",
    } <= set(sa.inspect(engine).get_table_names())
    engine.dispose()


def test_rollout_state_moves_only_from_the_generation_it_was_read_at(repo: Catalog) -> None:
    spec = EndpointSpec("c", "canary", ("m@1", "m@2"), {"baseline": "m@1", "candidate": "m@2"})
    repo.endpoints.put(spec, actor="ana", rollout={"phase": "progressing", "weight": 5.0})
    state = repo.rollouts.states()["c"]
    assert state == {"phase": "progressing", "weight": 5.0, "generation": 1}
    before = repo.endpoints.revision()
    repo.rollouts.update(
        "c",
        {**state, "weight": 20.0},
        generation=1,
        actor="controller",
        event="step",
        detail={"weight": 20.0},
    )
    assert repo.rollouts.states()["c"] == {"phase": "progressing", "weight": 20.0, "generation": 2}
    assert repo.endpoints.revision() == before + 1  # serving processes see the new weight
    with pytest.raises(Conflict) as stale:
        repo.rollouts.update(
            "c", {**state, "phase": "paused"}, generation=1, actor="bo", event="pause", detail={}
        )
    assert stale.value.code == "rollout_changed"
    events = repo.rollouts.events("c")
    assert [(e["kind"], e["actor"]) for e in events] == [("start", "ana"), ("step", "controller")]
    assert events[0]["detail"]["revision"] == 1
    repo.endpoints.delete("c", actor="ana")
    assert "c" not in repo.rollouts.states()


def test_head_check_reads_alembic_version_without_alembic(database_url: str) -> None:
    """``upgrade`` skips Alembic when the schema is at the newest migration (every CLI command
    would pay 0.2 s for it): the head read from the file names must be Alembic's own."""
    from alembic.script import ScriptDirectory

    from pasarela.storage.db import alembic_config, at_head, head_revision

    engine = create_engine(database_url)
    assert ScriptDirectory.from_config(alembic_config(engine)).get_current_head() == (
        head_revision()
    )
    assert not at_head(engine)  # a new database: no alembic_version table yet
    upgrade(engine)
    assert at_head(engine)
    from alembic import command

    command.downgrade(alembic_config(engine), "0009")
    assert not at_head(engine)
    upgrade(engine)  # not at head: Alembic runs and brings it there
    assert current_revision(engine) == head_revision()
    engine.dispose()
