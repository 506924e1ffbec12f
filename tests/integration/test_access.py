"""Who may call what: every route × every role (and no credentials) against the table in
``api/permissions.py``; keys scoped to endpoints, revoked and expired; rate limits per key;
bearer tokens (HS256 and RS256 from a JWKS); and the table printed in the docs."""

from __future__ import annotations

import asyncio
import json
import re
import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from httpx import AsyncClient

from pasarela.api.app import PasarelaAPI, create_app
from pasarela.api.permissions import ROUTES, access_table
from pasarela.registry.service import Registry
from pasarela.security.keys import KeyService
from pasarela.security.roles import ANONYMOUS, GRANTS, ROLES
from pasarela.settings import Settings
from pasarela.storage import schema
from pasarela.storage.keys import KeyRepository
from tests.conftest import Trained, row

pytestmark = pytest.mark.anyio

DOCS = Path(__file__).parents[2] / "docs" / "security.md"
VALUES = {
    "endpoint": "cancer",
    "name": "cancer",
    "version": "1",
    "experiment_id": "nope",
    "action": "pause",
    "key_id": "pk_00000000",
    "path": "dashboard.css",
    "subject_id": "ana",
    "incident_id": "1",
}


def concrete(template: str) -> str:
    return re.sub(r"\{(\w+)(:path)?\}", lambda m: VALUES[m.group(1)], template)


async def new_key(registry: Registry, role: str, **options: Any) -> str:
    _, secret = await asyncio.to_thread(
        KeyService(KeyRepository(registry.engine)).create,
        name=f"{role} key",
        role=role,
        by=ANONYMOUS,
        **options,
    )
    return secret


@pytest.fixture
async def keys(app: PasarelaAPI, served_registry: Registry) -> dict[str, str]:
    made = {role: await new_key(served_registry, role) for role in ROLES}
    await app.state.dataplane.refresh()
    return made


def body_for(method: str, path: str, trained: Trained, keys: dict[str, str]) -> dict[str, Any]:
    if path.endswith("/predict"):
        return {"json": {"inputs": [row(trained)]}}
    if path.endswith("/infer"):
        names = list(row(trained))
        return {
            "json": {
                "inputs": [
                    {"name": n, "shape": [1], "datatype": "FP64", "data": [row(trained)[n]]}
                    for n in names
                ]
            }
        }
    if path == "/v1/feedback":
        return {"json": {"request_id": "r-1", "reward": 1.0}}
    if path == "/ui/login":  # the form carries its own credentials
        return {"data": {"key": keys["analyst"]}}
    return {} if method in ("GET", "DELETE") else {"content": b""}


async def test_every_route_answers_exactly_the_roles_the_table_allows(
    client: AsyncClient, keys: dict[str, str], trained: Trained
) -> None:
    wrong: list[str] = []
    for (method, template), need in ROUTES.items():
        path = concrete(template)
        for role in (*ROLES, None):
            headers = {"Authorization": f"Bearer {keys[role]}"} if role else {}
            reply = await client.request(
                method, path, headers=headers, **body_for(method, path, trained, keys)
            )
            client.cookies.clear()  # a login sets one; each request stands on its own
            allowed = need == "public" or (role is not None and need in GRANTS[role])
            if reply.status_code == 303 and reply.headers["location"].startswith("/ui/login?"):
                reply.status_code = 401  # a dashboard page sends the signed-out to its login
            denied = reply.status_code in (401, 403)
            expected = None if allowed else (403 if role else 401)
            if allowed == denied or (expected and reply.status_code != expected):
                wrong.append(f"{method} {path} as {role}: {reply.status_code} {reply.text[:80]}")
            assert reply.status_code < 500, f"{method} {path} as {role}: {reply.text}"
    assert not wrong, "\n".join(wrong)


async def test_credentials_come_in_a_header_and_bad_ones_are_named(
    client: AsyncClient, keys: dict[str, str]
) -> None:
    ok = await client.get("/admin/whoami", headers={"X-API-Key": keys["analyst"]})
    assert ok.json()["role"] == "analyst" and ok.json()["subject"].startswith("pk_")
    cases = {
        "Bearer pk_00000000.short": "invalid_credentials",
        "Basic dXNlcjpwYXNz": "invalid_credentials",
        f"Bearer {keys['analyst'][:-1]}x": "invalid_credentials",
    }
    for value, code in cases.items():
        reply = await client.get("/admin/whoami", headers={"Authorization": value})
        assert reply.status_code == 401
        assert reply.json()["error"]["code"] == code
        assert reply.headers["www-authenticate"].startswith("Bearer")
    missing = await client.get("/admin/stats")
    assert missing.json()["error"]["code"] == "unauthenticated"
    assert (await client.get("/healthz")).status_code == 200


