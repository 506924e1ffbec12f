"""The dashboard's sign-in through the app: a server-side session behind an HttpOnly cookie
(never the key), logout, expiry, revocation, Origin checks, audit of failed sign-ins, the
browser-facing headers, and the signed-out browser sent to the login page."""

from __future__ import annotations

import hashlib
import json
from typing import Any

import pytest
import sqlalchemy as sa
from httpx import AsyncClient, Response

from pasarela.api.app import PasarelaAPI
from pasarela.registry.service import Registry
from pasarela.storage import schema
from pasarela.storage.audit import AuditRepository
from tests.integration.test_access import new_key

pytestmark = pytest.mark.anyio

ORIGIN = {"Origin": "http://test"}  # the test client's own origin (base_url)


@pytest.fixture
async def keys(app: PasarelaAPI, served_registry: Registry) -> dict[str, str]:
    made = {role: await new_key(served_registry, role) for role in ("admin", "analyst", "client")}
    await app.state.dataplane.refresh()
    return made


async def sign_in(client: AsyncClient, key: str, **form: str) -> Response:
    return await client.post("/ui/login", data={"key": key, **form}, headers=ORIGIN)


def audit(app: PasarelaAPI) -> list[dict[str, Any]]:
    app.state.events.flush()
    repo = AuditRepository(app.state.registry.engine)
    return [e.to_json() for e in repo.entries()]


def assert_ui_headers(reply: Response) -> None:
    csp = reply.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "style-src 'self'" in csp
    assert "frame-ancestors 'none'" in csp and "unsafe-inline" not in csp
    assert reply.headers["x-frame-options"] == "DENY"
    assert reply.headers["x-content-type-options"] == "nosniff"


async def test_signed_out_pages_redirect_to_the_login_page(
    client: AsyncClient, keys: dict[str, str]
) -> None:
    for path, target in [
        ("/ui", "/ui"),
        ("/ui/endpoints/cancer?window=24h", "/ui/endpoints/cancer?window=24h"),
        ("/ui/incidents", "/ui/incidents"),
        ("/ui/no-such-page", "/ui/no-such-page"),
    ]:
        reply = await client.get(path)
        assert reply.status_code == 303, (path, reply.text)
        assert reply.headers["location"].startswith("/ui/login?next=")
        assert_ui_headers(reply)
        form = await client.get(reply.headers["location"])
        assert form.status_code == 200 and 'name="key"' in form.text
        assert f'name="next" value="{target}"' in form.text
    # what scripts fetch stays a coded 401 (the page's script sends the browser to sign in)
    data = await client.get("/ui/data/overview")
    assert data.status_code == 401 and data.json()["error"]["code"] == "unauthenticated"
    assert (await client.get("/docs")).status_code == 401


async def test_a_sign_in_opens_a_session_whose_cookie_is_not_the_key(
    app: PasarelaAPI, client: AsyncClient, keys: dict[str, str]
) -> None:
    signed = await sign_in(client, keys["analyst"], next="/ui/incidents")
    assert signed.status_code == 303 and signed.headers["location"] == "/ui/incidents"
    cookie = signed.headers["set-cookie"]
    assert cookie.startswith("pasarela_session=")
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie and "Path=/" in cookie
    assert "Secure" not in cookie  # plain HTTP, no trusted proxy
    token = client.cookies["pasarela_session"]
    assert keys["analyst"] not in cookie and keys["analyst"].split(".")[1] not in token
    with app.state.registry.engine.connect() as conn:
        rows = conn.execute(sa.select(schema.ui_sessions)).all()
    assert [r.id_sha256 for r in rows] == [hashlib.sha256(token.encode()).hexdigest()]
    assert (await client.get("/ui")).status_code == 200
    assert (await client.get("/ui/data/overview")).status_code == 200
    # the footer's API link and the schema it loads open with the session too
    assert (await client.get("/docs")).status_code == 200
    assert (await client.get("/openapi.json")).status_code == 200
    # the session reads, never changes: a post with the cookie alone has no credentials
    posted = await client.post("/admin/apply", content=b"kind: Endpoint")
    assert posted.status_code == 401
    # a next page elsewhere is never followed
    client.cookies.clear()
    away = await sign_in(client, keys["analyst"], next="//evil.example/ui")
    assert away.headers["location"] == "/ui"


async def test_logout_ends_the_session_on_the_server(
    client: AsyncClient, keys: dict[str, str]
) -> None:
    await sign_in(client, keys["admin"])
    token = client.cookies["pasarela_session"]
    assert (await client.get("/ui")).status_code == 200
    out = await client.post("/ui/logout", headers=ORIGIN)
    assert out.status_code == 303 and out.headers["location"] == "/ui/login"
    assert 'pasarela_session=""' in out.headers["set-cookie"]
    assert "pasarela_session" not in client.cookies
    # the old cookie, replayed, opens nothing any more
    replayed = await client.get("/ui", headers={"Cookie": f"pasarela_session={token}"})
    assert replayed.status_code == 303
    assert replayed.headers["location"].startswith("/ui/login")


