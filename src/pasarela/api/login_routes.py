"""The dashboard's sign-in and sign-out: a key posted once from the login form opens a
server-side session (``security/sessions.py``); the browser keeps only the session's id, in an
``HttpOnly``, ``SameSite=Strict`` cookie, ``Secure`` when the request came over TLS.

Both posts must come from this server's own pages (``Origin``); failed and refused sign-ins
are audited as ``ui.login_failed`` with their code, never with the key that was tried.
"""

from __future__ import annotations

import asyncio
from urllib.parse import parse_qs

from fastapi import APIRouter, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse

from pasarela.api.routes import _plane
from pasarela.api.ui_security import LOGIN_PATH, is_secure, safe_next, same_origin
from pasarela.errors import Unauthenticated
from pasarela.security.keys import looks_like_key
from pasarela.security.sessions import SESSION_COOKIE, DashboardSessions, session_of
from pasarela.settings import Settings
from pasarela.telemetry.security_events import SecurityEvents
from pasarela.ui.pages import render_login

router = APIRouter(include_in_schema=False)

_OLD_COOKIE = "pasarela_key"  # held the raw key before sessions: cleared at sign-in and out
_CROSS_SITE = "This form did not come from this server's dashboard; open the login page again."


def _settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def _sessions(request: Request) -> DashboardSessions:
    sessions: DashboardSessions = request.app.state.sessions
    return sessions


def _events(request: Request) -> SecurityEvents:
    events: SecurityEvents = request.app.state.events
    return events


def _headers(request: Request) -> dict[str, str]:
    return {k.lower(): v for k, v in request.headers.items()}


def _same_origin(request: Request) -> bool:
    return same_origin(request.scope, _headers(request), _settings(request).trusted_proxies)


def _page(problem: str | None, next_page: str, status_code: int) -> HTMLResponse:
    return HTMLResponse(render_login(problem, next_page), status_code=status_code)


@router.get(LOGIN_PATH)
async def login_page(next: str | None = None) -> HTMLResponse:
    return _page(None, safe_next(next), 200)


@router.post(LOGIN_PATH)
async def login(request: Request) -> Response:
    """Check a key posted from the login form and open a session for it."""
    fields = parse_qs((await request.body()).decode("utf-8", "replace"))
    next_page = safe_next((fields.get("next") or [""])[0])
    if not _same_origin(request):
        _events(request).record("anonymous", "ui.login_failed", LOGIN_PATH, "cross_origin")
        return _page(_CROSS_SITE, next_page, 403)
    key = (fields.get("key") or [""])[0].strip()
    try:
        if not looks_like_key(key):
            raise Unauthenticated("that is not an API key", code="invalid_credentials")
        principal, active = _plane(request).auth.keyring.check(key)
        if not principal.may("read"):
            raise Unauthenticated(
                f"a {principal.role} key cannot open the dashboard", code="forbidden"
            )
    except Unauthenticated as exc:
        # The code says why; the key that was tried is never written anywhere.
        _events(request).record("anonymous", "ui.login_failed", LOGIN_PATH, exc.code)
        return _page(exc.message, next_page, 401)
    token = await asyncio.to_thread(_sessions(request).open, active)
    _events(request).record(principal.subject, "ui.login", LOGIN_PATH)
    response = RedirectResponse(next_page, status_code=303)
    settings = _settings(request)
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=int(settings.ui_session_hours * 3600),
        path="/",
        httponly=True,
        samesite="strict",
        secure=is_secure(request.scope, _headers(request), settings.trusted_proxies),
    )
    response.delete_cookie(_OLD_COOKIE)
    return response


@router.post("/ui/logout")
async def logout(request: Request) -> Response:
    """End this browser's session (on every server) and forget its cookie."""
    if not _same_origin(request):
        return _page(_CROSS_SITE, "/ui", 403)
    token = session_of(_headers(request))
    if token is not None:
        await asyncio.to_thread(_sessions(request).close, token)
    response = RedirectResponse(LOGIN_PATH, status_code=303)
    secure = is_secure(request.scope, _headers(request), _settings(request).trusted_proxies)
    response.delete_cookie(
        SESSION_COOKIE, path="/", httponly=True, samesite="strict", secure=secure
    )
    response.delete_cookie(_OLD_COOKIE)
    return response
