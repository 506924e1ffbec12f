"""Who is calling: credentials from the request's headers, checked against the key ring and
the token verifier of the current snapshot.

Credentials come as ``Authorization: Bearer <key or token>`` or ``X-API-Key: <key>``; the
dashboard, which a browser opens, may also send the key in the ``pasarela_key`` cookie set by
its login page (for GET requests only, so a page elsewhere cannot make the browser change
anything: the cookie is also ``SameSite=Strict``). Until the first key exists and with no token
issuer configured, an install is open (``ANONYMOUS``, an admin): that is a fresh install, which
``pasarela serve`` closes at once by creating an admin key.
"""

from __future__ import annotations

from collections.abc import Mapping

from pasarela.errors import Unauthenticated
from pasarela.security.jwt import JwtVerifier
from pasarela.security.keys import ActiveKey, KeyRing, looks_like_key
from pasarela.security.roles import ANONYMOUS, Principal

COOKIE = "pasarela_key"


def credential_of(headers: Mapping[str, str], *, cookie_ok: bool = False) -> str | None:
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
    if cookie_ok and (cookies := headers.get("cookie")):
        for part in cookies.split(";"):
            name, _, value = part.strip().partition("=")
            if name == COOKIE and value:
                return value
    return None


class Authenticator:
    """Turns a request's credentials into a ``Principal``; rebuilt with every snapshot."""

    def __init__(self, keyring: KeyRing | None = None, jwt: JwtVerifier | None = None) -> None:
        self.keyring = keyring or KeyRing()
        self.jwt = jwt
        self.open = len(self.keyring) == 0 and jwt is None

    def authenticate(
        self, headers: Mapping[str, str], *, cookie_ok: bool = False
    ) -> tuple[Principal, ActiveKey | None]:
        """The caller and, for a key, the key; Unauthenticated, saying why, otherwise."""
        credential = credential_of(headers, cookie_ok=cookie_ok)
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
