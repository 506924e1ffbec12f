"""Control-plane routes: apply manifests, read endpoints back, drive rollouts and experiments,
shadow and experiment reports.

Each route parses, calls a ``control`` function in a worker thread (they do database I/O) and
then refreshes this server's snapshot, so the change serves here at once; other servers pick
it up within ``snapshot_poll_s``.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any, cast

import orjson
from fastapi import APIRouter, Request, Response

from pasarela.api.params import bounded_id
from pasarela.api.routes import _json, _plane
from pasarela.control.apply import apply_specs
from pasarela.control.experiment_report import experiment_report
from pasarela.control.experiments import list_experiments, start, stop
from pasarela.control.manifest import parse_document, parse_manifests, to_yaml
from pasarela.control.rollouts import ACTIONS, rollout_status, run_action, spec_of
from pasarela.control.workspace import Workspace
from pasarela.errors import InvalidRequest, NotFound
from pasarela.registry.service import Registry
from pasarela.security.roles import Principal
from pasarela.storage import schema
from pasarela.storage.incidents import IncidentRepository, Status
from pasarela.storage.windows import shadow_rows
from pasarela.telemetry.aggregates import parse_window
from pasarela.telemetry.shadows import shadow_report

router = APIRouter(prefix="/admin", tags=["admin"])


def actor(request: Request) -> str:
    """Who is calling, for the records of what they changed: the key's id or the token's
    subject (``anonymous`` while an install has no key yet)."""
    principal: Principal | None = getattr(request.state, "principal", None)
    return principal.subject if principal is not None else "anonymous"


def _registry(request: Request) -> Registry:
    registry: Registry = request.app.state.registry
    return registry


def _workspace(request: Request) -> Workspace:
    """The process's workspace; built once over the app's registry where the wiring has not
    set one."""
    state = request.app.state
    found: Workspace | None = getattr(state, "workspace", None)
    if found is None or found.registry is not state.registry:
        found = state.workspace = Workspace(state.registry)
    return found


def _parse_json(body: bytes) -> Any:
    try:
        return orjson.loads(body)
    except orjson.JSONDecodeError as exc:
        raise InvalidRequest(f"the body is not valid JSON: {exc}", code="invalid_json") from None


@router.post("/apply")
async def apply(request: Request) -> Response:
    """Create or update endpoints from a manifest: YAML (``application/yaml``, several
    ``---`` documents allowed) or JSON (one manifest or a list). Unchanged ones stay as they are."""
    body = await request.body()
    kind = request.headers.get("content-type", "")
    if "json" in kind:
        try:
            parsed: Any = orjson.loads(body)
        except orjson.JSONDecodeError as exc:
            raise InvalidRequest(
                f"the body is not valid JSON: {exc}", code="invalid_json"
            ) from None
        documents = parsed if isinstance(parsed, list) else [parsed]
        specs = [parse_document(d, f"manifest {i + 1}") for i, d in enumerate(documents)]
    else:
        try:
            text = body.decode()
        except UnicodeDecodeError:
            raise InvalidRequest(
                "the manifest is not UTF-8 text", code="invalid_manifest"
            ) from None
        # Off the event loop: parsing is bounded (safe_yaml) but not free.
        specs = await asyncio.to_thread(parse_manifests, text, "manifest")
    registry = _registry(request)
    changes = await asyncio.to_thread(apply_specs, registry, specs, actor=actor(request))
    await _plane(request).refresh()
    return _json({"changes": [c.to_json() for c in changes]})


@router.get("/endpoints/{name}")
async def get_endpoint(
    request: Request, name: str, format: str = "json", revision: int | None = None
) -> Response:
    """The endpoint's manifest (``format=yaml`` for the text ``apply`` reads), live or as it was
    at ``revision``."""
    if revision is not None:
        bounded_id(revision, schema.endpoint_revisions.c.revision, "revision")
    spec = await asyncio.to_thread(spec_of, _registry(request), name, revision)
    if format == "yaml":
        return Response(to_yaml(spec), media_type="application/yaml")
    if format != "json":
        raise InvalidRequest("format is json or yaml")
    return _json(spec.to_manifest())


@router.get("/endpoints/{name}/rollout")
async def get_rollout(request: Request, name: str) -> Response:
    """Where the endpoint's rollout stands: state (canary), history and revisions."""
    return _json(await asyncio.to_thread(rollout_status, _registry(request), name))


