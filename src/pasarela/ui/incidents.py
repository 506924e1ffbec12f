"""What the incident pages show, as plain data: the open incidents and the recently closed ones,
and one incident's conditions and timeline. Pure; the routes read the repository."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import quote

from pasarela.ui.views import DASH


def _when(iso: str | None) -> str:
    return iso[:19].replace("T", " ") + " UTC" if iso else DASH


def _row(incident: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "id": incident["id"],
        "href": f"/ui/incidents/{incident['id']}",
        "severity": incident["severity"],
        "status": incident["status"],
        "title": incident["title"],
        "opened": _when(incident["opened_at"]),
        "closed": _when(incident["closed_at"]),
        "acknowledged_by": incident["acknowledged_by"] or DASH,
    }


def incidents_view(
    open_ones: Sequence[Mapping[str, Any]], recent: Sequence[Mapping[str, Any]]
) -> dict[str, Any]:
    """The incidents page: open ones first, then recently closed ones."""
    closed = [i for i in recent if i["status"] == "closed"]
    return {"open": [_row(i) for i in open_ones], "closed": [_row(i) for i in closed]}


def incident_view(incident: Mapping[str, Any]) -> dict[str, Any]:
    """One incident's page."""
    endpoint = incident["endpoint"]
    return {
        **_row(incident),
        "endpoint": endpoint,
        "endpoint_href": f"/ui/endpoints/{quote(endpoint, safe='')}" if endpoint else None,
        "conditions": [
            {
                "severity": c["severity"],
                "summary": c["summary"],
                "since": _when(c["since"]),
                "last_seen": _when(c["last_seen"]),
            }
            for c in incident["conditions"]
        ],
        "timeline": [
            {"at": _when(e["at"]), "kind": e["kind"], "message": e["message"]}
            for e in incident["timeline"]
        ],
    }
