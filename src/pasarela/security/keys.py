"""API keys: made here, shown once, kept as a hash, checked in memory on every request.

A key reads ``pk_1a2b3c4d.<43 random characters>``: the part before the dot is its id, safe to
show and log (``pasarela keys list``); the rest is 256 random bits. Only SHA-256 of the whole
key is stored. A fast hash is right here: unlike a password, a 256-bit random secret cannot be
guessed, so a slow hash would only slow every request down.

``KeyRing`` is the hot path's view: a dict from hash to key, rebuilt with each snapshot, so
checking a key costs one SHA-256 and one lookup, never a database round trip. A revoked key
stops working when servers take their next snapshot (``PASARELA_SNAPSHOT_POLL_S``).
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import time
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from pasarela.errors import Forbidden, InvalidInput, InvalidRequest, Unauthenticated
from pasarela.security.ratelimit.base import Limit
from pasarela.security.roles import CAN_CREATE, ROLES, Principal, Role
from pasarela.storage.keys import KeyRecord, KeyRepository

PREFIX = "pk_"
MAX_EXPIRES_IN_DAYS = 36_500
"""A century: the longest a key can be made to last (beyond, leave the expiry out)."""
_KEY = re.compile(r"^pk_[0-9a-f]{8}\.[A-Za-z0-9_-]{43}$")


def new_key() -> tuple[str, str]:
    """A fresh (id, key) pair."""
    ident = PREFIX + secrets.token_hex(4)
    return ident, f"{ident}.{secrets.token_urlsafe(32)}"


def key_hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def looks_like_key(credential: str) -> bool:
    return credential.startswith(PREFIX)


@dataclass(frozen=True, slots=True)
class ActiveKey:
    """What the hot path needs to know about one key."""

    id: str
    role: Role
    endpoints: frozenset[str] | None
    expires_at: float | None
    revoked: bool
    rate_limit: Limit | None


class KeyRing:
    """Every key, by the hash of its secret; built once per snapshot."""

    def __init__(self, records: Iterable[KeyRecord] = ()) -> None:
        self._by_hash: dict[str, ActiveKey] = {}
        for r in records:
            self._by_hash[r.secret_sha256] = ActiveKey(
                id=r.id,
                role=r.role,  # type: ignore[arg-type]  # checked when created
                endpoints=None if r.endpoints is None else frozenset(r.endpoints),
                expires_at=r.expires_at.timestamp() if r.expires_at else None,
                revoked=r.revoked_at is not None,
                rate_limit=Limit.parse(r.rate_limit) if r.rate_limit else None,
            )
        self._by_id = {k.id: k for k in self._by_hash.values()}

    def __len__(self) -> int:
        return len(self._by_hash)

    def check(self, key: str, now: float | None = None) -> tuple[Principal, ActiveKey]:
        """The principal of ``key``; Unauthenticated, saying why, when it is not valid."""
        if not _KEY.match(key):
            raise Unauthenticated("the API key is malformed", code="invalid_credentials")
        found = self._by_hash.get(key_hash(key))
        # compare_digest: the lookup above is by hash, but be explicit that a near-miss leaks
        # nothing about which key exists.
        if found is None or not hmac.compare_digest(found.id, key.split(".", 1)[0]):
            raise Unauthenticated("the API key is not valid", code="invalid_credentials")
        return _admit(found, now)

    def check_id(self, key_id: str, now: float | None = None) -> tuple[Principal, ActiveKey]:
        """The principal of the key called ``key_id`` (a dashboard session's key, which the
        session already proved); Unauthenticated when it is gone, revoked or expired."""
        found = self._by_id.get(key_id)
        if found is None:
            raise Unauthenticated(f"key {key_id} no longer exists", code="key_revoked")
        return _admit(found, now)


def _admit(found: ActiveKey, now: float | None) -> tuple[Principal, ActiveKey]:
    if found.revoked:
        raise Unauthenticated(f"key {found.id} was revoked", code="key_revoked")
    if found.expires_at is not None and (now or time.time()) >= found.expires_at:
        raise Unauthenticated(f"key {found.id} has expired", code="key_expired")
    return Principal(found.id, found.role, found.endpoints, "key"), found


class KeyService:
    """Creating and revoking keys, with the rule that nobody mints a key above their station.

    Example::

        record, secret = KeyService(workspace.keys).create(name="ci", role="client", by=admin)
    """

    def __init__(self, repo: KeyRepository) -> None:
        self.repo = repo

    def create(
        self,
        *,
        name: str,
        role: str,
        by: Principal,
        endpoints: Iterable[str] | None = None,
        expires_in_days: float | None = None,
        rate_limit: str | None = None,
    ) -> tuple[KeyRecord, str]:
        """A new key and its secret, which is shown this once and never again."""
        if role not in ROLES:
            raise InvalidRequest(f"role must be one of {', '.join(ROLES)}, not {role!r}")
        if role not in CAN_CREATE[by.role]:
            raise Forbidden(f"a {by.role} cannot create {role} keys", code="forbidden")
        if not name or len(name) > 200:
            raise InvalidRequest("a key needs a name of 1 to 200 characters")
        if expires_in_days is not None and not 0 < expires_in_days <= MAX_EXPIRES_IN_DAYS:
            # past about 2.9 million days the expiry is no date at all (an OverflowError)
            raise InvalidInput(
                f"expires_in_days must be positive and at most {MAX_EXPIRES_IN_DAYS}",
                code="out_of_range",
            )
        if rate_limit is not None:
            try:
                Limit.parse(rate_limit)
            except ValueError as exc:
                raise InvalidRequest(f"rate_limit: {exc}") from exc
        scope = None if endpoints is None else tuple(sorted(set(endpoints)))
        ident, secret = new_key()
        now = datetime.now(UTC)
        record = KeyRecord(
            id=ident,
            secret_sha256=key_hash(secret),
            name=name,
            role=role,
            endpoints=scope,
            rate_limit=rate_limit,
            created_by=by.subject,
            created_at=now,
            expires_at=now + timedelta(days=expires_in_days) if expires_in_days else None,
            revoked_at=None,
        )
        self.repo.add(record)
        return record, secret

    def revoke(self, key_id: str, *, by: Principal) -> KeyRecord:
        record = self.repo.get(key_id)
        if record.role not in CAN_CREATE[by.role]:
            raise Forbidden(f"a {by.role} cannot revoke {record.role} keys", code="forbidden")
        return self.repo.revoke(key_id, actor=by.subject)
