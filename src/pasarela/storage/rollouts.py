"""Rollout states (guarded by a generation), their event history, and experiment tunings.

``write_state`` and ``add_event`` take the caller's connection, so an endpoint applied with a
rollout (``EndpointRepository.put``) records both in one transaction.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa

from pasarela.errors import Conflict
from pasarela.storage import audit, schema
from pasarela.storage.changes import as_utc, control_change, now
from pasarela.storage.db import upsert_insert, write


class RolloutRepository:
    """Each endpoint's rollout state and history, and the experiments' fixed tunings.

    Example::

        rollouts = RolloutRepository(engine)
        state = rollouts.states()["web"]
        rollouts.update("web", {**state, "step": 2}, generation=state["generation"],
                        actor="canary", event="step", detail={"step": 2})
    """

    def __init__(self, engine: sa.Engine) -> None:
        self.engine = engine

    def states(self) -> dict[str, dict[str, Any]]:
        """The rollout state of every endpoint that has one, with its ``generation``."""
        t = schema.rollouts
        with self.engine.connect() as conn:
            rows = conn.execute(sa.select(t.c.endpoint, t.c.state, t.c.generation))
            return {r.endpoint: {**r.state, "generation": r.generation} for r in rows}

    def update(
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
        with control_change(self.engine) as conn:
            result = conn.execute(
                t.update()
                .where(t.c.endpoint == name, t.c.generation == generation)
                .values(state=state, generation=generation + 1, updated_at=now(), updated_by=actor)
            )
            if result.rowcount == 0:
                raise Conflict(
                    f"the rollout of {name!r} changed meanwhile; read it again",
                    code="rollout_changed",
                )
            if event is not None:
                add_event(conn, name, event, detail, actor)

    def events(self, name: str, limit: int = 200) -> list[dict[str, Any]]:
        """The latest ``limit`` events of ``name``'s rollouts, oldest first."""
        t = schema.rollout_events
        with self.engine.connect() as conn:
            rows = conn.execute(
                sa.select(t).where(t.c.endpoint == name).order_by(t.c.id.desc()).limit(limit)
            )
            found = [
                {
                    "id": r.id,
                    "at": as_utc(r.at).isoformat(),
                    "actor": r.actor,
                    "kind": r.kind,
                    "detail": r.detail,
                }
                for r in rows
            ]
        return found[::-1]

    def fix_experiment_tuning(
        self, experiment: str, *, endpoint: str, units_per_variant: float, source: str
    ) -> datetime:
        """Record the always-valid test's tuning of ``experiment`` as it starts (replacing the
        one of an earlier start under the same id); returns when it was fixed."""
        t = schema.experiment_tunings
        fixed_at = now()
        values = {
            "experiment": experiment,
            "endpoint": endpoint,
            "units_per_variant": units_per_variant,
            "source": source,
            "fixed_at": fixed_at,
        }
        # Not a control change: serving never reads tunings, so pollers need not wake up.
        with write(self.engine) as conn:
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
                    "fixed_at": as_utc(r.fixed_at),
                }
                for r in rows
            }


def write_state(
    conn: sa.Connection, name: str, state: dict[str, Any], actor: str, at: datetime
) -> None:
    """Start (or restart) ``name``'s rollout with ``state``, in the caller's transaction."""
    t = schema.rollouts
    current = conn.execute(
        sa.select(t.c.generation).where(t.c.endpoint == name)
    ).scalar_one_or_none()
    if current is None:
        conn.execute(
            t.insert().values(
                endpoint=name, state=state, generation=1, updated_at=at, updated_by=actor
            )
        )
    else:
        conn.execute(
            t.update()
            .where(t.c.endpoint == name)
            .values(state=state, generation=current + 1, updated_at=at, updated_by=actor)
        )


def delete_state(conn: sa.Connection, name: str) -> None:
    """Forget ``name``'s rollout state (its events stay), in the caller's transaction."""
    conn.execute(schema.rollouts.delete().where(schema.rollouts.c.endpoint == name))


def add_event(
    conn: sa.Connection, name: str, kind: str, detail: dict[str, Any], actor: str
) -> None:
    """Append an event to ``name``'s rollout history and the audit log, in the caller's
    transaction."""
    conn.execute(
        schema.rollout_events.insert().values(
            endpoint=name, at=now(), actor=actor, kind=kind, detail=detail
        )
    )
    audit.append(conn, actor=actor, action=f"rollout.{kind}", target=name, detail=detail)
