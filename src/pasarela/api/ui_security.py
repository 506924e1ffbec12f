"""What the dashboard owes the browser that opens it: the headers on every ``/ui`` answer, the
redirect of a signed-out browser to the login page, which paths a session cookie opens,
whether the request came over TLS (directly or from a trusted proxy) and whether a form post
comes from the dashboard's own pages (``Origin``).

Pure functions of the ASGI scope and headers; ``api/app.py`` applies them.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Mapping
from functools import cache
from urllib.parse import quote, urlsplit

from starlette.types import Message, Scope, Send

# Every script and style sheet is a file under /ui/static; pages carry no inline script or
# style (the page's data travels in a JSON <script type="application/json">, which is data, not
# script). uPlot styles its canvas through the CSSOM, which style-src does not govern.
CONTENT_SECURITY_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; font-src 'self'; form-action 'self'; frame-ancestors 'none'; "
    "base-uri 'none'"
)
UI_HEADERS: tuple[tuple[bytes, bytes], ...] = (
    (b"content-security-policy", CONTENT_SECURITY_POLICY.encode()),
    (b"x-frame-options", b"DENY"),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"same-origin"),
)
LOGIN_PATH = "/ui/login"
LOGOUT_PATH = "/ui/logout"

# The API's own pages, which the footer links to: a signed-in browser opens them too.
_API_PAGES = frozenset({"/docs", "/docs/oauth2-redirect", "/openapi.json", "/redoc"})


def is_ui(path: str) -> bool:
    return path == "/ui" or path.startswith("/ui/")


def session_opens(method: str, path: str) -> bool:
    """Whether a session cookie may stand for credentials on ``method path``: reads of the
    dashboard and of the API docs it links to. Never a change: a cookie that a page elsewhere
    makes the browser send can then read at most, and SameSite keeps even that from them."""
    return method in ("GET", "HEAD") and (is_ui(path) or path in _API_PAGES)


def redirects_to_login(method: str, path: str) -> bool:
    """Whether a signed-out browser asking for ``method path`` is sent to the login page
    instead of a JSON 401: every dashboard page (its JSON views and static files excepted)."""
    return (
        method in ("GET", "HEAD")
        and is_ui(path)
        and not path.startswith(("/ui/data/", "/ui/static/"))
        and path != LOGIN_PATH
    )


def login_location(path: str, query: str = "") -> str:
    """The login page, remembering where the browser was going."""
    target = path + (f"?{query}" if query else "")
    return f"{LOGIN_PATH}?next={quote(target, safe='/')}"


def safe_next(target: str | None) -> str:
    """Where to go after signing in: ``target`` when it is a dashboard page on this server,
    else ``/ui`` (never another site: ``//evil.example`` or ``/ui\\..`` tricks are refused)."""
    if not target or "\\" in target or any(ord(c) < 32 for c in target):
        return "/ui"
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not is_ui(parts.path) or parts.path == LOGIN_PATH:
        return "/ui"
    if ".." in parts.path.split("/"):  # /ui/..//elsewhere would leave the dashboard
        return "/ui"
    return target


@cache
def _networks(spec: str) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    return tuple(
        ipaddress.ip_network(part.strip(), strict=False) for part in spec.split(",") if part.strip()
    )


def parse_proxies(spec: str) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    """``PASARELA_TRUSTED_PROXIES``: comma-separated addresses or networks; ValueError names
    the one that is neither."""
    return _networks(spec)


def _trusted(
    client: str | None, proxies: Iterable[ipaddress.IPv4Network | ipaddress.IPv6Network]
) -> bool:
    if client is None:
        return False
    try:
        address = ipaddress.ip_address(client)
    except ValueError:
        return False
    return any(address in network for network in proxies)


def is_secure(scope: Scope, headers: Mapping[str, str], trusted_proxies: str) -> bool:
    """Whether the browser reached us over TLS: directly, or through a proxy in
    ``trusted_proxies`` that says so in ``X-Forwarded-Proto`` (from anyone else, the header is
    ignored: a client could send it)."""
    if scope.get("scheme") == "https":
        return True
    client = scope.get("client")
    forwarded = headers.get("x-forwarded-proto", "").split(",")[0].strip().lower()
    return forwarded == "https" and _trusted(
        client[0] if client else None, parse_proxies(trusted_proxies)
    )


def _host(headers: Mapping[str, str], scope: Scope, trusted_proxies: str) -> str | None:
    client = scope.get("client")
    if "x-forwarded-host" in headers and _trusted(
        client[0] if client else None, parse_proxies(trusted_proxies)
    ):
        return headers["x-forwarded-host"].split(",")[0].strip().lower()
    host = headers.get("host")
    return None if host is None else host.strip().lower()


def same_origin(scope: Scope, headers: Mapping[str, str], trusted_proxies: str) -> bool:
    """Whether a form post comes from this server's own pages. Browsers send ``Origin`` with
    every POST (``Referer`` stands in for older ones); a post with neither comes from a
    program, not from a page that a browser opened, and cannot be a cross-site forgery."""
    origin = headers.get("origin")
    if origin is None:
        referer = headers.get("referer")
        if referer is None:
            return True
        origin = referer
    if origin == "null":  # sandboxed frames, data: URLs, some redirects: never our pages
        return False
    parts = urlsplit(origin)
    host = _host(headers, scope, trusted_proxies)
    return bool(parts.scheme in ("http", "https") and host and parts.netloc.lower() == host)


def with_ui_headers(send: Send) -> Send:
    """``send`` adding the dashboard's security headers to the answer's start."""

    async def sending(message: Message) -> None:
        if message["type"] == "http.response.start":
            present = {name.lower() for name, _ in message.get("headers", [])}
            extra = [h for h in UI_HEADERS if h[0] not in present]
            message = {**message, "headers": [*message.get("headers", []), *extra]}
        await send(message)

    return sending


async def send_redirect(send: Send, location: str) -> None:
    """A ``303 See Other`` to ``location`` (a path on this server)."""
    await send(
        {
            "type": "http.response.start",
            "status": 303,
            "headers": [(b"location", location.encode()), (b"content-length", b"0")],
        }
    )
    await send({"type": "http.response.body", "body": b""})
