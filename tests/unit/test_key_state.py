"""A stored key's state as listings show it: active, expired or revoked (issue 14, item 14)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from pasarela.storage.keys import KeyRecord

MADE = datetime(2026, 1, 1, tzinfo=UTC)


def key(expires_at: datetime | None = None, revoked_at: datetime | None = None) -> KeyRecord:
    return KeyRecord(
        id="pk_0123abcd",
        secret_sha256="0" * 64,
        name="app",
        role="client",
        endpoints=None,
        rate_limit=None,
        created_by="tester",
        created_at=MADE,
        expires_at=expires_at,
        revoked_at=revoked_at,
    )


def test_a_key_expires_at_its_expiry_not_after() -> None:
    expiry = MADE + timedelta(days=1)
    assert key(expiry).state(expiry - timedelta(microseconds=1)) == "active"
    assert key(expiry).state(expiry) == "expired"  # the instant KeyRing.check refuses it
    assert key(expiry).to_json(expiry + timedelta(days=30))["state"] == "expired"


def test_a_key_without_expiry_stays_active_until_revoked() -> None:
    assert key().state(MADE + timedelta(days=10_000)) == "active"
    assert key(revoked_at=MADE).state(MADE) == "revoked"


def test_revocation_wins_over_expiry() -> None:
    expiry = MADE + timedelta(days=1)
    assert key(expiry, revoked_at=MADE).state(expiry + timedelta(days=1)) == "revoked"