@router.post("/endpoints/{name}/rollout/{action}")
async def rollout_action(request: Request, name: str, action: str) -> Response:
    """``promote``, ``abort``, ``pause``, ``resume`` (canary), ``switch`` (blue-green) or
    ``undo`` (any endpoint; body ``{"revision": N}`` to restore a given revision)."""
    if action not in ACTIONS:
        raise NotFound(f"no rollout action {action!r}; one of {', '.join(ACTIONS)}")
    revision = None
    body = await request.body()
    if body.strip():
        parsed = _parse_json(body)
        revision = parsed.get("revision") if isinstance(parsed, dict) else None
        if revision is not None and not isinstance(revision, int):
            raise InvalidRequest("'revision' must be an integer")
        if revision is not None:
            bounded_id(revision, schema.endpoint_revisions.c.revision, "revision")
    result = await asyncio.to_thread(
        run_action, _registry(request), name, action, actor=actor(request), revision=revision
    )
    await _plane(request).refresh()
    return _json(result)


@router.get("/endpoints/{name}/shadow")
async def get_shadow_report(request: Request, name: str, window: str = "1h") -> Response:
    """How the endpoint's shadow versions compare with what served, over ``window``."""
    seconds = parse_window(window)
    workspace = _workspace(request)
    await asyncio.to_thread(workspace.endpoints.get, name)  # 404 for unknown endpoints
    rows = await asyncio.to_thread(shadow_rows, workspace.engine, name, time.time() - seconds)
    return _json(shadow_report(name, seconds, rows))


@router.get("/experiments")
async def list_all_experiments(request: Request) -> Response:
    """Every experiment: its endpoint, phase and variants."""
    found = await asyncio.to_thread(list_experiments, _registry(request))
    return _json(
        {
            "experiments": [
                {
                    "experiment": e.id,
                    "endpoint": e.spec.name,
                    "phase": e.phase,
                    "variants": [v.model_dump() for v in e.options.variants],
                }
                for e in found
            ]
        }
    )


@router.post("/experiments/{experiment_id}/start")
async def start_experiment(request: Request, experiment_id: str) -> Response:
    """draft → running: traffic splits from now on."""
    result = await asyncio.to_thread(start, _registry(request), experiment_id, actor=actor(request))
    await _plane(request).refresh()
    return _json(result)


@router.post("/experiments/{experiment_id}/stop")
async def stop_experiment(request: Request, experiment_id: str) -> Response:
    """running → stopped. Body (optional): ``{"winner": "treatment", "roll_out": true,
    "conclusion": "…"}``; ``roll_out`` makes the winner the endpoint's single version."""
    body = await request.body()
    parsed = _parse_json(body) if body.strip() else {}
    if not isinstance(parsed, dict):
        raise InvalidRequest("the body must be an object")
    winner = parsed.get("winner")
    roll_out = parsed.get("roll_out", False)
    conclusion = parsed.get("conclusion", "")
    if winner is not None and not isinstance(winner, str):
        raise InvalidRequest("'winner' must be a variant name")
    if not isinstance(roll_out, bool) or not isinstance(conclusion, str):
        raise InvalidRequest("'roll_out' is a boolean and 'conclusion' a string")
    result = await asyncio.to_thread(
        stop,
        _registry(request),
        experiment_id,
        actor=actor(request),
        winner=winner,
        roll_out=roll_out,
        conclusion=conclusion,
    )
    await _plane(request).refresh()
    return _json(result)


@router.get("/experiments/{experiment_id}/report")
async def get_experiment_report(request: Request, experiment_id: str) -> Response:
    """Effects per variant with fixed-horizon, sequential and Bayesian readings, the
    sample-ratio check, and what can be concluded yet."""
    return _json(await asyncio.to_thread(experiment_report, _registry(request), experiment_id))


# -- incidents ------------------------------------------------------------------------------
def _incidents(request: Request) -> IncidentRepository:
    repo: IncidentRepository = request.app.state.incidents
    return repo


@router.get("/incidents")
async def list_incidents(request: Request, status: str = "open", limit: int = 100) -> Response:
    """Incidents, newest first: ``status`` is ``open`` (default), ``closed`` or ``all``."""
    if status not in ("open", "closed", "all"):
        raise InvalidRequest("status is one of open, closed, all", code="invalid_status")
    if not 1 <= limit <= 1000:
        raise InvalidRequest("limit is between 1 and 1000", code="invalid_limit")
    chosen = cast(Status, status)
    return _json(await asyncio.to_thread(_incidents(request).list, chosen, limit))


@router.get("/incidents/{incident_id}")
async def get_incident(request: Request, incident_id: int) -> Response:
    """One incident, its conditions and its timeline."""
    bounded_id(incident_id, schema.incidents.c.id, "incident_id")
    return _json(await asyncio.to_thread(_incidents(request).get, incident_id))


@router.post("/incidents/{incident_id}/acknowledge")
async def acknowledge_incident(request: Request, incident_id: int) -> Response:
    """Say someone is on it (recorded on the timeline with who). Incidents close by
    themselves when their conditions clear."""
    bounded_id(incident_id, schema.incidents.c.id, "incident_id")
    repo = _incidents(request)
    return _json(await asyncio.to_thread(repo.acknowledge, incident_id, actor(request)))