async def test_a_key_limited_to_endpoints_calls_only_those(
    app: PasarelaAPI, client: AsyncClient, served_registry: Registry, trained: Trained
) -> None:
    scoped = await new_key(served_registry, "client", endpoints=["other"])
    await app.state.dataplane.refresh()
    reply = await client.post(
        "/v1/endpoints/cancer/predict",
        json={"inputs": [row(trained)]},
        headers={"Authorization": f"Bearer {scoped}"},
    )
    assert reply.status_code == 403 and "may not call endpoint 'cancer'" in reply.text


async def test_a_key_limited_to_endpoints_reads_v2_metadata_of_only_those(
    app: PasarelaAPI, client: AsyncClient, served_registry: Registry
) -> None:
    """The v2 model metadata and readiness routes name an endpoint (or model) in their path:
    the key's endpoint scope applies to them as to inference."""
    elsewhere = await new_key(served_registry, "client", endpoints=["other"])
    here = await new_key(served_registry, "client", endpoints=["cancer"])
    await app.state.dataplane.refresh()
    paths = [
        "/v2/models/cancer",
        "/v2/models/cancer/ready",
        "/v2/models/cancer/versions/1",
        "/v2/models/cancer/versions/1/ready",
    ]
    for path in paths:
        denied = await client.get(path, headers={"Authorization": f"Bearer {elsewhere}"})
        assert denied.status_code == 403, path
        assert denied.json()["code"] == "forbidden"
        assert "may not call endpoint 'cancer'" in denied.json()["error"]
        allowed = await client.get(path, headers={"Authorization": f"Bearer {here}"})
        assert allowed.status_code == 200, path
    server = await client.get("/v2", headers={"Authorization": f"Bearer {elsewhere}"})
    assert server.status_code == 200  # about the server, not an endpoint


async def test_revoked_and_expired_keys_stop_working(
    app: PasarelaAPI, client: AsyncClient, keys: dict[str, str], served_registry: Registry
) -> None:
    brief = await new_key(served_registry, "analyst", expires_in_days=0.3 / 86400)
    await app.state.dataplane.refresh()
    auth = {"Authorization": f"Bearer {brief}"}
    assert (await client.get("/admin/whoami", headers=auth)).status_code == 200
    await asyncio.sleep(0.4)
    expired = await client.get("/admin/whoami", headers=auth)
    assert expired.json()["error"]["code"] == "key_expired"

    admin = {"Authorization": f"Bearer {keys['admin']}"}
    listed = (await client.get("/admin/keys", headers=admin)).json()["keys"]
    analyst_id = next(k["id"] for k in listed if k["name"] == "analyst key")
    assert all("key" not in k and "secret_sha256" not in k for k in listed)
    revoked = await client.delete(f"/admin/keys/{analyst_id}", headers=admin)
    assert revoked.status_code == 200 and revoked.json()["revoked_at"]
    reply = await client.get("/admin/whoami", headers={"X-API-Key": keys["analyst"]})
    assert reply.json()["error"]["code"] == "key_revoked"


async def test_the_key_listing_names_each_keys_state(
    app: PasarelaAPI, client: AsyncClient, keys: dict[str, str], served_registry: Registry
) -> None:
    """An expired key is listed as expired, not active (issue 14, item 14)."""
    repo = KeyRepository(served_registry.engine)
    service = KeyService(repo)
    lapsed, _ = await asyncio.to_thread(
        service.create, name="lapsed", role="client", by=ANONYMOUS, expires_in_days=1
    )
    # A day has passed: the stored expiry moved into the past, as the clock would move it.
    with served_registry.engine.begin() as conn:
        conn.execute(
            schema.api_keys.update()
            .where(schema.api_keys.c.id == lapsed.id)
            .values(expires_at=datetime.now(UTC) - timedelta(minutes=1))
        )
    await asyncio.to_thread(
        service.create, name="later", role="client", by=ANONYMOUS, expires_in_days=1
    )
    gone, _ = await asyncio.to_thread(
        service.create, name="gone", role="client", by=ANONYMOUS, expires_in_days=1
    )
    await asyncio.to_thread(service.revoke, gone.id, by=ANONYMOUS)
    admin = {"Authorization": f"Bearer {keys['admin']}"}
    listed = (await client.get("/admin/keys", headers=admin)).json()["keys"]
    states = {k["name"]: k["state"] for k in listed}
    assert states["lapsed"] == "expired"
    assert states["later"] == "active"
    assert states["gone"] == "revoked"
    assert states["admin key"] == "active"


