"""Authentication (``security/auth.py``): which header carries the credential, and what a key,
a token, or nothing at all makes of the caller — against a real key ring and a real verifier."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import jwt
import pytest

from pasarela.errors import Unauthenticated
from pasarela.security.auth import Authenticator, credential_of
from pasarela.security.jwt import JwtVerifier
from pasarela.security.keys import KeyRing, key_hash, new_key
from pasarela.security.ratelimit.base import Limit
from pasarela.security.roles import ANONYMOUS, Principal
from pasarela.settings import Settings
from pasarela.storage.keys import KeyRecord

SECRET = "s3cret-for-hs256-tokens-long-enough"
MADE = datetime(2026, 1, 1, tzinfo=UTC)


def record(
    key: str,
    role: str = "client",
    *,
    endpoints: tuple[str, ...] | None = None,
    rate_limit: str | None = None,
    expires_at: datetime | None = None,
    revoked_at: datetime | None = None,
) -> KeyRecord:
    return KeyRecord(
        id=key.split(".", 1)[0],
        secret_sha256=key_hash(key),
        name="app",
        role=role,
        endpoints=endpoints,
        rate_limit=rate_limit,
        created_by="tester",
        created_at=MADE,
        expires_at=expires_at,
        revoked_at=revoked_at,
    )


def token(**claims: object) -> str:
    return jwt.encode({"exp": time.time() + 60, **claims}, SECRET, "HS256")


def refusal(authenticator: Authenticator, headers: dict[str, str]) -> Unauthenticated:
    with pytest.raises(Unauthenticated) as refused:
        authenticator.authenticate(headers)
    return refused.value


# -- where the credential comes from --------------------------------------------------------


@pytest.mark.parametrize(
    ("headers", "credential"),
    [
        ({"authorization": "Bearer pk_1.abc"}, "pk_1.abc"),
        ({"authorization": "bearer   pk_1.abc  "}, "pk_1.abc"),  # scheme in any case, trimmed
        ({"x-api-key": " pk_1.abc "}, "pk_1.abc"),
        ({"authorization": "Bearer from-header", "x-api-key": "ignored"}, "from-header"),
        ({}, None),
        ({"cookie": "pasarela_session=abc"}, None),  # sessions are the gate's, not a header's
    ],
)
def test_the_credential_comes_from_authorization_or_x_api_key(
    headers: dict[str, str], credential: str | None
) -> None:
    assert credential_of(headers) == credential


@pytest.mark.parametrize("value", ["Basic dXNlcjpwYXNz", "Bearer", "Bearer    ", "pk_1.abc"])
def test_an_authorization_header_that_is_not_bearer_is_refused(value: str) -> None:
    with pytest.raises(Unauthenticated) as refused:
        credential_of({"authorization": value})
    assert refused.value.code == "invalid_credentials"
    assert "Bearer <key or token>" in refused.value.message


# -- an open install -------------------------------------------------------------------------


def test_without_keys_or_token_issuer_the_install_is_open() -> None:
    authenticator = Authenticator()
    assert authenticator.open
    assert authenticator.authenticate({}) == (ANONYMOUS, None)
    assert ANONYMOUS.role == "admin" and ANONYMOUS.via == "anonymous"


def test_once_a_key_exists_credentials_are_required() -> None:
    _, key = new_key()
    authenticator = Authenticator(KeyRing([record(key)]))
    assert not authenticator.open
    refused = refusal(authenticator, {"cookie": "pasarela_session=abc"})
    assert refused.code == "unauthenticated"
    assert "credentials required" in refused.message


def test_a_token_issuer_alone_closes_the_install(tmp_path: Path) -> None:
    verifier = JwtVerifier(Settings(home=tmp_path, jwt_secret=SECRET))
    authenticator = Authenticator(jwt=verifier)
    assert not authenticator.open
    assert refusal(authenticator, {}).code == "unauthenticated"


# -- keys ------------------------------------------------------------------------------------


def test_a_valid_key_gives_its_principal_and_the_key() -> None:
    ident, key = new_key()
    ring = KeyRing([record(key, "client", endpoints=("churn",), rate_limit="10/s burst=20")])
    principal, active = Authenticator(ring).authenticate({"x-api-key": key})
    assert principal == Principal(ident, "client", frozenset({"churn"}), "key")
    assert active is not None and active.id == ident
    assert active.rate_limit == Limit(10.0, 20)
    # the roles table decides what the principal may do
    assert principal.may("predict") and not principal.may("deliver")
    assert principal.may_call("churn") and not principal.may_call("fraud")


def test_an_admin_key_may_do_everything_on_every_endpoint() -> None:
    ident, key = new_key()
    principal, _ = Authenticator(KeyRing([record(key, "admin")])).authenticate(
        {"authorization": f"Bearer {key}"}
    )
    assert principal.subject == ident and principal.endpoints is None
    assert principal.may("administer") and principal.may_call("anything")


@pytest.mark.parametrize(
    ("credential", "message"),
    [
        ("pk_short", "the API key is malformed"),
        ("pk_0123abcd." + "A" * 43, "the API key is not valid"),  # well formed, unknown
    ],
)
def test_an_unknown_or_malformed_key_is_refused(credential: str, message: str) -> None:
    _, key = new_key()
    refused = refusal(Authenticator(KeyRing([record(key)])), {"x-api-key": credential})
    assert (refused.code, refused.message) == ("invalid_credentials", message)


def test_a_key_with_another_keys_id_is_refused() -> None:
    _, key = new_key()
    other_id, _ = new_key()
    forged = f"{other_id}.{key.split('.', 1)[1]}"
    ring = KeyRing([record(key)])
    assert refusal(Authenticator(ring), {"x-api-key": forged}).code == "invalid_credentials"


def test_revoked_and_expired_keys_are_refused_with_their_own_codes() -> None:
    ident_r, revoked = new_key()
    ident_e, expired = new_key()
    _, fresh = new_key()
    past = datetime.now(UTC) - timedelta(seconds=1)
    future = datetime.now(UTC) + timedelta(days=1)
    ring = KeyRing(
        [
            record(revoked, revoked_at=past),
            record(expired, expires_at=past),
            record(fresh, expires_at=future),
        ]
    )
    authenticator = Authenticator(ring)
    refused = refusal(authenticator, {"x-api-key": revoked})
    assert (refused.code, refused.message) == ("key_revoked", f"key {ident_r} was revoked")
    refused = refusal(authenticator, {"x-api-key": expired})
    assert (refused.code, refused.message) == ("key_expired", f"key {ident_e} has expired")
    assert authenticator.authenticate({"x-api-key": fresh})[1] is not None


# -- tokens ----------------------------------------------------------------------------------


def test_a_token_gives_a_principal_without_a_key(tmp_path: Path) -> None:
    _, key = new_key()
    verifier = JwtVerifier(Settings(home=tmp_path, jwt_secret=SECRET))
    authenticator = Authenticator(KeyRing([record(key)]), verifier)
    principal, active = authenticator.authenticate(
        {"authorization": f"Bearer {token(sub='ana', role='analyst', endpoints=['churn'])}"}
    )
    assert principal == Principal("ana", "analyst", frozenset({"churn"}), "jwt")
    assert active is None
    # keys still work beside tokens
    assert authenticator.authenticate({"x-api-key": key})[0].via == "key"


def test_a_bad_token_is_refused_saying_why(tmp_path: Path) -> None:
    verifier = JwtVerifier(Settings(home=tmp_path, jwt_secret=SECRET))
    authenticator = Authenticator(jwt=verifier)
    expired = jwt.encode({"exp": time.time() - 60, "role": "admin"}, SECRET, "HS256")
    assert refusal(authenticator, {"authorization": f"Bearer {expired}"}).code == "token_expired"
    forged = jwt.encode(
        {"exp": time.time() + 60, "role": "admin"}, "another-secret-at-least-32-bytes-long", "HS256"
    )
    assert (
        refusal(authenticator, {"authorization": f"Bearer {forged}"}).code == "invalid_credentials"
    )


def test_without_a_token_issuer_a_credential_that_is_not_a_key_is_refused() -> None:
    _, key = new_key()
    refused = refusal(Authenticator(KeyRing([record(key)])), {"authorization": f"Bearer {token()}"})
    assert (refused.code, refused.message) == (
        "invalid_credentials",
        "the credential is not a valid key",
    )
