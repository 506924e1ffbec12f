"""``create_app(settings)``: the ASGI application of a pasarela server."""

from __future__ import annotations

import asyncio
import gc
import logging
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.utils import get_openapi
from fastapi.responses import Response
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import Receive, Scope, Send

from pasarela._version import __version__
from pasarela.api import admin_routes, login_routes, routes, security_routes, ui_routes
from pasarela.api.errors import error_body, error_headers, status_for
from pasarela.api.gate import Gate
from pasarela.api.hotpath import (
    HotPath,
    correlation_headers,
    new_request_id,
    request_headers,
    respond_error,
)
from pasarela.api.permissions import RouteTable, check_complete
from pasarela.api.schemas import HOT_ROUTES, add_hot_routes
from pasarela.api.ui_security import (
    is_ui,
    login_location,
    parse_proxies,
    redirects_to_login,
    send_redirect,
    with_ui_headers,
)
from pasarela.control.backup import BackupJob
from pasarela.control.bandit import BanditController
from pasarela.control.canary import CanaryController
from pasarela.control.erasure import CacheErasure
from pasarela.control.jobs import run_jobs
from pasarela.control.leader import Leadership
from pasarela.control.retention import RetentionJob
from pasarela.control.workspace import open_registry
from pasarela.errors import ConfigurationError, PasarelaError, Unauthenticated
from pasarela.guards.size import BodyLimit
from pasarela.security.crypto import PayloadCipher
from pasarela.security.ratelimit.base import Limit, RateLimiter
from pasarela.security.ratelimit.memory import MemoryRateLimiter
from pasarela.security.ratelimit.redis import RedisRateLimiter
from pasarela.security.sessions import DashboardSessions
from pasarela.serving.cache import CacheUnavailable
from pasarela.serving.dataplane import DataPlane
from pasarela.settings import Settings
from pasarela.storage.audit import AuditRepository
from pasarela.storage.db import UNREACHABLE, unavailable, upgrade
from pasarela.storage.feedback import FeedbackRepository
from pasarela.storage.incidents import IncidentRepository
from pasarela.storage.sessions import SessionRepository
from pasarela.storage.telemetry import TelemetryRepository
from pasarela.telemetry.feedback import FeedbackService
from pasarela.telemetry.incidents import IncidentWatch
from pasarela.telemetry.journal import Journal
from pasarela.telemetry.metrics import Metrics
from pasarela.telemetry.notifiers import build_notifiers
from pasarela.telemetry.payloads import SealingPayloadCodec
from pasarela.telemetry.recent import RecentRequests
from pasarela.telemetry.records import Recorder
from pasarela.telemetry.security_events import SecurityEvents
from pasarela.telemetry.writer import WriterProcess

log = logging.getLogger(__name__)

_CODE_BY_STATUS = {404: "not_found", 405: "method_not_allowed", 413: "payload_too_large"}


class PasarelaAPI(FastAPI):
    """FastAPI with the prediction routes answered before its middleware stack (see hotpath),
    and every other request admitted by the gate first (see gate)."""

    hot_path: HotPath

    gate: Gate

    body_limit: BodyLimit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            if await self.hot_path.handle(scope, receive, send):
                return
            headers = request_headers(scope)
            method, path = scope["method"], scope["path"]
            if is_ui(path):
                send = with_ui_headers(send)
            try:
                principal = await self.gate.admit(method, path, headers)
                self.body_limit.check_declared(headers.get("content-length"))
            except Unauthenticated as exc:
                if redirects_to_login(method, path):  # a browser: to the form, not to JSON
                    query = scope.get("query_string", b"").decode("latin-1")
                    await send_redirect(send, login_location(path, query))
                else:
                    await respond_error(send, exc, new_request_id(headers), path)
                return
            except PasarelaError as exc:
                await respond_error(
                    send, exc, new_request_id(headers), scope["path"], correlation_headers(headers)
                )
                return
            scope.setdefault("state", {})["principal"] = principal
            receive = self.body_limit.wrap(receive)
        await super().__call__(scope, receive, send)