async def test_operators_hand_out_client_keys_only(
    client: AsyncClient, keys: dict[str, str]
) -> None:
    operator = {"Authorization": f"Bearer {keys['operator']}"}
    made = await client.post(
        "/admin/keys", json={"name": "app", "role": "client"}, headers=operator
    )
    assert made.status_code == 201
    secret = made.json()["key"]
    assert secret.startswith(made.json()["id"] + ".")
    stronger = await client.post(
        "/admin/keys", json={"name": "x", "role": "admin"}, headers=operator
    )
    assert stronger.status_code == 403
    bad = await client.post("/admin/keys", json={"name": "x", "role": "root"}, headers=operator)
    assert bad.status_code == 400 and "role must be one of" in bad.text
    listed = (await client.get("/admin/keys", headers=operator)).json()["keys"]
    admin_id = next(k["id"] for k in listed if k["role"] == "admin")
    refused = await client.delete(f"/admin/keys/{admin_id}", headers=operator)
    assert refused.status_code == 403


async def test_a_key_over_its_rate_limit_gets_429_with_the_headers(
    app: PasarelaAPI, client: AsyncClient, served_registry: Registry
) -> None:
    limited = await new_key(served_registry, "analyst", rate_limit="1/m burst=3")
    await app.state.dataplane.refresh()
    auth = {"Authorization": f"Bearer {limited}"}
    statuses = [(await client.get("/admin/whoami", headers=auth)).status_code for _ in range(5)]
    assert statuses == [200, 200, 200, 429, 429]
    reply = await client.get("/admin/whoami", headers=auth)
    assert reply.json()["error"]["code"] == "rate_limited"
    assert int(reply.headers["retry-after"]) >= 1
    assert reply.headers["ratelimit-limit"] == "3"
    assert reply.headers["ratelimit-remaining"] == "0"


# -- bearer tokens ------------------------------------------------------------------------


@pytest.fixture
def rsa_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture
async def token_app(
    settings: Settings, served_registry: Registry, rsa_key: rsa.RSAPrivateKey, tmp_path: Path
) -> AsyncIterator[PasarelaAPI]:
    jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(rsa_key.public_key()))
    jwks = tmp_path / "jwks.json"
    jwks.write_text(json.dumps({"keys": [{**jwk, "kid": "k1", "use": "sig", "alg": "RS256"}]}))
    configured = settings.model_copy(
        update={
            "jwt_secret": "s3cret-for-hs256-tokens-long-enough",
            "jwt_jwks": str(jwks),
            "jwt_issuer": "https://id.example",
            "jwt_audience": "pasarela",
            "jwt_role_claim": "groups",
            "jwt_role_map": {"ml-admins": "admin", "data-team": "analyst"},
        }
    )
    application = create_app(configured)
    async with application.router.lifespan_context(application):
        yield application


def token(key: Any, algorithm: str, **claims: Any) -> str:
    base = {"iss": "https://id.example", "aud": "pasarela", "sub": "ana", "exp": time.time() + 60}
    headers = {"kid": "k1"} if algorithm == "RS256" else None
    return jwt.encode({**base, **claims}, key, algorithm=algorithm, headers=headers)


