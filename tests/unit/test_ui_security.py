"""The dashboard's browser rules as pure functions: where a sign-in may send the browser, which
posts come from our own pages, when the request came over TLS, which paths a session opens."""

from __future__ import annotations

import pytest

from pasarela.api.ui_security import (
    is_secure,
    login_location,
    redirects_to_login,
    safe_next,
    same_origin,
    session_opens,
)

DIRECT = {"client": ("203.0.113.9", 5000), "scheme": "http"}
PROXIED = {"client": ("10.1.2.3", 5000), "scheme": "http"}


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        ("/ui/endpoints/a?window=24h", "/ui/endpoints/a?window=24h"),
        ("/ui", "/ui"),
        (None, "/ui"),
        ("", "/ui"),
        ("//evil.example/ui", "/ui"),
        ("https://evil.example/ui", "/ui"),
        ("/ui/..//evil.example", "/ui"),
        ("/ui\\\\evil.example", "/ui"),
        ("/admin/keys", "/ui"),
        ("/ui/login", "/ui"),
        ("/ui/x\r\nSet-Cookie: a=b", "/ui"),
    ],
)
def test_a_sign_in_only_ever_sends_the_browser_to_a_dashboard_page(
    target: str | None, expected: str
) -> None:
    assert safe_next(target) == expected


def test_the_login_location_remembers_the_page_and_its_query() -> None:
    assert login_location("/ui/endpoints/a", "window=24h") == (
        "/ui/login?next=/ui/endpoints/a%3Fwindow%3D24h"
    )


def test_posts_must_come_from_this_host() -> None:
    host = {"host": "pasarela.example:8000"}
    assert same_origin(DIRECT, {**host, "origin": "http://pasarela.example:8000"}, "")
    assert not same_origin(DIRECT, {**host, "origin": "http://evil.example"}, "")
    assert not same_origin(DIRECT, {**host, "origin": "null"}, "")
    assert not same_origin(DIRECT, {**host, "referer": "http://evil.example/x"}, "")
    assert same_origin(DIRECT, {**host, "referer": "http://pasarela.example:8000/ui/login"}, "")
    assert same_origin(DIRECT, host, "")  # a program, not a browser: nothing to forge
    # X-Forwarded-Host counts from a trusted proxy only
    forwarded = {**host, "x-forwarded-host": "evil.example", "origin": "https://evil.example"}
    assert not same_origin(DIRECT, forwarded, "10.0.0.0/8")
    assert same_origin(PROXIED, forwarded, "10.0.0.0/8")


def test_tls_is_believed_from_the_connection_or_a_trusted_proxy() -> None:
    says_https = {"x-forwarded-proto": "https"}
    assert is_secure({**DIRECT, "scheme": "https"}, {}, "")
    assert not is_secure(DIRECT, says_https, "10.0.0.0/8")  # anyone can send the header
    assert is_secure(PROXIED, says_https, "10.0.0.0/8, 192.168.0.1")
    assert not is_secure(PROXIED, {"x-forwarded-proto": "http"}, "10.0.0.0/8")


def test_a_session_opens_dashboard_reads_and_the_api_docs_only() -> None:
    assert session_opens("GET", "/ui/data/overview") and session_opens("HEAD", "/ui")
    assert session_opens("GET", "/docs") and session_opens("GET", "/openapi.json")
    assert not session_opens("POST", "/ui/login") and not session_opens("GET", "/admin/keys")
    assert not session_opens("GET", "/uix") and not session_opens("DELETE", "/ui/x")
    assert redirects_to_login("GET", "/ui/incidents")
    assert not redirects_to_login("GET", "/ui/data/overview")
    assert not redirects_to_login("GET", "/ui/static/dashboard.js")
    assert not redirects_to_login("GET", "/ui/login")
