"""The dashboard under ``/ui``: HTML pages, the JSON views they refresh from every few seconds,
and their static files. Read-only; the pages are rendered by ``pasarela.ui``.

The statistics are blocking database reads: most routes are plain ``def``, which FastAPI runs
in its thread pool; the experiment routes call ``asyncio.to_thread`` themselves.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any
from urllib.parse import quote

import orjson
from fastapi import APIRouter, Request, Response
from fastapi.responses import FileResponse, RedirectResponse

from pasarela.control.experiments import list_experiments
from pasarela.control.rollouts import rollout_status
from pasarela.errors import InvalidRequest, NotFound
from pasarela.registry.service import Registry
from pasarela.serving.dataplane import DataPlane
from pasarela.serving.snapshot import ServedEndpoint
from pasarela.storage import schema
from pasarela.storage.column_ranges import integer_max
from pasarela.storage.incidents import IncidentRepository
from pasarela.storage.telemetry import TelemetryRepository
from pasarela.telemetry.aggregates import chart_span, endpoint_stats
from pasarela.telemetry.feedback import FeedbackService
from pasarela.ui import (
    DEFAULT_WINDOW,
    endpoint_view,
    page_view,
    render_endpoint,
    render_error,
    render_overview,
    static_file,
    window_named,
)
from pasarela.ui.experiments import effect_over_time, experiment_page
from pasarela.ui.incidents import incident_view, incidents_view
from pasarela.ui.pages import (
    render_experiments,
    render_incident,
    render_incidents,
    render_rollout,
)
from pasarela.ui.rollouts import rollout_view

router = APIRouter(include_in_schema=False)

_STATIC_CACHE = "public, max-age=3600"  # URLs carry ?v=<pasarela version>


def _html(body: str, status_code: int = 200) -> Response:
    return Response(body, status_code=status_code, media_type="text/html; charset=utf-8")


def _json(data: Any) -> Response:
    return Response(orjson.dumps(data), media_type="application/json")


def _endpoints(request: Request) -> dict[str, ServedEndpoint]:
    plane: DataPlane = request.app.state.dataplane
    return dict(plane.snapshot.endpoints)


def _view(request: Request, served: ServedEndpoint, window: str, *, detail: bool) -> Any:
    repo: TelemetryRepository = request.app.state.telemetry
    feedback: FeedbackService = request.app.state.feedback
    span = window_named(window)
    now = time.time()
    stats = endpoint_stats(repo, served.spec.name, span.seconds, now=now, feedback=feedback.repo)
    problem = None if served.error is None else served.error.message
    plane: DataPlane = request.app.state.dataplane
    spec = served.spec
    latency = repo.latency_series(spec.name, chart_span(span.seconds, now)) if detail else None
    experiment = spec.options.get("experiment") if spec.policy == "experiment" else None
    return endpoint_view(
        stats,
        window=span,
        now=now,
        policy=spec.policy,
        problem=problem,
        by_version=detail,
        breakers=plane.breakers(spec.name) if detail else (),
        latency=latency,
        experiment=experiment if isinstance(experiment, str) else None,
    )


def _overview(request: Request, window: str) -> dict[str, Any]:
    window_named(window)  # refuse an unknown window even when nothing is served
    served = sorted(_endpoints(request).items())
    return page_view(window, [_view(request, e, window, detail=False) for _, e in served])


def _endpoint(request: Request, name: str, window: str) -> dict[str, Any]:
    served = _endpoints(request).get(name)
    if served is None:
        raise NotFound(f"endpoint {name!r} does not exist", code="endpoint_not_found")
    return page_view(window, [_view(request, served, window, detail=True)])


@router.get("/ui")
def overview_page(request: Request, window: str = DEFAULT_WINDOW) -> Response:
    """Every endpoint: traffic, errors, latency, version shares, feedback, charts."""
    try:
        return _html(render_overview(_overview(request, window)))
    except InvalidRequest as exc:
        return _html(render_error(400, "Not a window offered here", exc.message), 400)


@router.get("/ui/endpoints/{name}")
def endpoint_page(request: Request, name: str, window: str = DEFAULT_WINDOW) -> Response:
    """One endpoint, with a row per version."""
    try:
        return _html(render_endpoint(_endpoint(request, name, window)))
    except NotFound:
        message = f"No endpoint named {name!r} is being served."
        return _html(render_error(404, "Endpoint not found", message), 404)
    except InvalidRequest as exc:
        return _html(render_error(400, "Not a window offered here", exc.message), 400)


@router.get("/ui/endpoints/{name}/rollout")
def rollout_page(request: Request, name: str) -> Response:
    """Where the endpoint's rollout stands, every verdict with its numbers, its history and
    its revisions."""
    try:
        return _html(render_rollout(rollout_view(rollout_status(_registry(request), name))))
    except NotFound:
        message = f"No endpoint named {name!r} exists."
        return _html(render_error(404, "Endpoint not found", message), 404)


@router.get("/ui/data/overview")
def overview_data(request: Request, window: str = DEFAULT_WINDOW) -> Response:
    """The overview's view as JSON, for its refresh."""
    return _json(_overview(request, window))


