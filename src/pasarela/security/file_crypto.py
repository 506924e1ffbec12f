"""Files sealed with AES-256-GCM in chunks: for backups, which may be larger than memory.

A sealed file is ``MAGIC``, an 8-byte random prefix, then chunks of at most ``CHUNK`` bytes of
plaintext, each stored as its length (4 bytes, big-endian) and its ciphertext with the tag.
Chunk ``i`` uses the nonce ``prefix + i`` (4 bytes) — unique under one key as long as prefixes
do not repeat, which 64 random bits make safe for any number of backups — and binds, as
associated data, the file's name in the backup, ``i`` and whether it is the last chunk: a
chunk moved to another file or place, a file cut short or one chunk swapped for another, all
fail to open (``ConfigurationError``), as does a wrong key.

The key is ``PASARELA_BACKUP_KEY`` (base64url of 32 bytes), kept apart from the backups (and
from the master key, so that one stolen key opens neither everything stored nor every backup).
"""

from __future__ import annotations

import base64
import secrets
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from pasarela.errors import ConfigurationError
from pasarela.settings import Settings

__all__ = ["backup_key", "open_file", "seal_file"]

MAGIC = b"PSRLSEAL1"
CHUNK = 1 << 20


def backup_key(settings: Settings) -> bytes:
    """``PASARELA_BACKUP_KEY`` as 32 bytes; ConfigurationError when unset or malformed."""
    if settings.backup_key is None:
        raise ConfigurationError(
            "encrypted backups need PASARELA_BACKUP_KEY (base64url of 32 random bytes)"
        )
    raw = settings.backup_key.get_secret_value().strip()
    try:
        key = base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4))
    except ValueError as exc:
        raise ConfigurationError("PASARELA_BACKUP_KEY is not base64url") from exc
    if len(key) != 32:
        raise ConfigurationError("PASARELA_BACKUP_KEY must hold 32 bytes (base64url)")
    return key


def _aad(name: str, index: int, last: bool) -> bytes:
    return f"pasarela:backup:{name}:{index}:{int(last)}".encode()


def seal_file(source: Path, target: Path, key: bytes, name: str) -> None:
    """Write ``source`` sealed to ``target``; ``name`` is the file's name in the backup."""
    aead = AESGCM(key)
    prefix = secrets.token_bytes(8)
    with source.open("rb") as plain, target.open("wb") as out:
        out.write(MAGIC + prefix)
        index = 0
        chunk = plain.read(CHUNK)
        while True:
            following = plain.read(CHUNK)
            last = not following
            nonce = prefix + index.to_bytes(4, "big")
            sealed = aead.encrypt(nonce, chunk, _aad(name, index, last))
            out.write(len(sealed).to_bytes(4, "big") + sealed)
            if last:
                return
            chunk, index = following, index + 1


def open_file(source: Path, target: Path, key: bytes, name: str) -> None:
    """Write the plaintext of the sealed ``source`` to ``target`` (ConfigurationError if it
    does not open: wrong key, or a file changed, cut or reordered)."""
    aead = AESGCM(key)
    with source.open("rb") as sealed, target.open("wb") as out:
        header = sealed.read(len(MAGIC) + 8)
        if header[: len(MAGIC)] != MAGIC:
            raise ConfigurationError(f"{name}: not a sealed backup file")
        prefix = header[len(MAGIC) :]
        index = 0
        size = sealed.read(4)
        while size:
            chunk = sealed.read(int.from_bytes(size, "big"))
            size = sealed.read(4)
            nonce = prefix + index.to_bytes(4, "big")
            try:
                out.write(aead.decrypt(nonce, chunk, _aad(name, index, not size)))
            except InvalidTag:
                raise ConfigurationError(
                    f"{name}: does not open with PASARELA_BACKUP_KEY (a wrong key, or the "
                    "file was changed)"
                ) from None
            index += 1
        if index == 0:
            raise ConfigurationError(f"{name}: sealed file is empty")
