"""The audit log's head, witnessed outside the database.

A chain cut short at its end is still a valid chain, and anchors kept in the same database can
be deleted with the entries they name. So every process that appends to the log also writes
the head it committed — sequence number and hash — to a file under ``PASARELA_HOME``
(``audit-head.json``, mode 0600, written to a temporary file, fsync'd, renamed): a place the
database cannot rewrite. ``verify`` then requires the log to still hold that entry, unchanged.

The file holds one head per database (keyed by its URL, password left out), only ever moves
forward, and is shared safely by the processes of one home (an exclusive ``flock``). A head is
only written after its transaction commits, so a rolled-back append never leaves the witness
ahead of the log. Before it moves the witness forward, the appender checks that the log still
holds the entry witnessed last (``audit.append`` does, in its transaction): a log cut and then
regrown past the witness cannot carry the witness along with it. A restore from a backup is
the one legitimate way back; ``replace`` records it, keeping the head it replaced.
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import os
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson
import sqlalchemy as sa

from pasarela.errors import ConfigurationError

log = logging.getLogger(__name__)

WITNESS_FILE = "audit-head.json"
_FORMAT = 1


@dataclass(frozen=True, slots=True)
class WitnessedHead:
    """An entry this home saw committed: the log must hold it, unchanged, for ever."""

    seq: int
    hash: str
    at_us: int

    def to_json(self) -> dict[str, Any]:
        return {"seq": self.seq, "hash": self.hash, "at": self.at_us / 1e6}


def database_key(url: sa.URL | str) -> str:
    """Which log a head belongs to: the database URL, without its password."""
    return sa.make_url(url).render_as_string(hide_password=True)


class HeadWitness:
    """The witnessed head of one database's audit log, in ``<home>/audit-head.json``.

    Example::

        witness = HeadWitness(settings.home, engine.url)
        witness.advance(120, "3f9a…")
        witness.read()  # WitnessedHead(seq=120, hash='3f9a…', at_us=…)
    """

    def __init__(self, home: Path, database: sa.URL | str) -> None:
        self.path = home / WITNESS_FILE
        self.database = database_key(database)

    def read(self) -> WitnessedHead | None:
        """The head witnessed for this database; None when this home has witnessed none."""
        found = self._load().get(self.database)
        if found is None:
            return None
        return WitnessedHead(int(found["seq"]), str(found["hash"]), int(found["at_us"]))

    def advance(self, seq: int, digest: str) -> bool:
        """Witness ``seq`` if it is beyond the head witnessed so far (the file never moves
        back: another process of this home may have witnessed a later one)."""
        with self._locked():
            logs = self._load()
            current = logs.get(self.database)
            if current is not None and int(current["seq"]) >= seq:
                return False
            logs[self.database] = {
                **(current or {}),
                "seq": seq,
                "hash": digest,
                "at_us": _now_us(),
            }
            self._store(logs)
            return True

    def replace(self, seq: int, digest: str, reason: str) -> WitnessedHead | None:
        """Witness ``seq`` even behind the current head — after a restore from a backup —
        keeping the head it replaces, and why, in the file. Returns the replaced head."""
        with self._locked():
            logs = self._load()
            current = logs.get(self.database)
            replaced = list((current or {}).get("replaced", []))
            if current is not None:
                replaced.append(
                    {k: current[k] for k in ("seq", "hash", "at_us")}
                    | {"reason": reason, "replaced_at_us": _now_us()}
                )
            logs[self.database] = {
                "seq": seq,
                "hash": digest,
                "at_us": _now_us(),
                "replaced": replaced[-20:],
            }
            self._store(logs)
        if current is None:
            return None
        return WitnessedHead(int(current["seq"]), str(current["hash"]), int(current["at_us"]))

    def _load(self) -> dict[str, Any]:
        try:
            document = orjson.loads(self.path.read_bytes())
            logs = document["logs"]
            if not isinstance(logs, dict):
                raise TypeError("'logs' is not an object")
            return logs
        except FileNotFoundError:
            return {}
        except (OSError, orjson.JSONDecodeError, KeyError, TypeError) as exc:
            raise ConfigurationError(
                f"cannot read the audit head witness {self.path}: {exc}"
            ) from exc

    def _store(self, logs: dict[str, Any]) -> None:
        body = orjson.dumps({"format": _FORMAT, "logs": logs}, option=orjson.OPT_INDENT_2)
        tmp = self.path.with_name(f".{self.path.name}.{os.getpid()}.tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        try:
            os.write(fd, body)
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, self.path)
        directory = os.open(self.path.parent, os.O_RDONLY)
        try:
            os.fsync(directory)  # the rename itself survives a crash
        finally:
            os.close(directory)

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd = os.open(self.path.with_name(f".{self.path.name}.lock"), os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            yield
        finally:
            os.close(fd)  # closing releases the lock


def _now_us() -> int:
    return int(time.time() * 1_000_000)
