"""The master key a restore needs: the backup does not hold it (``control/backup.py``), so a
restore checks, before it writes anything, that the target's master key opens every data key
wrapped in the backup's database copy — or is given one (``--master-key FILE``) and installs
it. Otherwise ``serve`` would start on payloads nobody can open."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from pasarela.errors import ConfigurationError
from pasarela.security.crypto import existing_master_key, master_key_path, opens_data_keys
from pasarela.settings import Settings

__all__ = ["check_master_key", "wrapped_in_pg_copy", "wrapped_in_sqlite"]


def check_master_key(
    settings: Settings, wrapped: list[str], given: bytes | None, given_path: Path | None
) -> None:
    """ConfigurationError, saying what to do, unless the master key of ``settings`` (or
    ``given``, read from ``given_path``) opens every one of ``wrapped``."""
    present = existing_master_key(settings)
    if given is not None and present is not None and given != present:
        raise ConfigurationError(
            f"--master-key {given_path} differs from this install's master key "
            f"(PASARELA_MASTER_KEY or {master_key_path(settings)}): keep one"
        )
    master = given if given is not None else present
    if not wrapped:
        return  # nothing was sealed: any master key (or a new one, later) will do
    if master is None:
        raise ConfigurationError(
            f"the backup's payloads are sealed with {len(wrapped)} data key(s) that only the "
            "master key of the install backed up opens, and the backup does not hold it: pass "
            "--master-key FILE (that install's master.key) or set PASARELA_MASTER_KEY"
        )
    if not opens_data_keys(master, wrapped):
        where = given_path or (
            "PASARELA_MASTER_KEY" if settings.master_key else master_key_path(settings)
        )
        raise ConfigurationError(
            f"the master key in {where} does not open the backup's data keys: it is not the "
            "master key of the install backed up"
        )


def wrapped_in_sqlite(database: Path) -> list[str]:
    """The wrapped data keys in a SQLite database file, opened read-only."""
    connection = sqlite3.connect(f"file:{database}?mode=ro", uri=True)
    try:
        rows = connection.execute("SELECT wrapped FROM data_keys").fetchall()
    except sqlite3.OperationalError:
        return []  # a backup from before data keys existed
    finally:
        connection.close()
    return [str(r[0]) for r in rows]


def wrapped_in_pg_copy(dump: str) -> list[str]:
    """The wrapped data keys in ``pg_restore --data-only --table=data_keys`` output: a COPY
    header naming the columns, then one tab-separated line per row, up to ``\\.``."""
    wrapped: list[str] = []
    column = None
    for line in dump.splitlines():
        if column is None:
            if line.startswith("COPY ") and "data_keys (" in line:
                names = line.split("(", 1)[1].split(")", 1)[0].split(", ")
                column = names.index("wrapped")
        elif line == "\\.":
            break
        else:
            wrapped.append(line.split("\t")[column])
    return wrapped
