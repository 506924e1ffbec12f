"""Bearer tokens: JWTs signed by an identity provider, verified with PyJWT.

HS256 with a shared secret, or RS256 with a PEM public key or the keys of a JWKS: a file, read at
start, or a URL, fetched at start and then by ``keep_fresh`` in the background — never on a
request. A token signed with a key the set does not hold yet is refused, and wakes the refresher
early (at most once per ``jwt_jwks_min_refresh_s``): identity providers publish a new key before
they sign with it. The issuer and the audience are checked when configured, the expiry always.
The role comes from a claim through a mapping, so an identity provider's group names need not be
pasarela's role names. Claims of the wrong type (an ``endpoints`` string, a numeric role) are
refused, never ignored: ignoring a scope would widen it to every endpoint.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any, cast
from urllib.parse import urlsplit

from pasarela.errors import ConfigurationError, Unauthenticated
from pasarela.security.roles import ROLES, Principal, Role
from pasarela.settings import Settings

log = logging.getLogger(__name__)


class JwtVerifier:
    """Checks bearer tokens against the configured keys and maps their claims to a principal."""

    def __init__(self, settings: Settings) -> None:
        import jwt  # PyJWT and its crypto backends load only where tokens are configured

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
        source = settings.jwt_jwks
        self.from_url = bool(source and source.startswith(("https://", "http://")))
        self._attempted_at = float("-inf")  # time.monotonic() of the last fetch, good or bad
        self._wake: asyncio.Event | None = None  # set by a token with an unknown kid
        self._loop: asyncio.AbstractEventLoop | None = None  # the refresher's, while it runs
        if source:
            try:
                self.jwks = self._load(source)
            except Exception as exc:
                raise ConfigurationError(
                    f"cannot load the JWKS from {_shown(source)}: {_reason(exc, source)}"
                ) from exc

    @classmethod
    def configured(cls, settings: Settings) -> bool:
        return bool(settings.jwt_secret or settings.jwt_public_key or settings.jwt_jwks)

    def refresh(self) -> None:
        """Load the JWKS again (blocking: call it off the event loop); on failure keep the keys
        we had and log why."""
        source = self.settings.jwt_jwks
        if not source:
            return
        try:
            self.jwks = self._load(source)
        except Exception as exc:  # noqa: BLE001 - keep the keys we had; say why, secrets left out
            log.warning(
                "JWKS refresh from %s failed, keeping %d keys: %s",
                _shown(source),
                len(self.jwks),
                _reason(exc, source),
            )

    async def keep_fresh(self) -> None:
        """Refresh a URL's JWKS every ``jwt_jwks_refresh_s``, or sooner when a token names a key
        we do not hold — but never twice within ``jwt_jwks_min_refresh_s``. Run it as a task and
        cancel it to stop; a file is read once, at start."""
        if not self.from_url:
            return
        wake = self._wake = asyncio.Event()
        self._loop = asyncio.get_running_loop()
        try:
            while True:
                due = self._attempted_at + self.settings.jwt_jwks_refresh_s
                try:  # not wait_for: on 3.11 it can swallow the cancel that stops us
                    async with asyncio.timeout(max(0.0, due - time.monotonic())):
                        await wake.wait()
                except TimeoutError:
                    pass
                else:  # woken early: still not before the minimum interval is over
                    soonest = min(due, self._attempted_at + self.settings.jwt_jwks_min_refresh_s)
                    await asyncio.sleep(max(0.0, soonest - time.monotonic()))
                wake.clear()  # kids seen from here on call for the next fetch
                await asyncio.to_thread(self.refresh)
        finally:
            self._loop = self._wake = None

    def _load(self, source: str) -> dict[str, Any]:
        import jwt

        self._attempted_at = time.monotonic()
        if self.from_url:
            import httpx

            document = httpx.get(source, timeout=10).raise_for_status().json()
        else:
            document = json.loads(Path(source).read_text(encoding="utf-8"))
        keys = jwt.PyJWKSet.from_dict(document).keys
        return {k.key_id or "": k.key for k in keys}

    def _unknown_kid(self) -> None:
        """Ask the refresher for an early fetch; a no-op when none runs. Safe from any thread."""
        loop, wake = self._loop, self._wake
        if loop is not None and wake is not None and not wake.is_set():
            with contextlib.suppress(RuntimeError):  # the loop closed meanwhile
                loop.call_soon_threadsafe(wake.set)

    def check(self, token: str) -> Principal:
        import jwt

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
                    self._unknown_kid()  # refused now; the next fetch may bring it
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
        return Principal(
            claims.get("sub") or "token",  # PyJWT refuses a ``sub`` that is not a string
            self._role(claims),
            self._scope(claims),
            "jwt",
        )

    def _role(self, claims: Mapping[str, Any]) -> Role:
        """The first of the role claim's values that names a role. With a role map configured
        only its keys count — a value it does not map is no role, even one spelt like
        pasarela's own (``admin``); without one, the values are pasarela's role names."""
        name = self.settings.jwt_role_claim
        raw = claims.get(name)
        values = raw if isinstance(raw, list) else [raw] if raw is not None else []
        if not all(isinstance(value, str) for value in values):
            raise Unauthenticated(
                f"the token's {name!r} claim must be a string or a list of strings",
                code="invalid_claim",
            )
        mapping = self.settings.jwt_role_map
        for value in values:
            role = mapping.get(value) if mapping else value
            if role in ROLES:
                return cast(Role, role)
        raise Unauthenticated(f"the token's {name!r} claim maps to no role", code="no_role")

    def _scope(self, claims: Mapping[str, Any]) -> frozenset[str] | None:
        """The endpoints the token may call: all when the claim is absent; otherwise it must
        be a list of strings — anything else is refused, never read as "no limit"."""
        name = self.settings.jwt_endpoints_claim
        if name not in claims:
            return None
        endpoints = claims[name]
        if not isinstance(endpoints, list) or not all(isinstance(e, str) for e in endpoints):
            raise Unauthenticated(
                f"the token's {name!r} claim must be a list of endpoint names",
                code="invalid_claim",
            )
        return frozenset(endpoints)


def _shown(source: str) -> str:
    """A JWKS source fit for a log line: a URL loses its user, password, query and fragment."""
    if not source.startswith(("https://", "http://")):
        return source
    parts = urlsplit(source)
    host = parts.hostname or ""
    host = f"[{host}]" if ":" in host else host
    return f"{parts.scheme}://{host}{f':{parts.port}' if parts.port else ''}{parts.path}"


def _reason(exc: Exception, source: str) -> str:
    """Why a load failed, in words that carry no secret from the URL."""
    import httpx

    if isinstance(exc, httpx.HTTPStatusError):
        return f"HTTP {exc.response.status_code}"
    return f"{type(exc).__name__}: {exc}".replace(source, _shown(source))