@router.get("/ui/data/endpoints/{name}")
def endpoint_data(request: Request, name: str, window: str = DEFAULT_WINDOW) -> Response:
    """An endpoint page's view as JSON, for its refresh."""
    return _json(_endpoint(request, name, window))


def _registry(request: Request) -> Registry:
    registry: Registry = request.app.state.registry
    return registry


@router.get("/ui/experiments")
def experiments_page(request: Request) -> Response:
    """Every experiment, linking to its page and its endpoint's."""
    rows = [
        {
            "id": e.id,
            "href": f"/ui/experiments/{quote(e.id, safe='')}",
            "endpoint": e.spec.name,
            "endpoint_href": f"/ui/endpoints/{quote(e.spec.name, safe='')}",
            "phase": e.phase,
            "variants": ", ".join(f"{v.name} ({v.target})" for v in e.options.variants),
        }
        for e in sorted(list_experiments(_registry(request)), key=lambda e: e.id)
    ]
    return _html(render_experiments(rows))


@router.get("/ui/experiments/{experiment_id}")
async def experiment_html(request: Request, experiment_id: str) -> Response:
    """One experiment: its variants, sample ratio, conclusions and effect chart."""
    try:
        return _html(await asyncio.to_thread(experiment_page, _registry(request), experiment_id))
    except NotFound:
        message = f"There is no experiment {experiment_id!r}."
        return _html(render_error(404, "Experiment not found", message), 404)


@router.get("/ui/data/experiments/{experiment_id}")
async def experiment_data(request: Request, experiment_id: str) -> Response:
    """The experiment's effect over time (one report per cumulative window), for its chart."""
    return _json(await asyncio.to_thread(effect_over_time, _registry(request), experiment_id))


def _incidents(request: Request) -> IncidentRepository:
    repo: IncidentRepository = request.app.state.incidents
    return repo


@router.get("/ui/incidents")
def incidents_page(request: Request) -> Response:
    """Open incidents, then the recently closed ones."""
    repo = _incidents(request)
    return _html(render_incidents(incidents_view(repo.list("open"), repo.list("all", 50))))


@router.get("/ui/incidents/{incident_id}")
def incident_page(request: Request, incident_id: str) -> Response:
    """One incident: what is wrong now and its timeline."""
    try:
        # ASCII digits within the column's range: "²" is a digit int() refuses, and an id
        # past the column's range would fail in the database rather than find nothing.
        top = integer_max(schema.incidents.c.id)
        if not (
            incident_id.isascii()
            and incident_id.isdigit()
            and len(incident_id) <= len(str(top))
            and 1 <= int(incident_id) <= top
        ):
            raise NotFound(incident_id)
        found = _incidents(request).get(int(incident_id))
        return _html(render_incident(incident_view(found)))
    except NotFound:
        message = f"There is no incident {incident_id}."
        return _html(render_error(404, "Incident not found", message), 404)


@router.get("/ui/static/{path:path}")
def static(path: str) -> Response:
    """The dashboard's script, style sheet and the vendored uPlot."""
    found = static_file(path)
    if found is None:
        raise NotFound(f"no static file {path!r}")
    return FileResponse(found, headers={"Cache-Control": _STATIC_CACHE})


@router.get("/ui/{path:path}")
def unknown_page(path: str) -> Response:
    if not path:
        return RedirectResponse("/ui", status_code=308)
    return _html(render_error(404, "Page not found", f"There is no page /ui/{path}."), 404)
