"""The registry and control-plane repository, one SQL implementation for SQLite and PostgreSQL.

Every write runs in one transaction that also bumps ``control_revision``, so serving processes
notice the change with a single cheap read.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa

from pasarela.errors import Conflict, NotFound
from pasarela.storage import audit, schema
from pasarela.storage.db import upsert_insert, write
from pasarela.types import AliasMove, EndpointRevision, EndpointSpec, ModelVersion, Signature


def _now() -> datetime:
    return datetime.now(UTC)


def _as_utc(value: datetime) -> datetime:
    # SQLite hands back naive datetimes even for timezone-aware columns.
    return value if value.tzinfo else value.replace(tzinfo=UTC)


class Repository:
    """Models, versions, aliases and endpoints, stored in one SQL database.

    Example::

        repo = Repository(create_engine("sqlite:///x.db"))
        v = repo.add_version("churn", kind="sklearn", artifact_sha256=sha, actor="ana")
    """

    def __init__(self, engine: sa.Engine) -> None:
        self.engine = engine

    @contextmanager
    def _write(self) -> Iterator[sa.Connection]:
        """A write transaction (``storage.db.write``)."""
        with write(self.engine) as conn:
            yield conn

    # -- models and versions -------------------------------------------------------------
    def list_models(self) -> list[str]:
        with self.engine.connect() as conn:
            rows = conn.execute(sa.select(schema.models.c.name).order_by(schema.models.c.name))
            return [r.name for r in rows]

    def add_version(
        self,
        model: str,
        *,
        kind: str,
        actor: str,
        artifact_sha256: str | None = None,
        entrypoint: str | None = None,
        signature: Signature | None = None,
        baseline: Any = None,
        metrics: dict[str, float] | None = None,
        params: dict[str, Any] | None = None,
        tags: dict[str, str] | None = None,
        dataset_fingerprint: str | None = None,
    ) -> ModelVersion:
        """Create the model if new and append the next numbered, immutable version."""
        now = _now()
        with self._write() as conn:
            model_id = self._lock_or_create_model(conn, model, actor, now)
            last = conn.execute(
                sa.select(sa.func.max(schema.model_versions.c.version)).where(
                    schema.model_versions.c.model_id == model_id
                )
            ).scalar_one()
            number = (last or 0) + 1
            conn.execute(
                schema.model_versions.insert().values(
                    model_id=model_id,
                    version=number,
                    kind=kind,
                    artifact_sha256=artifact_sha256,
                    entrypoint=entrypoint,
                    signature=signature.to_json() if signature else None,
                    baseline=baseline,
                    metrics=metrics or {},
                    params=params or {},
                    tags=tags or {},
                    dataset_fingerprint=dataset_fingerprint,
                    created_at=now,
                    created_by=actor,
                )
            )
            audit.append(
                conn,
                actor=actor,
                action="version.register",
                target=f"{model}@{number}",
                detail={"kind": kind, "artifact_sha256": artifact_sha256},
            )
            self._bump_revision(conn)
        return self.get_version(model, number)

    def _lock_or_create_model(
        self, conn: sa.Connection, model: str, actor: str, now: datetime
    ) -> int:
        query = sa.select(schema.models.c.id).where(schema.models.c.name == model)
        if conn.dialect.name == "postgresql":
            query = query.with_for_update()
        model_id = conn.execute(query).scalar_one_or_none()
        if model_id is not None:
            return int(model_id)
        # Another transaction may create the same model meanwhile: insert-or-nothing, re-read.
        insert = upsert_insert(conn, schema.models).on_conflict_do_nothing()
        conn.execute(insert.values(name=model, created_at=now, created_by=actor))
        return int(conn.execute(query).scalar_one())

    def _model_id(self, conn: sa.Connection, model: str) -> int:
        model_id = conn.execute(
            sa.select(schema.models.c.id).where(schema.models.c.name == model)
        ).scalar_one_or_none()
        if model_id is None:
            raise NotFound(f"model {model!r} is not registered", code="model_not_found")
        return int(model_id)

    def get_version(self, model: str, version: int) -> ModelVersion:
        with self.engine.connect() as conn:
            row = conn.execute(
                self._versions_query(model).where(schema.model_versions.c.version == version)
            ).one_or_none()
            if row is None:
                self._model_id(conn, model)
                raise NotFound(
                    f"model {model!r} has no version {version}", code="version_not_found"
                )
            return _version_from_row(row)

    def list_versions(self, model: str) -> list[ModelVersion]:
        with self.engine.connect() as conn:
            self._model_id(conn, model)
            rows = conn.execute(
                self._versions_query(model).order_by(schema.model_versions.c.version)
            )
            return [_version_from_row(r) for r in rows]

    def _versions_query(self, model: str) -> sa.Select[Any]:
        v, m = schema.model_versions, schema.models
        return (
            sa.select(v, m.c.name.label("model_name"))
            .join(m, m.c.id == v.c.model_id)
            .where(m.c.name == model)
        )

    # -- aliases ---------------------------------------------------------------------------
    def set_alias(self, model: str, alias: str, version: int, *, actor: str) -> AliasMove:
        """Point ``model@alias`` at ``version`` and record the move."""
        if alias.isdigit() or alias in {"latest"}:
            raise Conflict(f"{alias!r} is reserved and cannot be an alias")
        now = _now()
        a = schema.aliases
        with self._write() as conn:
            model_id = self._model_id(conn, model)
            exists = conn.execute(
                sa.select(schema.model_versions.c.id).where(
                    schema.model_versions.c.model_id == model_id,
                    schema.model_versions.c.version == version,
                )
            ).scalar_one_or_none()
            if exists is None:
                raise NotFound(
                    f"model {model!r} has no version {version}", code="version_not_found"
                )
            current = conn.execute(
                sa.select(a.c.version).where(a.c.model_id == model_id, a.c.alias == alias)
            ).scalar_one_or_none()
            if current is None:
                conn.execute(
                    a.insert().values(
                        model_id=model_id,
                        alias=alias,
                        version=version,
                        updated_at=now,
                        updated_by=actor,
                    )
                )
            else:
                conn.execute(
                    a.update()
                    .where(a.c.model_id == model_id, a.c.alias == alias)
                    .values(version=version, updated_at=now, updated_by=actor)
                )
            conn.execute(
                schema.alias_moves.insert().values(
                    model_id=model_id,
                    alias=alias,
                    from_version=current,
                    to_version=version,
                    actor=actor,
                    at=now,
                )
            )
            audit.append(
                conn,
                actor=actor,
                action="alias.move",
                target=f"{model}@{alias}",
                detail={"from": current, "to": version},
            )
            self._bump_revision(conn)
        return AliasMove(model, alias, current, version, actor, now)

    def aliases(self, model: str) -> dict[str, int]:
        a = schema.aliases
        with self.engine.connect() as conn:
            model_id = self._model_id(conn, model)
            rows = conn.execute(sa.select(a.c.alias, a.c.version).where(a.c.model_id == model_id))
            return {r.alias: r.version for r in rows}

    def alias_history(self, model: str) -> list[AliasMove]:
        h = schema.alias_moves
        with self.engine.connect() as conn:
            model_id = self._model_id(conn, model)
            rows = conn.execute(sa.select(h).where(h.c.model_id == model_id).order_by(h.c.id))
            return [
                AliasMove(model, r.alias, r.from_version, r.to_version, r.actor, _as_utc(r.at))
                for r in rows
            ]

    def resolve(self, model: str, ref: str) -> ModelVersion:
        """``ref`` is a version number, an alias, or ``latest``."""
        if ref.isdigit():
            return self.get_version(model, int(ref))
        if ref == "latest":
            versions = self.list_versions(model)
            if not versions:
                raise NotFound(f"model {model!r} has no versions", code="version_not_found")
            return versions[-1]
        aliases = self.aliases(model)
        if ref not in aliases:
            raise NotFound(f"model {model!r} has no alias {ref!r}", code="alias_not_found")
        return self.get_version(model, aliases[ref])

    # -- endpoints -------------------------------------------------------------------------
    def put_endpoint(
        self,
        spec: EndpointSpec,
        *,
        actor: str,
        action: str = "apply",
        rollout: dict[str, Any] | None = None,
    ) -> int:
        """Create or replace the endpoint named ``spec.name`` and record the change as its next
        revision; with ``rollout``, start that rollout state in the same transaction. Returns
        the revision number."""
        e = schema.endpoints
        now = _now()
        with self._write() as conn:
            exists = conn.execute(
                sa.select(e.c.name).where(e.c.name == spec.name)
            ).scalar_one_or_none()
            if exists is None:
                conn.execute(
                    e.insert().values(
                        name=spec.name,
                        spec=spec.to_json(),
                        created_at=now,
                        updated_at=now,
                        updated_by=actor,
                    )
                )
            else:
                conn.execute(
                    e.update()
                    .where(e.c.name == spec.name)
                    .values(spec=spec.to_json(), updated_at=now, updated_by=actor)
                )
            number = self._add_revision(conn, spec.name, action, spec.to_json(), actor, now)
            if rollout is not None:
                self._write_rollout(conn, spec.name, rollout, actor, now)
                self._add_event(conn, spec.name, "start", {"revision": number, **rollout}, actor)
            self._bump_revision(conn)
        return number

    def get_endpoint(self, name: str) -> EndpointSpec:
        e = schema.endpoints
        with self.engine.connect() as conn:
            spec = conn.execute(sa.select(e.c.spec).where(e.c.name == name)).scalar_one_or_none()
        if spec is None:
            raise NotFound(f"endpoint {name!r} does not exist", code="endpoint_not_found")
        return EndpointSpec.from_json(spec)

    def list_endpoints(self) -> list[EndpointSpec]:
        e = schema.endpoints
        with self.engine.connect() as conn:
            rows = conn.execute(sa.select(e.c.spec).order_by(e.c.name))
            return [EndpointSpec.from_json(r.spec) for r in rows]

    def delete_endpoint(self, name: str, *, actor: str) -> None:
        with self._write() as conn:
            result = conn.execute(schema.endpoints.delete().where(schema.endpoints.c.name == name))
            if result.rowcount == 0:
                raise NotFound(f"endpoint {name!r} does not exist", code="endpoint_not_found")
            conn.execute(schema.rollouts.delete().where(schema.rollouts.c.endpoint == name))
            self._add_revision(conn, name, "delete", None, actor, _now())
            self._bump_revision(conn)

    def endpoint_revisions(self, name: str) -> list[EndpointRevision]:
        """Every recorded change of ``name``, oldest first."""
        r = schema.endpoint_revisions
        with self.engine.connect() as conn:
            rows = conn.execute(sa.select(r).where(r.c.endpoint == name).order_by(r.c.revision))
            found = [
                EndpointRevision(
                    name,
                    row.revision,
                    row.action,
                    EndpointSpec.from_json(row.spec) if row.spec else None,
                    row.actor,
                    _as_utc(row.at),
                )
                for row in rows
            ]
        if not found:
            raise NotFound(f"endpoint {name!r} has no history", code="endpoint_not_found")
        return found

    def _add_revision(
        self,
        conn: sa.Connection,
        name: str,
        action: str,
        spec: dict[str, Any] | None,
        actor: str,
        now: datetime,
    ) -> int:
        r = schema.endpoint_revisions
        last = conn.execute(
            sa.select(sa.func.max(r.c.revision)).where(r.c.endpoint == name)
        ).scalar_one()
        number = int(last or 0) + 1
        conn.execute(
            r.insert().values(
                endpoint=name, revision=number, action=action, spec=spec, actor=actor, at=now
            )
        )
        policy = (spec or {}).get("policy")
        audit.append(
            conn,
            actor=actor,
            action=f"endpoint.{action}",
            target=name,
            detail={"revision": number, "policy": policy},
        )
        return number

    # -- rollouts --------------------------------------------------------------------------
    def rollout_states(self) -> dict[str, dict[str, Any]]:
        """The rollout state of every endpoint that has one, with its ``generation``."""
        t = schema.rollouts
        with self.engine.connect() as conn:
            rows = conn.execute(sa.select(t.c.endpoint, t.c.state, t.c.generation))
            return {r.endpoint: {**r.state, "generation": r.generation} for r in rows}

    def update_rollout(
        self,
        name: str,
        state: dict[str, Any],
        *,
        generation: int,
        actor: str,
        event: str | None,
        detail: dict[str, Any],
    ) -> None:
        """Replace the rollout state of ``name`` if nobody changed it since ``generation`` was
        read (raises Conflict otherwise), and append ``event`` (if any) to its history."""
        t = schema.rollouts
        state = {k: v for k, v in state.items() if k != "generation"}
        with self._write() as conn:
            result = conn.execute(
                t.update()
                .where(t.c.endpoint == name, t.c.generation == generation)
                .values(
                    state=state,
                    generation=generation + 1,
                    updated_at=_now(),
                    updated_by=actor,
                )
            )
            if result.rowcount == 0:
                raise Conflict(
                    f"the rollout of {name!r} changed meanwhile; read it again",
                    code="rollout_changed",
                )
            if event is not None:
                self._add_event(conn, name, event, detail, actor)
            self._bump_revision(conn)

    def rollout_events(self, name: str, limit: int = 200) -> list[dict[str, Any]]:
        """The latest ``limit`` events of ``name``'s rollouts, oldest first."""
        t = schema.rollout_events
        with self.engine.connect() as conn:
            rows = conn.execute(
                sa.select(t).where(t.c.endpoint == name).order_by(t.c.id.desc()).limit(limit)
            )
            events = [
                {
                    "id": r.id,
                    "at": _as_utc(r.at).isoformat(),
                    "actor": r.actor,
                    "kind": r.kind,
                    "detail": r.detail,
                }
                for r in rows
            ]
        return events[::-1]

    # -- experiments -----------------------------------------------------------------------
    def fix_experiment_tuning(
        self, experiment: str, *, endpoint: str, units_per_variant: float, source: str
    ) -> datetime:
        """Record the always-valid test's tuning of ``experiment`` as it starts (replacing the
        one of an earlier start under the same id); returns when it was fixed."""
        t = schema.experiment_tunings
        fixed_at = _now()
        values = {
            "experiment": experiment,
            "endpoint": endpoint,
            "units_per_variant": units_per_variant,
            "source": source,
            "fixed_at": fixed_at,
        }
        with self._write() as conn:
            conn.execute(
                upsert_insert(conn, t)
                .values(**values)
                .on_conflict_do_update(
                    index_elements=["experiment"],
                    set_={k: v for k, v in values.items() if k != "experiment"},
                )
            )
        return fixed_at

    def experiment_tunings(self) -> dict[str, dict[str, Any]]:
        """Every fixed tuning by experiment id: units_per_variant, source, fixed_at (UTC)."""
        t = schema.experiment_tunings
        with self.engine.connect() as conn:
            rows = conn.execute(sa.select(t))
            return {
                r.experiment: {
                    "units_per_variant": r.units_per_variant,
                    "source": r.source,
                    "fixed_at": _as_utc(r.fixed_at),
                }
                for r in rows
            }

    def _write_rollout(
        self, conn: sa.Connection, name: str, state: dict[str, Any], actor: str, now: datetime
    ) -> None:
        t = schema.rollouts
        current = conn.execute(
            sa.select(t.c.generation).where(t.c.endpoint == name)
        ).scalar_one_or_none()
        if current is None:
            conn.execute(
                t.insert().values(
                    endpoint=name, state=state, generation=1, updated_at=now, updated_by=actor
                )
            )
        else:
            conn.execute(
                t.update()
                .where(t.c.endpoint == name)
                .values(state=state, generation=current + 1, updated_at=now, updated_by=actor)
            )

    def _add_event(
        self, conn: sa.Connection, name: str, kind: str, detail: dict[str, Any], actor: str
    ) -> None:
        conn.execute(
            schema.rollout_events.insert().values(
                endpoint=name, at=_now(), actor=actor, kind=kind, detail=detail
            )
        )
        audit.append(conn, actor=actor, action=f"rollout.{kind}", target=name, detail=detail)

    # -- change detection ------------------------------------------------------------------
    def revision(self) -> int:
        """A number that grows with every control-plane change."""
        with self.engine.connect() as conn:
            return int(
                conn.execute(
                    sa.select(schema.control_revision.c.revision).where(
                        schema.control_revision.c.id == 1
                    )
                ).scalar_one()
            )

    def _bump_revision(self, conn: sa.Connection) -> None:
        r = schema.control_revision
        conn.execute(r.update().where(r.c.id == 1).values(revision=r.c.revision + 1))


def _version_from_row(row: sa.Row[Any]) -> ModelVersion:
    return ModelVersion(
        model=row.model_name,
        version=row.version,
        kind=row.kind,
        artifact_sha256=row.artifact_sha256,
        entrypoint=row.entrypoint,
        signature=Signature.from_json(row.signature) if row.signature else None,
        baseline=row.baseline,
        metrics=dict(row.metrics or {}),
        params=dict(row.params or {}),
        tags=dict(row.tags or {}),
        dataset_fingerprint=row.dataset_fingerprint,
        created_at=_as_utc(row.created_at),
        created_by=row.created_by,
    )
