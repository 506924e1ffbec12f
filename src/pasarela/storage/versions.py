"""Models and their numbered, immutable versions."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa

from pasarela.errors import NotFound
from pasarela.storage import audit, schema
from pasarela.storage.changes import as_utc, control_change, now
from pasarela.storage.db import upsert_insert
from pasarela.types import ModelVersion, Signature


class VersionRepository:
    """Models and versions in one SQL database (SQLite or PostgreSQL).

    Example::

        versions = VersionRepository(create_engine("sqlite:///x.db"))
        v = versions.add("churn", kind="sklearn", artifact_sha256=sha, actor="ana")
    """

    def __init__(self, engine: sa.Engine) -> None:
        self.engine = engine

    def models(self) -> list[str]:
        """Every registered model's name, sorted."""
        with self.engine.connect() as conn:
            rows = conn.execute(sa.select(schema.models.c.name).order_by(schema.models.c.name))
            return [r.name for r in rows]

    def add(
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
        at = now()
        with control_change(self.engine) as conn:
            model_id = _lock_or_create_model(conn, model, actor, at)
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
                    created_at=at,
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
        return self.get(model, number)

    def get(self, model: str, version: int) -> ModelVersion:
        with self.engine.connect() as conn:
            row = conn.execute(
                _versions_query(model).where(schema.model_versions.c.version == version)
            ).one_or_none()
            if row is None:
                model_id(conn, model)
                raise NotFound(
                    f"model {model!r} has no version {version}", code="version_not_found"
                )
            return _version_from_row(row)

    def of(self, model: str) -> list[ModelVersion]:
        """Every version of ``model``, oldest first."""
        with self.engine.connect() as conn:
            model_id(conn, model)
            rows = conn.execute(_versions_query(model).order_by(schema.model_versions.c.version))
            return [_version_from_row(r) for r in rows]


def model_id(conn: sa.Connection, model: str) -> int:
    """The row id of ``model``; NotFound (``model_not_found``) if it is not registered."""
    found = conn.execute(
        sa.select(schema.models.c.id).where(schema.models.c.name == model)
    ).scalar_one_or_none()
    if found is None:
        raise NotFound(f"model {model!r} is not registered", code="model_not_found")
    return int(found)


def _lock_or_create_model(conn: sa.Connection, model: str, actor: str, at: datetime) -> int:
    query = sa.select(schema.models.c.id).where(schema.models.c.name == model)
    if conn.dialect.name == "postgresql":
        query = query.with_for_update()
    found = conn.execute(query).scalar_one_or_none()
    if found is not None:
        return int(found)
    # Another transaction may create the same model meanwhile: insert-or-nothing, re-read.
    insert = upsert_insert(conn, schema.models).on_conflict_do_nothing()
    conn.execute(insert.values(name=model, created_at=at, created_by=actor))
    return int(conn.execute(query).scalar_one())


def _versions_query(model: str) -> sa.Select[Any]:
    v, m = schema.model_versions, schema.models
    return (
        sa.select(v, m.c.name.label("model_name"))
        .join(m, m.c.id == v.c.model_id)
        .where(m.c.name == model)
    )


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
        created_at=as_utc(row.created_at),
        created_by=row.created_by,
    )
