"""Which permission each route needs: the one table the gate reads, and the docs print.

A route missing from this table cannot be served: ``check_complete`` runs when the app is
built and refuses to start with a route nobody classified. A path matching no route needs
credentials (any role) and then gets its 404 or 405 — except the hot prediction paths, which
answer any method but POST with 405 at once (that they exist is no secret).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Literal

from pasarela.security.roles import Permission

Need = Permission | Literal["public"]

ROUTES: dict[tuple[str, str], Need] = {
    # health: always open, for load balancers and orchestrators
    ("GET", "/healthz"): "public",
    ("GET", "/readyz"): "public",
    ("GET", "/v2/health/live"): "public",
    ("GET", "/v2/health/ready"): "public",
    ("GET", "/ui/login"): "public",
    ("POST", "/ui/login"): "public",
    ("POST", "/ui/logout"): "public",  # ends the session its cookie names, if any
    # calling models
    ("POST", "/v1/endpoints/{endpoint}/predict"): "predict",
    ("POST", "/v2/models/{name}/infer"): "predict",
    ("POST", "/v2/models/{name}/versions/{version}/infer"): "predict",
    ("GET", "/v2"): "predict",
    ("GET", "/v2/models/{name}"): "predict",
    ("GET", "/v2/models/{name}/versions/{version}"): "predict",
    ("GET", "/v2/models/{name}/ready"): "predict",
    ("GET", "/v2/models/{name}/versions/{version}/ready"): "predict",
    ("POST", "/v1/feedback"): "feedback",
    # reading
    ("GET", "/metrics"): "read",
    ("GET", "/v1/endpoints"): "read",
    ("GET", "/v1/endpoints/{endpoint}"): "read",
    ("GET", "/admin/stats"): "read",
    ("GET", "/admin/breakers"): "read",
    ("GET", "/admin/incidents"): "read",
    ("GET", "/admin/incidents/{incident_id}"): "read",
    ("GET", "/admin/endpoints/{name}"): "read",
    ("GET", "/admin/endpoints/{name}/rollout"): "read",
    ("GET", "/admin/endpoints/{name}/shadow"): "read",
    ("GET", "/admin/experiments"): "read",
    ("GET", "/admin/experiments/{experiment_id}/report"): "read",
    ("GET", "/admin/whoami"): "read",
    ("GET", "/ui"): "read",
    ("GET", "/ui/endpoints/{name}"): "read",
    ("GET", "/ui/endpoints/{name}/rollout"): "read",
    ("GET", "/ui/data/overview"): "read",
    ("GET", "/ui/data/endpoints/{name}"): "read",
    ("GET", "/ui/experiments"): "read",
    ("GET", "/ui/experiments/{experiment_id}"): "read",
    ("GET", "/ui/data/experiments/{experiment_id}"): "read",
    ("GET", "/ui/incidents"): "read",
    ("GET", "/ui/incidents/{incident_id}"): "read",
    (
        "GET",
        "/ui/static/{path:path}",
    ): "public",  # scripts and styles: no data, and the login page uses them
    ("GET", "/ui/{path:path}"): "read",
    ("GET", "/openapi.json"): "read",
    ("GET", "/docs"): "read",
    ("GET", "/docs/oauth2-redirect"): "read",
    ("GET", "/redoc"): "read",
    # delivering
    ("POST", "/admin/apply"): "deliver",
    ("POST", "/admin/endpoints/{name}/rollout/{action}"): "deliver",
    ("POST", "/admin/experiments/{experiment_id}/start"): "deliver",
    ("POST", "/admin/experiments/{experiment_id}/stop"): "deliver",
    ("POST", "/admin/incidents/{incident_id}/acknowledge"): "deliver",
    # keys and audit
    ("GET", "/admin/keys"): "keys",
    ("POST", "/admin/keys"): "keys",
    ("DELETE", "/admin/keys/{key_id}"): "keys",
    ("GET", "/admin/audit"): "audit",
    ("GET", "/admin/audit/verify"): "audit",
    ("GET", "/admin/compliance"): "audit",
    ("GET", "/admin/subjects/{subject_id}"): "subjects",
    ("DELETE", "/admin/subjects/{subject_id}"): "subjects",
}

_PARAM = re.compile(r"\{(\w+)(:path)?\}")
# Routes about one endpoint (or model) by name, whose path says which: a key limited to some
# endpoints reads the metadata and readiness of those only, as it may call only those.
_ENDPOINT_ROUTE = re.compile(r"^/v2/models/([^/]+)(?:/|$)")


def endpoint_of(path: str) -> str | None:
    """The endpoint ``path`` is about, for the gate's endpoint scope; None for other routes."""
    match = _ENDPOINT_ROUTE.match(path)
    return match.group(1) if match else None


def _regex(template: str) -> re.Pattern[str]:
    parts, cursor = [], 0
    for match in _PARAM.finditer(template):
        parts.append(re.escape(template[cursor : match.start()]))
        parts.append(".*" if match.group(2) else "[^/]+")
        cursor = match.end()
    parts.append(re.escape(template[cursor:]))
    return re.compile("^" + "".join(parts) + "$")


class RouteTable:
    """Finds the permission a request needs; exact paths by dict, templates by regex in the
    table's order (the catch-all ``/ui/{path:path}`` comes after the pages it shadows)."""

    def __init__(self, routes: dict[tuple[str, str], Need] = ROUTES) -> None:
        self.exact = {k: v for k, v in routes.items() if "{" not in k[1]}
        self.patterns = [(m, _regex(t), need) for (m, t), need in routes.items() if "{" in t]

    def need(self, method: str, path: str) -> Need | None:
        """The permission ``method path`` needs; None when no route matches it. HEAD is GET."""
        method = "GET" if method == "HEAD" else method
        found = self.exact.get((method, path))
        if found is not None:
            return found
        for route_method, pattern, need in self.patterns:
            if route_method == method and pattern.match(path):
                return need
        return None


def check_complete(served: Iterable[tuple[str, str]]) -> None:
    """Raise RuntimeError naming every served (method, path) that the table does not classify."""
    missing = sorted((m, p) for m, p in served if m != "HEAD" and (m, p) not in ROUTES)
    if missing:
        raise RuntimeError(f"routes without a permission in api/permissions.py: {missing}")


def access_table() -> str:
    """The route × role table in Markdown, as ``docs/security.md`` prints it (a test checks
    that the docs hold exactly this). Regenerate: ``python -m pasarela.api.permissions``."""
    from pasarela.security.roles import GRANTS, ROLES

    lines = [
        "| route | permission | " + " | ".join(ROLES) + " | no credentials |",
        "|---|---|" + "---|" * (len(ROLES) + 1),
    ]
    for (method, path), need in ROUTES.items():
        cells = ["✓" if need == "public" or need in GRANTS[role] else "403" for role in ROLES]
        anonymous = "✓" if need == "public" else "401"
        lines.append(f"| `{method} {path}` | {need} | " + " | ".join(cells) + f" | {anonymous} |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    import sys

    sys.stdout.write(access_table())
