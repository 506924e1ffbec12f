"""Encryption at rest for payloads: AES-256-GCM with data keys wrapped by a master key;
``PayloadCipher`` is the ``types.PayloadCodec`` of an install that seals payloads (one
without encryption uses ``types.PLAIN_PAYLOADS``).

- The **master key** (32 bytes) comes from ``PASARELA_MASTER_KEY`` (base64url), or from
  ``<home>/master.key``, created with mode 0600 when the first data key is made, and only
  then: where wrapped data keys exist, a missing master key is an error, since a new one
  would not open them. It never enters the database: a copy of the database alone decrypts
  nothing.
- **Data keys** (32 random bytes each) are stored wrapped (AES-GCM under the master key) in
  ``data_keys``; one is active. Payloads are sealed with the active one, and each envelope
  names its key: ``{"enc": "aes-256-gcm", "kid": "dk_…", "nonce": …, "ct": …}``.
- **Rotation without downtime**: ``pasarela keys rotate-data-key`` adds a key and makes it the
  active one. Servers seal with it from their next snapshot; every older key stays, so old
  records stay readable. A reader meeting an unknown key id reloads the keys once.

The AES-GCM nonce is 96 random bits per envelope: with one key, the chance of a repeat stays
below 2⁻³² up to about 2³² envelopes; rotate well before (a billion records a key).
"""

from __future__ import annotations

import base64
import contextlib
import os
import secrets
import threading
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import orjson
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from pasarela.errors import ConfigurationError
from pasarela.private_files import private_dir
from pasarela.settings import Settings
from pasarela.storage.data_keys import DataKeyRepository

ALGORITHM = "aes-256-gcm"
_WRAP_AAD = b"pasarela:data-key"
_PAYLOAD_AAD = b"pasarela:payload"


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def master_key(settings: Settings, *, create: bool = False) -> bytes:
    """The master key: from the setting, else ``<home>/master.key``; made there (once, mode
    0600) only with ``create``, which only the first data key asks for: a new master key
    never opens data keys that exist, so where they do a missing key is an error."""
    found = existing_master_key(settings)
    if found is not None:
        return found
    path = master_key_path(settings)
    if not create:
        raise ConfigurationError(
            f"no master key: set PASARELA_MASTER_KEY or put this database's master.key at {path} "
            "(a new one would not open the data keys it holds)"
        )
    with contextlib.suppress(FileExistsError):  # another process made it first: read theirs
        write_master_key(path, secrets.token_bytes(32))
    return read_master_key(path)


def write_master_key(path: Path, key: bytes) -> None:
    """Write ``key`` as a master key file (0600 in a private directory); never over an existing
    file (FileExistsError)."""
    private_dir(path.parent)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as out:
        out.write(_b64(key) + "\n")


def master_key_path(settings: Settings) -> Path:
    return settings.home / "master.key"


def existing_master_key(settings: Settings) -> bytes | None:
    """The master key this install is configured with (the setting, else the file), or None
    when it has none yet."""
    if settings.master_key is not None:
        raw = settings.master_key.get_secret_value()
        try:
            key = _unb64(raw.strip())
        except ValueError as exc:
            raise ConfigurationError("PASARELA_MASTER_KEY is not base64url") from exc
        if len(key) != 32:
            raise ConfigurationError("PASARELA_MASTER_KEY must hold 32 bytes (base64url)")
        return key
    path = master_key_path(settings)
    return read_master_key(path) if path.exists() else None


def read_master_key(path: Path) -> bytes:
    """A master key file: base64url of 32 bytes on one line."""
    try:
        key = _unb64(path.read_text(encoding="ascii").strip())
    except (OSError, ValueError) as exc:
        raise ConfigurationError(f"{path} cannot be read as a master key: {exc}") from exc
    if len(key) != 32:
        raise ConfigurationError(f"{path} must hold a 32-byte key (base64url)")
    return key


def opens_data_keys(master: bytes, wrapped: Iterable[str]) -> bool:
    """Whether ``master`` unwraps every one of ``wrapped``."""
    try:
        for blob in wrapped:
            unwrap(master, blob)
    except (ConfigurationError, ValueError):
        return False
    return True


class NonceSource:
    """12-byte AES-GCM nonces from the OS's CSPRNG, read 4 KiB at a time.

    Sealing runs on the request path for every record; one ``os.urandom`` syscall per nonce
    was 8 % of the event loop under load (issue 16's profile). The bytes are the same CSPRNG's,
    each handed out once; a forked child drops what its parent had buffered, so parent and
    child never share a nonce.
    """

    _NONCE = 12

    def __init__(self, buffer_bytes: int = 4092) -> None:
        self._size = buffer_bytes - buffer_bytes % self._NONCE
        self._lock = threading.Lock()
        self._buffer = b""
        self._at = 0
        os.register_at_fork(after_in_child=self._drop)

    def take(self) -> bytes:
        with self._lock:
            if self._at + self._NONCE > len(self._buffer):
                self._buffer, self._at = os.urandom(self._size), 0
            nonce = self._buffer[self._at : self._at + self._NONCE]
            self._at += self._NONCE
            return nonce

    def _drop(self) -> None:
        self._lock = threading.Lock()  # a lock held by another thread at fork stays held
        self._buffer, self._at = b"", 0


