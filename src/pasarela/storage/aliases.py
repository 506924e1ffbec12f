"""Aliases (``churn@champion``), their recorded moves, and resolving a reference."""

from __future__ import annotations

import sqlalchemy as sa

from pasarela.errors import Conflict, NotFound
from pasarela.storage import audit, schema
from pasarela.storage.changes import as_utc, control_change, now
from pasarela.storage.versions import VersionRepository, model_id
from pasarela.types import AliasMove, ModelVersion

RESERVED = frozenset({"latest"})
"""Names a reference already means something by; a number is reserved too."""


class AliasRepository:
    """Names that point at one version of a model, and every move of them.

    Example::

        aliases = AliasRepository(engine, VersionRepository(engine))
        aliases.move("churn", "champion", 3, actor="ana")
        aliases.resolve("churn", "champion").version  # 3
    """

    def __init__(self, engine: sa.Engine, versions: VersionRepository) -> None:
        self.engine = engine
        self.versions = versions

    def move(self, model: str, alias: str, version: int, *, actor: str) -> AliasMove:
        """Point ``model@alias`` at ``version`` and record the move."""
        if alias.isdigit() or alias in RESERVED:
            raise Conflict(f"{alias!r} is reserved and cannot be an alias")
        at = now()
        a = schema.aliases
        with control_change(self.engine) as conn:
            owner = model_id(conn, model)
            exists = conn.execute(
                sa.select(schema.model_versions.c.id).where(
                    schema.model_versions.c.model_id == owner,
                    schema.model_versions.c.version == version,
                )
            ).scalar_one_or_none()
            if exists is None:
                raise NotFound(
                    f"model {model!r} has no version {version}", code="version_not_found"
                )
            current = conn.execute(
                sa.select(a.c.version).where(a.c.model_id == owner, a.c.alias == alias)
            ).scalar_one_or_none()
            if current is None:
                conn.execute(
                    a.insert().values(
                        model_id=owner,
                        alias=alias,
                        version=version,
                        updated_at=at,
                        updated_by=actor,
                    )
                )
            else:
                conn.execute(
                    a.update()
                    .where(a.c.model_id == owner, a.c.alias == alias)
                    .values(version=version, updated_at=at, updated_by=actor)
                )
            conn.execute(
                schema.alias_moves.insert().values(
                    model_id=owner,
                    alias=alias,
                    from_version=current,
                    to_version=version,
                    actor=actor,
                    at=at,
                )
            )
            audit.append(
                conn,
                actor=actor,
                action="alias.move",
                target=f"{model}@{alias}",
                detail={"from": current, "to": version},
            )
        return AliasMove(model, alias, current, version, actor, at)

    def of(self, model: str) -> dict[str, int]:
        """``model``'s aliases and the version each points at."""
        a = schema.aliases
        with self.engine.connect() as conn:
            owner = model_id(conn, model)
            rows = conn.execute(sa.select(a.c.alias, a.c.version).where(a.c.model_id == owner))
            return {r.alias: r.version for r in rows}

    def history(self, model: str) -> list[AliasMove]:
        """Every move of ``model``'s aliases, oldest first."""
        h = schema.alias_moves
        with self.engine.connect() as conn:
            owner = model_id(conn, model)
            rows = conn.execute(sa.select(h).where(h.c.model_id == owner).order_by(h.c.id))
            return [
                AliasMove(model, r.alias, r.from_version, r.to_version, r.actor, as_utc(r.at))
                for r in rows
            ]

    def resolve(self, model: str, ref: str) -> ModelVersion:
        """``ref`` is a version number, an alias, or ``latest``."""
        if ref.isdigit():
            return self.versions.get(model, int(ref))
        if ref == "latest":
            versions = self.versions.of(model)
            if not versions:
                raise NotFound(f"model {model!r} has no versions", code="version_not_found")
            return versions[-1]
        aliases = self.of(model)
        if ref not in aliases:
            raise NotFound(f"model {model!r} has no alias {ref!r}", code="alias_not_found")
        return self.versions.get(model, aliases[ref])
