"""Reversible redaction: a finding becomes ``<LABEL#token>``, the token being the AES-256-GCM
encryption of the value under a 32-byte key, and ``reveal`` puts every original back.

Apart from the detectors: a reversible guard wraps whichever detector it redacts with
(``Pseudonymizer.wrap``), and ``security/crypto.py`` builds the pseudonymizer from
``PASARELA_PSEUDONYMIZATION_KEY`` without loading any detector's tables.
"""

from __future__ import annotations

import base64
import binascii
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass, replace

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from pasarela.errors import ConfigurationError
from pasarela.guards.base import redact
from pasarela.settings import Settings
from pasarela.types import Detector, Finding

__all__ = ["Pseudonymizer", "PseudonymizingDetector", "RevealError", "reveal"]

_TOKEN = re.compile(r"<([A-Z][A-Z0-9_]*)#([A-Za-z0-9_-]{38,})>")
_NONCE = 12


class RevealError(ValueError):
    """A pseudonymised token could not be decrypted: the key is not the one that made it, or
    the token (or its label) was altered."""


def _key(key: bytes) -> AESGCM:
    if not isinstance(key, bytes | bytearray) or len(key) != 32:
        raise ValueError("a pseudonymisation key is 32 bytes (AES-256)")
    return AESGCM(bytes(key))


class Pseudonymizer:
    """Reversible redaction: each finding becomes ``<LABEL#token>``, the token being the
    AES-256-GCM encryption of the original value under ``key`` (random 12-byte nonce; the
    label as associated data, so a token moved to another label does not decrypt), in
    base64url without padding. Keep the key apart from the texts: whoever holds both reads
    the originals.

    >>> p = Pseudonymizer(bytes(32))
    >>> hidden = p.apply("mail ana@x.es", [Finding("pii.email", "EMAIL", 5, 13, 1.0)])
    >>> hidden.startswith("mail <EMAIL#"), p.reveal(hidden)
    (True, 'mail ana@x.es')
    """

    __slots__ = ("_aead", "_key")

    def __init__(self, key: bytes) -> None:
        self._aead = _key(key)
        self._key = bytes(key)

    def token(self, label: str, value: str) -> str:
        """The replacement for ``value`` found as ``label``."""
        nonce = os.urandom(_NONCE)
        sealed = self._aead.encrypt(nonce, value.encode(), label.encode())
        raw = base64.urlsafe_b64encode(nonce + sealed).rstrip(b"=").decode()
        return f"<{label}#{raw}>"

    def apply(self, text: str, findings: Iterable[Finding]) -> str:
        """``text`` with every located finding replaced by its token (overlaps as in
        ``guards.base.redact``)."""
        return redact(text, self.protect(text, findings))

    def protect(self, text: str, findings: Iterable[Finding]) -> list[Finding]:
        """The findings with their ``replacement`` set to a token of the value they cover."""
        return [
            replace(f, replacement=self.token(f.label, text[f.start : f.end]))
            if 0 <= f.start < f.end <= len(text)
            else f
            for f in findings
        ]

    def reveal(self, text: str) -> str:
        """``text`` with every token this key made put back to its original value."""
        return reveal(text, self._key)

    def wrap(self, detector: Detector) -> PseudonymizingDetector:
        """``detector`` whose findings carry tokens as replacements, for a redacting
        ``Guard``: its redacted text can then be revealed with this key. Not pure any more:
        each scan draws fresh nonces."""
        return PseudonymizingDetector(detector, self)


@dataclass(frozen=True, slots=True)
class PseudonymizingDetector:
    """A detector whose findings' replacements are ``Pseudonymizer`` tokens."""

    inner: Detector
    pseudonymizer: Pseudonymizer

    @property
    def name(self) -> str:
        return self.inner.name

    def scan(self, text: str) -> list[Finding]:
        return self.pseudonymizer.protect(text, self.inner.scan(text))


def reveal(text: str, key: bytes) -> str:
    """``text`` with every ``<LABEL#token>`` decrypted back to the value it hides.

    Raises ``RevealError`` when a token does not decrypt under ``key`` (a wrong key, or an
    altered token or label), never returns garbage; ``ValueError`` for a key that is not 32
    bytes.
    """
    aead = _key(key)

    def back(m: re.Match[str]) -> str:
        label, raw = m.group(1), m.group(2)
        try:
            blob = base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4))
            return aead.decrypt(blob[:_NONCE], blob[_NONCE:], label.encode()).decode()
        except (InvalidTag, binascii.Error, ValueError) as exc:
            raise RevealError(
                f"cannot reveal a <{label}#…> token: wrong key, or the token was altered"
            ) from exc

    return _TOKEN.sub(back, text)


def pseudonymizer_of(settings: Settings) -> Pseudonymizer | None:
    """The pseudonymizer of reversible PII guards, from ``PASARELA_PSEUDONYMIZATION_KEY``
    (base64url, 32 bytes); None when no key is set."""
    if settings.pseudonymization_key is None:
        return None
    text = settings.pseudonymization_key.get_secret_value().strip()
    try:
        key = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (ValueError, binascii.Error) as exc:
        raise ConfigurationError("PASARELA_PSEUDONYMIZATION_KEY is not base64url") from exc
    if len(key) != 32:
        raise ConfigurationError("PASARELA_PSEUDONYMIZATION_KEY must hold 32 bytes")
    return Pseudonymizer(key)
