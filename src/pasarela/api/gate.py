"""The gate every HTTP request passes before a route sees it: who is calling, may they, and
are they within their rate limit.

One place for all routes — the hot prediction routes call ``admit`` themselves, everything
else passes through it in ``PasarelaAPI.__call__`` — so no route can forget to check. Health
checks (``public`` in ``api/permissions.py``) pass without credentials. Denials, and keys used
on admin routes, are counted as security events for the audit log.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from typing import TYPE_CHECKING

from pasarela.api.permissions import endpoint_of
from pasarela.api.ui_security import session_opens
from pasarela.errors import Forbidden, RateLimited, Unauthenticated
from pasarela.security.keys import ActiveKey
from pasarela.security.ratelimit.base import Limit, RateLimiter, headers
from pasarela.security.roles import Principal
from pasarela.security.sessions import DashboardSessions, session_of

if TYPE_CHECKING:
    from pasarela.api.permissions import Need, RouteTable
    from pasarela.serving.dataplane import DataPlane
    from pasarela.telemetry.metrics import Metrics
    from pasarela.telemetry.security_events import SecurityEvents


class Gate:
    def __init__(
        self,
        table: RouteTable,
        dataplane: DataPlane,
        limiter: RateLimiter,
        events: SecurityEvents,
        default_key_limit: Limit | None = None,
        metrics: Metrics | None = None,
        sessions: DashboardSessions | None = None,
    ) -> None:
        self.table = table
        self.dataplane = dataplane
        self.limiter = limiter
        self.events = events
        self.default_key_limit = default_key_limit
        self.metrics = metrics
        self.sessions = sessions

    async def admit(
        self,
        method: str,
        path: str,
        request_headers: dict[str, str],
        endpoint: str | None = None,
        need: Need | None = None,
    ) -> Principal | None:
        """The caller of ``method path`` (None for a public route); Unauthenticated,
        Forbidden or RateLimited otherwise. ``request_headers`` have lower-case names; with
        ``endpoint`` (or a path naming one, see ``endpoint_of``), the caller must also be
        allowed that endpoint. The hot routes pass the
        ``need`` they know, sparing the table lookup."""
        need = need or self.table.need(method, path)
        endpoint = endpoint or endpoint_of(path)
        if need == "public":
            return None
        principal: Principal | None = None
        try:
            principal, key = await self._authenticate(method, path, request_headers)
            if need is not None and not principal.may(need):
                raise Forbidden(f"the {principal.role} role may not {need} ({method} {path})")
            if endpoint is not None and not principal.may_call(endpoint):
                raise Forbidden(f"{principal.subject} may not call endpoint {endpoint!r}")
            limit = (key.rate_limit or self.default_key_limit) if key is not None else None
            if limit is not None and key is not None:
                decision = await self.limiter.acquire(f"key:{key.id}", limit)
                if not decision.allowed:
                    if self.metrics is not None:
                        self.metrics.rate_limited.labels("key").inc()
                    raise RateLimited(
                        f"key {key.id} is over its rate limit ({limit})",
                        headers=headers(decision),
                    )
        except (Unauthenticated, Forbidden, RateLimited) as exc:
            actor = principal.subject if principal is not None else "anonymous"
            self.events.record(actor, "request.denied", f"{method} {path}", exc.code)
            raise
        if principal.via != "anonymous" and path.startswith("/admin"):
            self.events.record(principal.subject, "admin.access", f"{method} {path}")
        return principal

    async def _authenticate(
        self, method: str, path: str, request_headers: Mapping[str, str]
    ) -> tuple[Principal, ActiveKey | None]:
        """Credentials in a header win; else, where a session may stand for them (dashboard
        reads), the dashboard's session cookie."""
        auth = self.dataplane.auth
        sessions = self.sessions
        if (
            sessions is None
            or auth.open
            or "authorization" in request_headers
            or "x-api-key" in request_headers
            or not session_opens(method, path)
            or (token := session_of(request_headers)) is None
        ):
            return auth.authenticate(request_headers)
        hit, record = sessions.cached(token)
        if not hit:  # read off the event loop; the cache spares most page refreshes this
            record = await asyncio.to_thread(sessions.load, token)
        return sessions.check(record, auth.keyring)
