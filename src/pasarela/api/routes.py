"""The non-hot routes: health, metrics, endpoint listing and Open Inference Protocol metadata."""

from __future__ import annotations

import asyncio
from typing import Any

import orjson
from fastapi import APIRouter, Request, Response
from fastapi.responses import PlainTextResponse

from pasarela._version import __version__
from pasarela.api.lifecycle import DRAINING
from pasarela.api.v2 import model_metadata
from pasarela.errors import InvalidRequest, NotFound, Unavailable
from pasarela.security.roles import Principal
from pasarela.serving.dataplane import DataPlane
from pasarela.serving.snapshot import LoadedVersion, ServedEndpoint
from pasarela.storage.telemetry import TelemetryRepository
from pasarela.telemetry.aggregates import endpoint_stats, parse_window
from pasarela.telemetry.feedback import FeedbackService, parse_feedback
from pasarela.telemetry.metrics import CONTENT_TYPE_LATEST

router = APIRouter()


def _json(data: Any, status_code: int = 200) -> Response:
    return Response(orjson.dumps(data), status_code=status_code, media_type="application/json")


def _plane(request: Request) -> DataPlane:
    plane: DataPlane = request.app.state.dataplane
    return plane


@router.get("/healthz", tags=["health"])
async def healthz() -> Response:
    """Liveness: the process answers."""
    return _json({"status": "ok"})


@router.get("/readyz", tags=["health"])
async def readyz(request: Request) -> Response:
    """Readiness: the snapshot is loaded and requests can be served."""
    plane = _plane(request)
    if DRAINING.is_set():  # asked to stop: let load balancers look elsewhere first
        return _json({"status": "draining"}, 503)
    if not plane.ready:
        return _json({"status": "starting"}, 503)
    return _json({"status": "ready", "revision": plane.snapshot.revision})


@router.get(
    "/metrics",
    tags=["health"],
    response_class=PlainTextResponse,
    responses={200: {"content": {CONTENT_TYPE_LATEST: {}}}},
)
async def metrics(request: Request) -> Response:
    """Prometheus metrics."""
    return Response(request.app.state.metrics.render(), media_type=CONTENT_TYPE_LATEST)


def _describe(endpoint: ServedEndpoint) -> dict[str, Any]:
    return {
        "name": endpoint.spec.name,
        "policy": endpoint.spec.policy,
        "targets": list(endpoint.spec.targets),
        "versions": [str(v) for v in endpoint.versions],
        "shadows": [str(s.id) for s in endpoint.shadows],
        "rollout": {k: endpoint.state[k] for k in ("phase", "weight") if k in endpoint.state}
        or None,
        "status": "serving" if endpoint.error is None else "failed",
        "error": None if endpoint.error is None else endpoint.error.message,
    }


@router.get("/v1/endpoints", tags=["endpoints"])
async def list_endpoints(request: Request) -> Response:
    """The endpoints this server is serving now."""
    endpoints = _plane(request).snapshot.endpoints.values()
    return _json({"endpoints": [_describe(e) for e in endpoints]})


@router.get("/v1/endpoints/{endpoint}", tags=["endpoints"])
async def get_endpoint(request: Request, endpoint: str) -> Response:
    served = _plane(request).snapshot.endpoints.get(endpoint)
    if served is None:
        raise NotFound(f"endpoint {endpoint!r} does not exist", code="endpoint_not_found")
    return _json(_describe(served))


@router.post("/v1/feedback", tags=["feedback"], status_code=202)
async def feedback(request: Request) -> Response:
    """Outcomes for earlier predictions, by ``request_id``: ``label``, ``reward``, ``rating``
    (1-5), ``task_completed``, ``cost``, free ``attributes``. One object, a list, or
    ``{"feedback": [...]}``. Idempotent per (request_id, kind); feedback may arrive before its
    record. 202 means it is stored durably. Values out of range: 422 ``invalid_feedback``. A
    key limited to endpoints: 403 on another endpoint's request, 409 ``record_pending`` (retry)
    on one this server neither answered lately nor finds recorded."""
    try:
        body = orjson.loads(await request.body())
    except orjson.JSONDecodeError as exc:
        raise InvalidRequest(f"the body is not valid JSON: {exc}", code="invalid_json") from None
    items = parse_feedback(body)
    service: FeedbackService = request.app.state.feedback
    principal: Principal | None = getattr(request.state, "principal", None)
    scope = principal.endpoints if principal is not None else None
    accepted = await asyncio.to_thread(service.submit, items, scope)
    return _json({"accepted": accepted}, 202)


@router.get("/admin/stats", tags=["admin"])
def stats(request: Request, endpoint: str, window: str = "1h") -> Response:
    """Traffic, errors, latency and version shares of an endpoint over a window (``15m``,
    ``1h``, ``24h``, ``7d``), from the per-minute aggregates."""
    repo: TelemetryRepository = request.app.state.telemetry
    service: FeedbackService = request.app.state.feedback
    return _json(endpoint_stats(repo, endpoint, parse_window(window), feedback=service.repo))


@router.get("/admin/breakers", tags=["admin"])
def breakers(request: Request, endpoint: str | None = None) -> Response:
    """The circuit breaker of every version each endpoint serves (or of one endpoint's):
    its state, and the successes and failures in its window, as this server sees them."""
    return _json(_plane(request).breakers(endpoint))


# -- Open Inference Protocol v2 --------------------------------------------------------------
@router.get("/v2", tags=["v2"])
async def server_metadata() -> Response:
    return _json({"name": "pasarela", "version": __version__, "extensions": ["binary_tensor_data"]})


@router.get("/v2/health/live", tags=["v2"])
async def v2_live() -> Response:
    return _json({"live": True})


@router.get("/v2/health/ready", tags=["v2"])
async def v2_ready(request: Request) -> Response:
    ready = _plane(request).ready
    return _json({"ready": ready}, 200 if ready else 503)


def _versions(plane: DataPlane, name: str, version: str | None) -> list[LoadedVersion]:
    """The served versions ``name`` (an endpoint or a model) answers with, oldest first."""
    endpoint = plane.snapshot.endpoints.get(name)
    if endpoint is not None:
        if endpoint.error is not None:
            raise Unavailable(f"{name!r} cannot serve: {endpoint.error.message}", code="not_ready")
        found = sorted(
            (s.loaded for s in endpoint.served.values()), key=lambda v: v.version.version
        )
    else:
        found = [s.loaded for _, s in sorted(plane.snapshot.versions_of(name).items())]
    if not found:
        raise NotFound(f"no endpoint or served model is named {name!r}", code="model_not_found")
    if version is not None:
        found = [v for v in found if str(v.version.version) == version]
        if not found:
            raise NotFound(f"{name!r} does not serve version {version}", code="version_not_found")
    return found


@router.get("/v2/models/{name}", tags=["v2"])
async def v2_model(request: Request, name: str) -> Response:
    return _json(model_metadata(name, _versions(_plane(request), name, None)))


@router.get("/v2/models/{name}/versions/{version}", tags=["v2"])
async def v2_model_version(request: Request, name: str, version: str) -> Response:
    return _json(model_metadata(name, _versions(_plane(request), name, version)))


@router.get("/v2/models/{name}/ready", tags=["v2"])
async def v2_model_ready(request: Request, name: str) -> Response:
    _versions(_plane(request), name, None)
    return _json({"name": name, "ready": True})


@router.get("/v2/models/{name}/versions/{version}/ready", tags=["v2"])
async def v2_model_version_ready(request: Request, name: str, version: str) -> Response:
    _versions(_plane(request), name, version)
    return _json({"name": name, "version": version, "ready": True})
