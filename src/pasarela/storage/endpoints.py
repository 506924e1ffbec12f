"""Endpoint specs, the numbered revisions of each, and the control-plane change counter the
snapshot poller reads."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa

from pasarela.errors import NotFound
from pasarela.storage import audit, schema
from pasarela.storage.changes import as_utc, control_change, now, read_revision
from pasarela.storage.rollouts import add_event, delete_state, write_state
from pasarela.types import EndpointRevision, EndpointSpec


class EndpointRepository:
    """Endpoints and their history; every change is a numbered revision.

    Example::

        endpoints = EndpointRepository(engine)
        revision = endpoints.put(spec, actor="ana")
        endpoints.get(spec.name) == spec  # True
    """

    def __init__(self, engine: sa.Engine) -> None:
        self.engine = engine

    def put(
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
        at = now()
        with control_change(self.engine) as conn:
            exists = conn.execute(
                sa.select(e.c.name).where(e.c.name == spec.name)
            ).scalar_one_or_none()
            if exists is None:
                conn.execute(
                    e.insert().values(
                        name=spec.name,
                        spec=spec.to_json(),
                        created_at=at,
                        updated_at=at,
                        updated_by=actor,
                    )
                )
            else:
                conn.execute(
                    e.update()
                    .where(e.c.name == spec.name)
                    .values(spec=spec.to_json(), updated_at=at, updated_by=actor)
                )
            number = _add_revision(conn, spec.name, action, spec.to_json(), actor, at)
            if rollout is not None:
                write_state(conn, spec.name, rollout, actor, at)
                add_event(conn, spec.name, "start", {"revision": number, **rollout}, actor)
        return number

    def get(self, name: str) -> EndpointSpec:
        e = schema.endpoints
        with self.engine.connect() as conn:
            spec = conn.execute(sa.select(e.c.spec).where(e.c.name == name)).scalar_one_or_none()
        if spec is None:
            raise NotFound(f"endpoint {name!r} does not exist", code="endpoint_not_found")
        return EndpointSpec.from_json(spec)

    def all(self) -> list[EndpointSpec]:
        """Every endpoint, by name."""
        e = schema.endpoints
        with self.engine.connect() as conn:
            rows = conn.execute(sa.select(e.c.spec).order_by(e.c.name))
            return [EndpointSpec.from_json(r.spec) for r in rows]

    def delete(self, name: str, *, actor: str) -> None:
        """Remove ``name`` and its rollout state; its history stays, ending in ``delete``."""
        with control_change(self.engine) as conn:
            result = conn.execute(schema.endpoints.delete().where(schema.endpoints.c.name == name))
            if result.rowcount == 0:
                raise NotFound(f"endpoint {name!r} does not exist", code="endpoint_not_found")
            delete_state(conn, name)
            _add_revision(conn, name, "delete", None, actor, now())

    def revisions(self, name: str) -> list[EndpointRevision]:
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
                    as_utc(row.at),
                )
                for row in rows
            ]
        if not found:
            raise NotFound(f"endpoint {name!r} has no history", code="endpoint_not_found")
        return found

    def revision(self) -> int:
        """The control-plane change counter: grows with every change to versions, aliases,
        endpoints or rollouts, so a poller rebuilds its snapshot only when it moved."""
        return read_revision(self.engine)


def _add_revision(
    conn: sa.Connection,
    name: str,
    action: str,
    spec: dict[str, Any] | None,
    actor: str,
    at: datetime,
) -> int:
    r = schema.endpoint_revisions
    last = conn.execute(
        sa.select(sa.func.max(r.c.revision)).where(r.c.endpoint == name)
    ).scalar_one()
    number = int(last or 0) + 1
    conn.execute(
        r.insert().values(
            endpoint=name, revision=number, action=action, spec=spec, actor=actor, at=at
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
