"""``pasarela incidents`` — list, show and acknowledge incidents (``telemetry/incidents.py``)."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.table import Table

from pasarela.cli.common import actor, console, reports_errors, workspace

if TYPE_CHECKING:
    from pasarela.storage.incidents import IncidentRepository

incidents_app = typer.Typer(
    help="Incidents: open breakers, fallback storms, error rates above the objective, failed "
    "canaries. Without a subcommand: the open ones.",
)

Id = Annotated[int, typer.Argument(help="Incident number")]


def _repo() -> IncidentRepository:
    return workspace().incidents


@incidents_app.callback(invoke_without_command=True)
@reports_errors
def incidents(
    ctx: typer.Context,
    show_all: Annotated[bool, typer.Option("--all", help="Closed ones too")] = False,
    limit: Annotated[int, typer.Option(help="At most this many, newest first")] = 50,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON")] = False,
) -> None:
    """The open incidents (``--all``: closed ones too), newest first."""
    if ctx.invoked_subcommand is not None:
        return
    found = _repo().list("all" if show_all else "open", limit)
    if as_json:
        print(json.dumps(found, indent=2))
        return
    if not found:
        console.print("no open incidents" if not show_all else "no incidents")
        return
    table = Table("#", "sev", "status", "opened", "title", "ack")
    for item in found:
        status = (
            item["status"] if item["status"] == "open" else f"closed {_time(item['closed_at'])}"
        )
        table.add_row(
            str(item["id"]),
            item["severity"],
            status,
            _time(item["opened_at"]),
            item["title"],
            item["acknowledged_by"] or "",
        )
    console.print(table)


@incidents_app.command("show")
@reports_errors
def show(
    incident_id: Id,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON")] = False,
) -> None:
    """One incident: its conditions and its timeline."""
    found = _repo().get(incident_id)
    if as_json:
        print(json.dumps(found, indent=2))
        return
    _print(found)


@incidents_app.command("ack")
@reports_errors
def acknowledge(incident_id: Id) -> None:
    """Say you are on it (recorded with your name); it still closes by itself."""
    found = _repo().acknowledge(incident_id, actor())
    console.print(f"incident {incident_id} acknowledged by {found['acknowledged_by']}")


def _print(incident: dict[str, Any]) -> None:
    console.print(
        f"incident [bold]#{incident['id']}[/] [{incident['severity']}] {incident['title']}",
        highlight=False,
    )
    closed = f", closed {_time(incident['closed_at'])}" if incident["closed_at"] else ""
    console.print(f"{incident['status']}: opened {_time(incident['opened_at'])}{closed}")
    if incident["acknowledged_by"]:
        console.print(f"acknowledged by {incident['acknowledged_by']}")
    for condition in incident["conditions"]:
        console.print(f"  now {condition['severity']}: {condition['summary']}", highlight=False)
    for event in incident.get("timeline", ()):
        console.print(
            f"  {_time(event['at'])}  {event['kind']:<13} {event['message']}",
            highlight=False,
            markup=False,
        )


def _time(iso: str) -> str:
    return iso[:19].replace("T", " ")