_NONCES = NonceSource()


def wrap(master: bytes, key: bytes) -> str:
    nonce = secrets.token_bytes(12)
    return _b64(nonce + AESGCM(master).encrypt(nonce, key, _WRAP_AAD))


def unwrap(master: bytes, wrapped: str) -> bytes:
    blob = _unb64(wrapped)
    try:
        return AESGCM(master).decrypt(blob[:12], blob[12:], _WRAP_AAD)
    except InvalidTag as exc:
        raise ConfigurationError(
            "a data key does not open with this master key: wrong PASARELA_MASTER_KEY or "
            "master.key for this database"
        ) from exc


def is_envelope(value: Any) -> bool:
    return isinstance(value, dict) and value.get("enc") == ALGORITHM and "kid" in value


class PayloadCipher:
    """The ``PayloadCodec`` of encryption at rest: seals payloads with the active data key
    (while ``PASARELA_ENCRYPT_PAYLOADS`` is on; off, they are stored as they are) and opens
    them with whichever key sealed them, so records sealed before a rotation, or stored
    before encryption was turned on or off, all open.

    Lazy: the master key and the data keys are read on first use, so a process that never
    touches a payload (or an install with encryption off and no keys) reads neither."""

    def __init__(self, settings: Settings, repo: DataKeyRepository) -> None:
        self.settings = settings
        self.repo = repo
        self._lock = threading.Lock()
        self._master: bytes | None = None
        self._keys: dict[str, AESGCM] | None = None
        self._active: str | None = None

    @property
    def sealing(self) -> bool:
        """Whether new payloads are sealed."""
        return self.settings.encrypt_payloads

    @property
    def active(self) -> str | None:
        if self._keys is None:
            self.reload()
        return self._active

    def _master_key(self, *, create: bool = False) -> bytes:
        if self._master is None:
            self._master = master_key(self.settings, create=create)
        return self._master

    def reload(self) -> None:
        """Read the data keys again (at start, and after a rotation); ConfigurationError, in
        one line, when they exist and the master key is missing (never made here) or is not
        theirs."""
        records = self.repo.list()
        master = self._master_key() if records else b""
        keys = {r.id: AESGCM(unwrap(master, r.wrapped)) for r in records}
        active = next((r.id for r in reversed(records) if r.active), None)
        with self._lock:
            self._keys, self._active = keys, active

    def ensure_key(self, actor: str = "pasarela") -> None:
        """Make the first data key when sealing is on and none is active (blocking)."""
        if self.sealing and self.active is None:
            rotate_data_key(self, actor=actor)

    def seal(self, value: Any) -> Any:
        """What is stored for ``value``: its envelope, or ``value`` itself while sealing is off."""
        if not self.sealing:
            return value
        kid = self.active
        if kid is None or self._keys is None:
            raise ConfigurationError("no active data key: run pasarela keys rotate-data-key")
        nonce = _NONCES.take()
        sealed = self._keys[kid].encrypt(nonce, orjson.dumps(value), _PAYLOAD_AAD)
        return {"enc": ALGORITHM, "kid": kid, "nonce": _b64(nonce), "ct": _b64(sealed)}

    def open(self, value: Any) -> Any:
        """The plaintext of an envelope; anything else (a record stored before encryption was
        on, or with it off) as it is."""
        if not is_envelope(value):
            return value
        kid = value["kid"]
        if self._keys is None or kid not in self._keys:
            self.reload()
        key = (self._keys or {}).get(kid)
        if key is None:
            raise ConfigurationError(f"payload sealed with unknown data key {kid!r}")
        try:
            plain = key.decrypt(_unb64(value["nonce"]), _unb64(value["ct"]), _PAYLOAD_AAD)
        except InvalidTag as exc:
            raise ConfigurationError(f"a payload sealed with {kid} was altered") from exc
        return orjson.loads(plain)


def rotate_data_key(cipher: PayloadCipher, *, actor: str) -> str:
    """Add a data key and make it the active one (every older key stays, for reading); its id."""
    kid = "dk_" + secrets.token_hex(4)
    # Only the first data key may bring a new master key into being; later ones need the one
    # that wraps the keys before them.
    master = cipher._master_key(create=not cipher.repo.list())
    cipher.repo.add(kid, wrap(master, secrets.token_bytes(32)), actor=actor)
    cipher.reload()
    return kid
