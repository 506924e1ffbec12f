"""The gate every HTTP request passes before a route sees it: who is calling, may they, and
are they within their rate limit.

One place for all routes — the hot prediction routes call ``admit`` themselves, everything
else passes through it in ``PasarelaAPI.__call__`` — so no route can forget to check. Health
checks (``public`` in ``api/permissions.py``) pass without credentials. Denials, and keys used
on admin routes, are counted as security events for the audit log.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from pasarela.api.permissions import endpoint_of
from pasarela.errors import Forbidden, RateLimited, Unauthenticated
from pasarela.security.ratelimit.base import Limit, RateLimiter, headers
from pasarela.security.roles import Principal

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
    ) -> None:
        self.table = table
        self.dataplane = dataplane
        self.limiter = limiter
        self.events = events
        self.default_key_limit = default_key_limit
        self.metrics = metrics

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
        auth = self.dataplane.auth
        principal: Principal | None = None
        try:
            reads_ui = method in ("GET", "HEAD") and path.startswith("/ui")
            principal, key = auth.authenticate(request_headers, cookie_ok=reads_ui)
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
