"""The gate every non-hot HTTP request passes before a route sees it: who is calling, may they,
and are they within their key's rate limit — admission's ``identify`` (``serving/
admission.py``), with what only HTTP has: the route table's permission for each path, and the
dashboard's session cookie.

One place for all routes — the hot prediction routes go to the data plane, which identifies
their callers itself; everything else passes through here in ``PasarelaAPI.__call__`` — so no
route can forget to check. Health checks (``public`` in ``api/permissions.py``) pass without
credentials. Denials, and keys used on admin routes, are counted as security events for the
audit log.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from typing import TYPE_CHECKING

from pasarela.api.permissions import endpoint_of
from pasarela.api.ui_security import session_opens
from pasarela.errors import Unauthenticated
from pasarela.security.roles import Principal
from pasarela.security.sessions import DashboardSessions, session_of
from pasarela.serving.admission import Admission, Found

if TYPE_CHECKING:
    from pasarela.api.permissions import Need, RouteTable
    from pasarela.telemetry.security_events import SecurityEvents


class Gate:
    def __init__(
        self,
        table: RouteTable,
        admission: Admission,
        events: SecurityEvents,
        sessions: DashboardSessions | None = None,
    ) -> None:
        self.table = table
        self.admission = admission
        self.events = events
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
        allowed that endpoint."""
        need = need or self.table.need(method, path)
        endpoint = endpoint or endpoint_of(path)
        if need == "public":
            return None
        target = f"{method} {path}"
        try:
            found = await self._session(method, path, request_headers)
        except Unauthenticated as exc:
            self.admission.denied("anonymous", target, exc)
            raise
        identity = await self.admission.identify(
            request_headers, need=need, endpoint=endpoint, target=target, found=found
        )
        principal = identity.principal
        if principal.via != "anonymous" and path.startswith("/admin"):
            self.events.record(principal.subject, "admin.access", target)
        return principal

    async def _session(
        self, method: str, path: str, request_headers: Mapping[str, str]
    ) -> Found | None:
        """The caller a dashboard session cookie names, where a session may stand for
        credentials (dashboard reads); None when the headers decide (credentials in a
        header win)."""
        auth = self.admission.auth
        sessions = self.sessions
        if (
            sessions is None
            or auth.open
            or "authorization" in request_headers
            or "x-api-key" in request_headers
            or not session_opens(method, path)
            or (token := session_of(request_headers)) is None
        ):
            return None
        hit, record = sessions.cached(token)
        if not hit:  # read off the event loop; the cache spares most page refreshes this
            record = await asyncio.to_thread(sessions.load, token)
        return sessions.check(record, auth.keyring)
