"""``create_app(settings)``: the ASGI application of a pasarela server."""

from __future__ import annotations

import logging
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
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
from pasarela.errors import ConfigurationError, PasarelaError, StorageUnavailable, Unauthenticated
from pasarela.guards.size import BodyLimit
from pasarela.server import Server
from pasarela.settings import Settings
from pasarela.storage.db import UNREACHABLE, unavailable

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
    """Build the server (``pasarela.server.Server``) and the HTTP app around it: routes, error
    handlers, the hot path, and a lifespan that starts and stops the server.

    Example::

        app = create_app(Settings(home=Path("/tmp/p")))
        uvicorn.run(app)
    """
    settings = settings or Settings()
    try:
        parse_proxies(settings.trusted_proxies)
    except ValueError as exc:
        raise ConfigurationError(f"PASARELA_TRUSTED_PROXIES: {exc}") from exc
    server = Server(settings)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        try:  # a start that fails half way still releases what it started
            await server.start()
            yield
        finally:
            await server.stop()

    app = PasarelaAPI(
        title="pasarela",
        version=__version__,
        lifespan=lifespan,
    )
    app.state.server = server
    app.state.settings = settings
    app.state.registry = server.registry
    app.state.workspace = server.workspace
    app.state.dataplane = server.dataplane
    app.state.controller = server.controller
    app.state.metrics = server.metrics
    app.state.telemetry = server.telemetry
    app.state.incidents = server.incidents
    app.state.feedback = server.feedback
    app.state.writer = server.writer
    app.state.sessions = server.sessions
    app.state.events = server.events
    app.state.erasure = server.erasure
    app.include_router(routes.router)
    app.include_router(admin_routes.router)
    # Before the dashboard's router: its catch-all GET /ui/{path} would take /ui/login.
    app.include_router(security_routes.router)
    app.include_router(login_routes.router)
    app.include_router(ui_routes.router)
    _install_error_handlers(app)
    # The door: the gate admits every non-prediction request through the data plane's
    # admission stage; the hot path answers the prediction routes before FastAPI's stack.
    app.gate = Gate(RouteTable(), server.dataplane.admission, server.events, server.sessions)
    app.body_limit = BodyLimit(settings.max_body_bytes)
    app.hot_path = HotPath(server.dataplane, app.body_limit)
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

    # StorageUnavailable carries the driver's line for logs: clients get the plain 503.
    for unreachable in (*UNREACHABLE, StorageUnavailable):
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