async def test_bearer_tokens_map_their_claims_to_roles(
    token_app: PasarelaAPI, rsa_key: rsa.RSAPrivateKey
) -> None:
    transport = httpx.ASGITransport(app=token_app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:

        async def whoami(value: str) -> httpx.Response:
            return await client.get("/admin/whoami", headers={"Authorization": f"Bearer {value}"})

        secret = "s3cret-for-hs256-tokens-long-enough"
        analyst = await whoami(token(secret, "HS256", groups=["staff", "data-team"]))
        assert analyst.json() == {
            "subject": "ana",
            "role": "analyst",
            "endpoints": None,
            "via": "jwt",
        }
        admin = await whoami(token(rsa_key, "RS256", groups="ml-admins", endpoints=["cancer"]))
        assert admin.json()["role"] == "admin" and admin.json()["endpoints"] == ["cancer"]
        # Without keys, the install is closed all the same: a token issuer is configured.
        assert (await client.get("/admin/stats")).status_code == 401
        refusals = {
            "token_expired": token(secret, "HS256", groups="ml-admins", exp=time.time() - 5),
            "invalid_credentials": token(secret, "HS256", groups="ml-admins", aud="other"),
            "no_role": token(secret, "HS256", groups="visitors"),
        }
        for code, value in refusals.items():
            reply = await whoami(value)
            assert reply.status_code == 401 and reply.json()["error"]["code"] == code, reply.text
        forged = await whoami(
            token("another-secret-entirely-of-length", "HS256", groups="ml-admins")
        )
        assert forged.json()["error"]["code"] == "invalid_credentials"
        stranger = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        assert (await whoami(token(stranger, "RS256", groups="ml-admins"))).status_code == 401


async def test_claims_of_the_wrong_type_are_refused_not_ignored(
    token_app: PasarelaAPI, trained: Trained
) -> None:
    """An ``endpoints`` claim sent as a string used to be ignored — full access; a role value
    the role map does not name used to count when spelt like a role (``admin``)."""
    transport = httpx.ASGITransport(app=token_app)
    secret = "s3cret-for-hs256-tokens-long-enough"
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:

        async def predict(value: str) -> httpx.Response:
            return await client.post(
                "/v1/endpoints/cancer/predict",
                json={"inputs": [row(trained)]},
                headers={"Authorization": f"Bearer {value}"},
            )

        refusals = {
            "invalid_claim": [
                token(secret, "HS256", groups="ml-admins", endpoints="other"),
                token(secret, "HS256", groups="ml-admins", endpoints=["other", 7]),
                token(secret, "HS256", groups="ml-admins", endpoints={"other": True}),
                token(secret, "HS256", groups="ml-admins", endpoints=None),
                token(secret, "HS256", groups=7),
                token(secret, "HS256", groups=["ml-admins", {"role": "admin"}]),
            ],
            "no_role": [
                token(secret, "HS256", groups="admin"),  # a role's name, but not in the map
                token(secret, "HS256", groups=["visitors", "analyst"]),
            ],
            "invalid_credentials": [token(secret, "HS256", groups="ml-admins", sub=12)],
        }
        for code, values in refusals.items():
            for value in values:
                reply = await predict(value)
                assert reply.status_code == 401, (code, reply.text)
                assert reply.json()["error"]["code"] == code, reply.text
        scoped = await predict(token(secret, "HS256", groups="ml-admins", endpoints=["other"]))
        assert scoped.status_code == 403 and scoped.json()["error"]["code"] == "forbidden"
        allowed = await predict(token(secret, "HS256", groups="ml-admins", endpoints=["cancer"]))
        assert allowed.status_code == 200, allowed.text


async def test_long_paths_and_subjects_leave_the_audit_log_intact(
    token_app: PasarelaAPI,
) -> None:
    """An anonymous ``GET /admin/<400 chars>`` or a token whose ``sub`` is longer than the
    audit's actor column used to make ``verify`` read TAMPERED for ever."""
    transport = httpx.ASGITransport(app=token_app)
    secret = "s3cret-for-hs256-tokens-long-enough"
    admin = {"Authorization": f"Bearer {token(secret, 'HS256', groups='ml-admins')}"}
    long_sub = token(secret, "HS256", groups="ml-admins", sub="s" * 300)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        assert (await client.get("/admin/" + "a" * 400)).status_code == 401
        assert (await client.get("/admin/%00" + "b" * 400)).status_code in (401, 404)
        reply = await client.get("/admin/keys", headers={"Authorization": f"Bearer {long_sub}"})
        assert reply.status_code == 200, reply.text
        await asyncio.to_thread(token_app.state.events.flush)
        verified = (await client.get("/admin/audit/verify", headers=admin)).json()
        assert verified["ok"] and verified["entries"] >= 3, verified
        entries = (await client.get("/admin/audit?limit=1000", headers=admin)).json()["entries"]
    actors = {e["actor"] for e in entries}
    assert any(a.startswith("s" * 100) and a.endswith("…") for a in actors), actors


def test_the_docs_print_the_access_table_as_it_is() -> None:
    text = DOCS.read_text(encoding="utf-8")
    assert access_table() in text, (
        "docs/security.md is out of date: paste the output of "
        "`.venv/bin/python -m pasarela.api.permissions` into it"
    )