def create_app(settings: Settings | None = None) -> PasarelaAPI:
    """Build the server: registry on the configured database, data plane, routes.

    Example::

        app = create_app(Settings(home=Path("/tmp/p")))
        uvicorn.run(app)
    """
    settings = settings or Settings()
    registry = open_registry(settings, migrate=False)
    engine = registry.repo.engine
    metrics = Metrics()
    telemetry = TelemetryRepository(engine, decode=registry.decode)
    journal = (
        Journal.open(
            settings.home / "journal",
            max_bytes=settings.spool_max_bytes,
            on_drop=metrics.records_dropped.inc,
        )
        if settings.records
        else None
    )
    # Payloads are sealed before they reach the journal: nothing in clear on disk.
    cipher = registry.payloads if isinstance(registry.payloads, PayloadCipher) else None
    codec = SealingPayloadCodec(cipher) if settings.encrypt_payloads and cipher else None
    recent = RecentRequests()  # whose each request was, for feedback's scope check
    recorder = Recorder(journal, codec=codec, recent=recent) if journal is not None else None
    writer = WriterProcess(journal.directory, settings) if journal is not None else None
    if journal is not None:
        metrics.count_quarantined(journal.directory.parent)
    limiter: RateLimiter = (
        RedisRateLimiter(
            settings.rate_limit_redis_url, on_fallback=metrics.rate_limit_fallbacks.inc
        )
        if settings.rate_limit_redis_url
        else MemoryRateLimiter()
    )
    events = SecurityEvents(AuditRepository(engine))
    default_limit = (
        Limit.parse(settings.default_key_rate_limit) if settings.default_key_rate_limit else None
    )
    dataplane = DataPlane(
        settings,
        registry,
        metrics,
        recorder=recorder,
        limiter=limiter,
        events=events,
        default_key_limit=default_limit,
    )
    erasure = CacheErasure(engine, dataplane.caches, CacheUnavailable)
    dataplane.after_refresh(erasure.forget_erased)
    try:
        parse_proxies(settings.trusted_proxies)
    except ValueError as exc:
        raise ConfigurationError(f"PASARELA_TRUSTED_PROXIES: {exc}") from exc
    sessions = DashboardSessions(SessionRepository(engine), ttl_s=settings.ui_session_hours * 3600)
    gate = Gate(RouteTable(), dataplane.admission, events, sessions)
    controller = CanaryController(registry)
    bandits = BanditController(registry)
    retention = RetentionJob(registry, settings.retention_days)
    backups = BackupJob(settings)
    incidents = IncidentRepository(engine)
    watch = IncidentWatch(
        incidents,
        dataplane.conditions,
        registry.repo.rollout_states,
        build_notifiers(settings),
        clear_s=settings.incident_clear_s,
        canary_hold_s=settings.incident_canary_hold_s,
        quarantined=telemetry.quarantined_since,
    )

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        if settings.migrate_on_start or engine.dialect.name == "sqlite":
            await asyncio.to_thread(upgrade, engine)
        if codec is not None and cipher is not None:
            await asyncio.to_thread(cipher.ensure_key)
        if writer is not None:
            await writer.start()
        await dataplane.start()
        stop_jobs = asyncio.Event()
        jobs = []
        if settings.controller:
            leader = Leadership(engine, settings.home / "leader.lock")
            jobs.append(
                asyncio.create_task(
                    run_jobs(
                        [controller.tick, bandits.tick, retention.tick, backups.tick],
                        settings.controller_poll_s,
                        stop_jobs,
                        leader,
                    ),
                    name="controllers",
                )
            )
        jobs.append(asyncio.create_task(_flush_events(events, stop_jobs), name="security-events"))
        if settings.incidents:
            run = watch.run(stop_jobs, settings.incident_poll_s)
            jobs.append(asyncio.create_task(run, name="incident-watch"))
        # Everything loaded so far (modules, models) lives as long as the process; keep the
        # cyclic GC from rescanning it, which otherwise pauses requests for tens of ms.
        gc.freeze()
        try:
            yield
        finally:
            stop_jobs.set()
            await asyncio.gather(*jobs, return_exceptions=True)
            await dataplane.stop()
            await asyncio.to_thread(events.flush)
            await limiter.close()
            if writer is not None and journal is not None:
                await writer.stop()
                journal.close()
            engine.dispose()

    app = PasarelaAPI(
        title="pasarela",
        version=__version__,
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.registry = registry
    app.state.dataplane = dataplane
    app.state.erasure = erasure
    app.state.controller = controller
    app.state.metrics = metrics
    app.state.telemetry = telemetry
    app.state.incidents = incidents
    app.state.feedback = FeedbackService(FeedbackRepository(engine), journal, metrics, recent)
    app.state.writer = writer
    app.state.sessions = sessions
    app.include_router(routes.router)
    app.include_router(admin_routes.router)
    # Before the dashboard's router: its catch-all GET /ui/{path} would take /ui/login.
    app.include_router(security_routes.router)
    app.include_router(login_routes.router)
    app.include_router(ui_routes.router)
    app.state.events = events
    _install_error_handlers(app)
    app.gate = gate
    app.body_limit = BodyLimit(settings.max_body_bytes)
    app.hot_path = HotPath(dataplane, app.body_limit)
    check_complete(served_routes(app))

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = get_openapi(title=app.title, version=app.version, routes=app.routes)
            app.openapi_schema = add_hot_routes(schema)
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
    return app


def served_routes(app: FastAPI) -> list[tuple[str, str]]:
    """Every (method, path template) the app answers, the hot routes included."""
    served = [("POST", p) for p in HOT_ROUTES]
    routers = [
        routes.router,
        admin_routes.router,
        ui_routes.router,
        security_routes.router,
        login_routes.router,
    ]
    found: list[Any] = [r for router in routers for r in router.routes]
    found += [r for r in app.routes if isinstance(getattr(r, "path", None), str)]
    for route in found:
        served += [(method, route.path) for method in getattr(route, "methods", None) or ()]
    return served


async def _flush_events(events: SecurityEvents, stop: asyncio.Event) -> None:
    """Append the security events counted on the hot path to the audit log, every second."""
    while not stop.is_set():
        with suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=1.0)
        await asyncio.to_thread(events.flush)


