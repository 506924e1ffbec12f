"""Incidents and their timelines in the shared database.

``observe`` is the one write path of the watch: every server calls it every few seconds with
the conditions it sees, and in one transaction (rows locked on PostgreSQL, the write lock on
SQLite) open incidents gain, refresh or lose conditions, new groups open incidents, and those
with nothing left close. ``merge`` is that rule for one incident, pure.

An incident's conditions are held with the time a server last saw each. A condition no server
has seen for ``clear_s`` seconds is cleared: the server that saw it may have recovered, or
died, and either way nobody reports it any more. The wait is also the hysteresis that keeps a
flapping breaker from opening an incident per flap.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any, Literal

import sqlalchemy as sa

from pasarela.errors import Conflict, NotFound
from pasarela.storage import schema
from pasarela.storage.db import storage_errors, write
from pasarela.types import Condition, Severity

__all__ = ["Change", "IncidentRepository", "Status", "merge", "title_of", "worst"]

Status = Literal["open", "closed", "all"]


class Change:
    """What notifiers hear: an incident ``opened``, ``escalated`` (more severe) or
    ``closed``, as the API shows it."""

    __slots__ = ("incident", "kind")

    def __init__(self, kind: str, incident: dict[str, Any]) -> None:
        self.kind = kind
        self.incident = incident

    def __repr__(self) -> str:
        return f"Change({self.kind!r}, #{self.incident['id']} {self.incident['severity']})"


class IncidentRepository:
    def __init__(self, engine: sa.Engine) -> None:
        self.engine = engine

    @storage_errors()  # the incident watch rides through an outage: it sees our error
    def observe(self, seen: Sequence[Condition], now: datetime, clear_s: float) -> list[Change]:
        """Fold what one server sees now into the open incidents (module docstring)."""
        t, ev = schema.incidents, schema.incident_events
        by_group: dict[str, list[Condition]] = {}
        for condition in seen:
            by_group.setdefault(condition.group, []).append(condition)
        stamp = now.timestamp()
        changes: list[Change] = []
        if not seen and not self._any_open():
            return changes  # the usual report: nothing wrong, nothing open, no write lock taken
        with write(self.engine) as conn:
            query = sa.select(t).where(t.c.open_group.is_not(None)).with_for_update()
            open_rows = {row.group: row for row in conn.execute(query)}
            for group in sorted(set(open_rows) | set(by_group)):
                row = open_rows.get(group)
                held = dict(row.conditions) if row is not None else {}
                conditions, events = merge(held, by_group.get(group, ()), stamp, clear_s)
                if row is None:
                    severity = worst(conditions)
                    assert severity is not None
                    title = title_of(group, conditions)
                    inserted = conn.execute(
                        t.insert().values(
                            group=group,
                            open_group=group,
                            severity=severity,
                            title=title,
                            conditions=conditions,
                            opened_at=now,
                            updated_at=now,
                        )
                    )
                    key = inserted.inserted_primary_key
                    assert key is not None
                    incident_id = int(key[0])
                    events.insert(0, ("opened", f"{severity}: {title}"))
                    kind: str | None = "opened"
                elif not conditions:
                    incident_id = row.id
                    conn.execute(
                        t.update()
                        .where(t.c.id == row.id)
                        .values(open_group=None, closed_at=now, updated_at=now, conditions={})
                    )
                    events.append(("closed", f"every condition cleared after {clear_s:g} s"))
                    kind = "closed"
                else:
                    incident_id = row.id
                    severity = worst(conditions)
                    assert severity is not None
                    kind = None
                    values: dict[str, Any] = {"conditions": conditions, "updated_at": now}
                    if severity != row.severity:
                        more = _rank(severity) < _rank(row.severity)
                        kind = "escalated" if more else None
                        verb = "escalated" if more else "eased"
                        events.append((verb, f"{row.severity} → {severity}"))
                        values |= {"severity": severity, "title": title_of(group, conditions)}
                    conn.execute(t.update().where(t.c.id == row.id).values(**values))
                if events:
                    conn.execute(
                        ev.insert(),
                        [
                            {"incident_id": incident_id, "at": now, "kind": k, "message": m[:2000]}
                            for k, m in events
                        ],
                    )
                if kind is not None:
                    changes.append(Change(kind, _incident(conn, incident_id)))
        return changes

    def _any_open(self) -> bool:
        t = schema.incidents
        with self.engine.connect() as conn:
            query = sa.select(t.c.id).where(t.c.open_group.is_not(None)).limit(1)
            return conn.execute(query).first() is not None

    def list(self, status: Status = "open", limit: int = 100) -> list[dict[str, Any]]:
        """Newest first."""
        t = schema.incidents
        query = sa.select(t).order_by(t.c.id.desc()).limit(limit)
        if status == "open":
            query = query.where(t.c.open_group.is_not(None))
        elif status == "closed":
            query = query.where(t.c.open_group.is_(None))
        with self.engine.connect() as conn:
            return [_as_json(row) for row in conn.execute(query)]

    def get(self, incident_id: int) -> dict[str, Any]:
        """One incident with its timeline, oldest event first."""
        with self.engine.connect() as conn:
            incident = _incident(conn, incident_id)
            ev = schema.incident_events
            events = conn.execute(
                sa.select(ev).where(ev.c.incident_id == incident_id).order_by(ev.c.id)
            )
            incident["timeline"] = [
                {"at": _iso(e.at), "kind": e.kind, "message": e.message} for e in events
            ]
        return incident

    def acknowledge(self, incident_id: int, actor: str) -> dict[str, Any]:
        """Someone is on it: recorded once, on an open incident."""
        t, ev = schema.incidents, schema.incident_events
        now = datetime.now(UTC)
        with write(self.engine) as conn:
            incident = _incident(conn, incident_id)
            if incident["status"] != "open":
                raise Conflict(f"incident {incident_id} is closed", code="incident_closed")
            if incident["acknowledged_by"] is None:
                conn.execute(
                    t.update()
                    .where(t.c.id == incident_id)
                    .values(acknowledged_by=actor, acknowledged_at=now)
                )
                conn.execute(
                    ev.insert().values(
                        incident_id=incident_id, at=now, kind="acknowledged", message=actor
                    )
                )
        return self.get(incident_id)

    def note(self, incident_id: int, kind: str, message: str) -> None:
        """Append to a timeline (a notification's outcome)."""
        ev = schema.incident_events
        with write(self.engine) as conn:
            conn.execute(
                ev.insert().values(
                    incident_id=incident_id,
                    at=datetime.now(UTC),
                    kind=kind,
                    message=message[:2000],
                )
            )


def merge(
    held: dict[str, Any], seen: Sequence[Condition], now: float, clear_s: float
) -> tuple[dict[str, Any], list[tuple[str, str]]]:
    """An incident's conditions after one server's report at ``now`` (epoch seconds), and the
    timeline events that says: conditions first seen or changing severity, and those cleared.

    >>> held, events = merge({}, [Condition("endpoint:a", "errors", "P1", "12% errors")], 0, 60)
    >>> events
    [('seen', 'P1 12% errors')]
    >>> merge(held, [], 61, 60)[1]
    [('cleared', '12% errors (not seen for 60 s)')]
    """
    out = {key: dict(value) for key, value in held.items()}
    events: list[tuple[str, str]] = []
    for condition in seen:
        old = out.get(condition.key)
        if old is None:
            events.append(("seen", f"{condition.severity} {condition.summary}"))
        elif old["severity"] != condition.severity:
            events.append(("seen", f"now {condition.severity}: {condition.summary}"))
        out[condition.key] = {
            "severity": condition.severity,
            "summary": condition.summary,
            "first_seen": old["first_seen"] if old is not None else now,
            "last_seen": now,
        }
    for key, value in list(out.items()):
        if now - value["last_seen"] > clear_s:
            del out[key]
            events.append(("cleared", f"{value['summary']} (not seen for {clear_s:g} s)"))
    return out, events


def worst(conditions: dict[str, Any]) -> Severity | None:
    """The most severe of the conditions (P0 before P1), None when there are none."""
    severities: list[Severity] = [value["severity"] for value in conditions.values()]
    return min(severities, key=_rank, default=None)


def title_of(group: str, conditions: dict[str, Any]) -> str:
    """``churn: breaker of churn@3 open: …`` — the group and its worst condition."""
    key = min(conditions, key=lambda k: (_rank(conditions[k]["severity"]), k))
    return f"{group.removeprefix('endpoint:')}: {conditions[key]['summary']}"[:500]


def _rank(severity: str) -> int:
    return int(severity[1])


def _incident(conn: sa.Connection, incident_id: int) -> dict[str, Any]:
    t = schema.incidents
    row = conn.execute(sa.select(t).where(t.c.id == incident_id)).first()
    if row is None:
        raise NotFound(f"incident {incident_id} does not exist", code="incident_not_found")
    return _as_json(row)


def _as_json(row: Any) -> dict[str, Any]:
    conditions = [
        {
            "key": key,
            "severity": value["severity"],
            "summary": value["summary"],
            "since": _iso(datetime.fromtimestamp(value["first_seen"], UTC)),
            "last_seen": _iso(datetime.fromtimestamp(value["last_seen"], UTC)),
        }
        for key, value in sorted(
            row.conditions.items(), key=lambda item: (item[1]["severity"], item[0])
        )
    ]
    severity: Severity = row.severity
    return {
        "id": row.id,
        "group": row.group,
        "endpoint": row.group.removeprefix("endpoint:")
        if row.group.startswith("endpoint:")
        else None,
        "severity": severity,
        "title": row.title,
        "status": "open" if row.open_group is not None else "closed",
        "opened_at": _iso(row.opened_at),
        "updated_at": _iso(row.updated_at),
        "closed_at": _iso(row.closed_at) if row.closed_at is not None else None,
        "acknowledged_by": row.acknowledged_by,
        "acknowledged_at": _iso(row.acknowledged_at) if row.acknowledged_at else None,
        "conditions": conditions,
    }


def _iso(at: datetime) -> str:
    return (at if at.tzinfo else at.replace(tzinfo=UTC)).isoformat()