async def test_revoking_the_key_ends_its_sessions(
    client: AsyncClient, keys: dict[str, str]
) -> None:
    await sign_in(client, keys["analyst"])
    assert (await client.get("/ui")).status_code == 200
    key_id = keys["analyst"].split(".")[0]
    admin = {"Authorization": f"Bearer {keys['admin']}"}
    revoked = await client.delete(f"/admin/keys/{key_id}", headers=admin)
    assert revoked.status_code == 200
    reply = await client.get("/ui/data/overview")  # the browser still holds its cookie
    assert reply.status_code == 401 and reply.json()["error"]["code"] == "key_revoked"


async def test_an_expired_session_signs_the_browser_out(
    app: PasarelaAPI, client: AsyncClient, keys: dict[str, str]
) -> None:
    await sign_in(client, keys["analyst"])
    assert (await client.get("/ui")).status_code == 200
    engine = app.state.registry.engine
    with engine.begin() as conn:
        conn.execute(schema.ui_sessions.update().values(expires_at=sa.func.current_timestamp()))
    app.state.sessions.cache_s = 0  # this test does not wait out the cache
    reply = await client.get("/ui/data/overview")
    assert reply.status_code == 401 and reply.json()["error"]["code"] == "session_expired"
    assert (await client.get("/ui")).status_code == 303


async def test_sign_ins_from_another_origin_are_refused(
    app: PasarelaAPI, client: AsyncClient, keys: dict[str, str]
) -> None:
    for origin in ({"Origin": "http://evil.example"}, {"Origin": "null"}):
        reply = await client.post("/ui/login", data={"key": keys["admin"]}, headers=origin)
        assert reply.status_code == 403 and "did not come from" in reply.text
        assert "set-cookie" not in reply.headers
    forged = {"Referer": "http://evil.example/page"}
    assert (
        await client.post("/ui/login", data={"key": keys["admin"]}, headers=forged)
    ).status_code == 403
    await sign_in(client, keys["admin"])
    out = await client.post("/ui/logout", headers={"Origin": "http://evil.example"})
    assert out.status_code == 403
    assert (await client.get("/ui")).status_code == 200  # still signed in


async def test_failed_sign_ins_are_audited_without_the_key(
    app: PasarelaAPI, client: AsyncClient, keys: dict[str, str]
) -> None:
    wrong = keys["admin"][:-4] + "AAAA"
    assert (await sign_in(client, wrong)).status_code == 401
    assert (await sign_in(client, keys["client"])).status_code == 401
    assert (await sign_in(client, "hunter2")).status_code == 401
    entries = audit(app)
    failed = {e["detail"]["code"]: e for e in entries if e["action"] == "ui.login_failed"}
    assert {code: e["detail"]["count"] for code, e in failed.items()} == {
        "invalid_credentials": 2,
        "forbidden": 1,
    }
    assert {(e["actor"], e["target"]) for e in failed.values()} == {("anonymous", "/ui/login")}
    text = json.dumps(entries)
    for secret in (wrong, keys["client"], "hunter2", wrong.split(".")[1]):
        assert secret not in text
    assert (await sign_in(client, keys["analyst"])).status_code == 303
    signed = [e for e in audit(app) if e["action"] == "ui.login"]
    assert [e["actor"] for e in signed] == [keys["analyst"].split(".")[0]]


async def test_the_cookie_is_secure_over_tls_from_a_trusted_proxy_only(
    app: PasarelaAPI, client: AsyncClient, keys: dict[str, str]
) -> None:
    tls = {**ORIGIN, "X-Forwarded-Proto": "https"}
    untrusted = await client.post("/ui/login", data={"key": keys["admin"]}, headers=tls)
    assert "Secure" not in untrusted.headers["set-cookie"]  # anyone can send the header
    app.state.settings.trusted_proxies = "127.0.0.0/8"  # the test client's address
    client.cookies.clear()
    proxied = {"Origin": "https://pasarela.example", "X-Forwarded-Host": "pasarela.example"}
    trusted = await client.post(
        "/ui/login", data={"key": keys["admin"]}, headers={**proxied, "X-Forwarded-Proto": "https"}
    )
    assert trusted.status_code == 303, trusted.text
    assert "Secure" in trusted.headers["set-cookie"]


async def test_every_dashboard_answer_carries_the_browser_headers(
    client: AsyncClient, keys: dict[str, str]
) -> None:
    assert_ui_headers(await client.get("/ui/login"))
    assert_ui_headers(await client.get("/ui/static/dashboard.css"))
    await sign_in(client, keys["analyst"])
    for path in ("/ui", "/ui/data/overview", "/ui/endpoints/cancer", "/ui/incidents", "/ui/nope"):
        assert_ui_headers(await client.get(path))
    # the API's answers are not pages and keep their own headers
    health = await client.get("/healthz")
    assert "content-security-policy" not in health.headers


async def test_a_session_lookup_reads_the_database_once_per_cache_period(
    app: PasarelaAPI, client: AsyncClient, keys: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    await sign_in(client, keys["analyst"])
    app.state.sessions.cache_s = 3600.0  # no test waits out a cache
    reads: list[str] = []
    repo = app.state.sessions.repo
    original = repo.get
    monkeypatch.setattr(repo, "get", lambda digest: reads.append(digest) or original(digest))
    for _ in range(5):
        assert (await client.get("/ui/data/overview")).status_code == 200
    assert len(reads) == 1