def _install_error_handlers(app: FastAPI) -> None:
    def request_id(request: Request) -> str:
        del request  # a client's X-Request-Id never becomes a request's id: it is echoed
        return uuid.uuid4().hex

    def correlation(request: Request) -> dict[str, str]:
        given = request.headers.get("x-request-id")
        echo = correlation_headers({"x-request-id": given} if given else {})
        return {k.decode(): v.decode("latin-1") for k, v in echo}

    @app.exception_handler(PasarelaError)
    async def domain_error(request: Request, exc: PasarelaError) -> Response:
        headers = {k.decode(): v.decode() for k, v in error_headers(exc)} | correlation(request)
        return Response(
            error_body(exc.code, exc.message, request_id(request), path=request.url.path),
            status_code=status_for(exc),
            media_type="application/json",
            headers=headers,
        )

    async def database_unavailable(request: Request, exc: Exception) -> Response:
        # Any route that reads the database while it is away: a coded 503 with Retry-After,
        # as storage translates it, instead of a 500 and a traceback.
        return await domain_error(request, unavailable(exc))

    for unreachable in UNREACHABLE:
        app.add_exception_handler(unreachable, database_unavailable)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        code = _CODE_BY_STATUS.get(exc.status_code, "invalid_request")
        message = str(exc.detail) if exc.status_code != 404 else f"no route {request.url.path}"
        return Response(
            error_body(code, message, request_id(request), path=request.url.path),
            status_code=exc.status_code,
            media_type="application/json",
            headers={**(exc.headers or {}), **correlation(request)},  # a 405's Allow
        )

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> Response:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()
        )
        return Response(
            error_body("invalid_request", problems, request_id(request), path=request.url.path),
            status_code=400,
            media_type="application/json",
            headers=correlation(request),
        )

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> Response:
        log.error("unexpected error on %s", request.url.path, exc_info=exc)
        return Response(
            error_body(
                "internal_error", "internal error", request_id(request), path=request.url.path
            ),
            status_code=500,
            media_type="application/json",
            headers=correlation(request),
        )
