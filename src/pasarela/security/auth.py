"""Who is calling: credentials from the request's headers, checked against the key ring and
the token verifier of the current snapshot.

Credentials come as ``Authorization: Bearer <key or token>`` or ``X-API-Key: <key>``. The
dashboard, which a browser opens, signs in once and then sends a session cookie, never the key
(``security/sessions.py``; the gate reads it). Until the first key exists and with no token
issuer configured, an install is open (``ANONYMOUS``, an admin): that is a fresh install, which
``pasarela serve`` closes at once by creating an admin key.
"""

from __future__ import annotations

from collections.abc import Mapping

from pasarela.errors import Unauthenticated
from pasarela.security.jwt import JwtVerifier
from pasarela.security.keys import ActiveKey, KeyRing, looks_like_key
from pasarela.security.roles import ANONYMOUS, Principal


def credential_of(headers: Mapping[str, str]) -> str | None:
    """The credential the request carries, or None. ``headers`` have lower-case names."""
    authorization = headers.get("authorization")
    if authorization is not None:
        scheme, _, value = authorization.partition(" ")
        if scheme.lower() != "bearer" or not value.strip():
            raise Unauthenticated(
                "use 'Authorization: Bearer <key or token>'", code="invalid_credentials"
            )
        return value.strip()
    key = headers.get("x-api-key")
    if key is not None:
        return key.strip()
    return None


class Authenticator:
    """Turns a request's credentials into a ``Principal``; rebuilt with every snapshot."""

    def __init__(self, keyring: KeyRing | None = None, jwt: JwtVerifier | None = None) -> None:
        self.keyring = keyring or KeyRing()
        self.jwt = jwt
        self.open = len(self.keyring) == 0 and jwt is None

    def authenticate(self, headers: Mapping[str, str]) -> tuple[Principal, ActiveKey | None]:
        """The caller and, for a key, the key; Unauthenticated, saying why, otherwise."""
        credential = credential_of(headers)
        if credential is None:
            if self.open:
                return ANONYMOUS, None
            raise Unauthenticated(
                "credentials required: 'Authorization: Bearer <key or token>' or 'X-API-Key'"
            )
        if looks_like_key(credential):
            return self.keyring.check(credential)
        if self.jwt is None:
            raise Unauthenticated("the credential is not a valid key", code="invalid_credentials")
        return self.jwt.check(credential), None
