"""Token claims are read by their type: without a role map the role claim holds pasarela's
role names; a claim of another type is refused (``invalid_claim``), never ignored."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import jwt
import pytest

from pasarela.errors import Unauthenticated
from pasarela.security.jwt import JwtVerifier
from pasarela.settings import Settings

SECRET = "s3cret-for-hs256-tokens-long-enough"


def check(tmp_path: Path, **claims: Any) -> Any:
    verifier = JwtVerifier(Settings(home=tmp_path, jwt_secret=SECRET))
    return verifier.check(jwt.encode({"exp": time.time() + 60, **claims}, SECRET, "HS256"))


def test_without_a_role_map_the_claim_holds_role_names(tmp_path: Path) -> None:
    principal = check(tmp_path, sub="ana", role=["guest", "analyst"], endpoints=[])
    assert (principal.subject, principal.role, principal.endpoints) == ("ana", "analyst", set())
    assert check(tmp_path, role="client").endpoints is None  # no claim: no limit


@pytest.mark.parametrize(
    ("claims", "code"),
    [
        ({"role": "admin", "endpoints": "cancer"}, "invalid_claim"),
        ({"role": "admin", "endpoints": [["cancer"]]}, "invalid_claim"),
        ({"role": True}, "invalid_claim"),
        ({"role": ["admin", 1]}, "invalid_claim"),
        ({"role": "root"}, "no_role"),
        ({}, "no_role"),
        ({"role": "admin", "sub": ["ana"]}, "invalid_credentials"),
    ],
)
def test_claims_of_the_wrong_type_are_refused(
    tmp_path: Path, claims: dict[str, Any], code: str
) -> None:
    with pytest.raises(Unauthenticated) as refused:
        check(tmp_path, **claims)
    assert refused.value.code == code
