"""Bearer tokens: JWTs signed by an identity provider, verified with PyJWT.

HS256 with a shared secret, or RS256 with a PEM public key or the keys of a JWKS (a file, or a
URL fetched at start and refreshed in the background — never on a request). The issuer and the
audience are checked when configured, the expiry always. The role comes from a claim through
a mapping, so an identity provider's group names need not be pasarela's role names.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import jwt

from pasarela.errors import ConfigurationError, Unauthenticated
from pasarela.security.roles import ROLES, Principal, Role
from pasarela.settings import Settings

log = logging.getLogger(__name__)


class JwtVerifier:
    """Checks bearer tokens against the configured keys and maps their claims to a principal."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.secret = settings.jwt_secret
        self.public_key: Any = None
        if settings.jwt_public_key is not None:
            pem = settings.jwt_public_key.read_bytes()
            # A PEM file, or a single JWK (JSON) holding the public key.
            self.public_key = (
                jwt.algorithms.RSAAlgorithm.from_jwk(pem.decode()) if pem[:1] == b"{" else pem
            )
        self.jwks: dict[str, Any] = {}
        if settings.jwt_jwks:
            self.refresh()

    @classmethod
    def configured(cls, settings: Settings) -> bool:
        return bool(settings.jwt_secret or settings.jwt_public_key or settings.jwt_jwks)

    def refresh(self) -> None:
        """Load the JWKS again (blocking: call it off the event loop)."""
        source = self.settings.jwt_jwks
        if not source:
            return
        try:
            if source.startswith(("https://", "http://")):
                import httpx

                document = httpx.get(source, timeout=10).raise_for_status().json()
            else:
                document = json.loads(Path(source).read_text(encoding="utf-8"))
            keys = jwt.PyJWKSet.from_dict(document).keys
        except Exception as exc:  # keep the keys we had; say why once
            if not self.jwks:
                raise ConfigurationError(f"cannot load the JWKS from {source}: {exc}") from exc
            log.warning(
                "JWKS refresh from %s failed, keeping %d keys: %s", source, len(self.jwks), exc
            )
            return
        self.jwks = {k.key_id or "": k.key for k in keys}

    def check(self, token: str) -> Principal:
        try:
            header = jwt.get_unverified_header(token)
            algorithm = header.get("alg")
            key: Any
            if algorithm == "HS256" and self.secret:
                key = self.secret
            elif algorithm == "RS256" and self.public_key is not None:
                key = self.public_key
            elif algorithm == "RS256" and self.jwks:
                kid = header.get("kid") or ""
                if kid not in self.jwks:
                    raise Unauthenticated(
                        "the token's signing key is not known", code="invalid_credentials"
                    )
                key = self.jwks[kid]
            else:
                raise Unauthenticated(
                    f"tokens signed with {algorithm!r} are not accepted",
                    code="invalid_credentials",
                )
            claims: dict[str, Any] = jwt.decode(
                token,
                key,
                algorithms=[algorithm],
                audience=self.settings.jwt_audience,
                issuer=self.settings.jwt_issuer,
                options={"require": ["exp"], "verify_aud": self.settings.jwt_audience is not None},
            )
        except jwt.ExpiredSignatureError as exc:
            raise Unauthenticated("the token has expired", code="token_expired") from exc
        except jwt.InvalidTokenError as exc:
            raise Unauthenticated(
                f"the token is not valid: {exc}", code="invalid_credentials"
            ) from exc
        role = self._role(claims)
        endpoints = claims.get(self.settings.jwt_endpoints_claim)
        scope = frozenset(str(e) for e in endpoints) if isinstance(endpoints, list) else None
        return Principal(str(claims.get("sub") or "token"), role, scope, "jwt")

    def _role(self, claims: Mapping[str, Any]) -> Role:
        raw = claims.get(self.settings.jwt_role_claim)
        values = raw if isinstance(raw, list) else [raw]
        for value in values:
            name = self.settings.jwt_role_map.get(str(value), str(value))
            if name in ROLES:
                return name
        raise Unauthenticated(
            f"the token's {self.settings.jwt_role_claim!r} claim maps to no role",
            code="no_role",
        )
