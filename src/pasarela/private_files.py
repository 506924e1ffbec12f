"""Files pasarela writes are readable by their owner only: the home and the directories made in
it 0700, files 0600.

The home holds subject and unit ids (the database, its WAL, the journal, backups), keys
(``master.key``, key files) and model artifacts. One mechanism, three parts:

- ``private_dir`` makes every directory pasarela creates (the home first of all) 0700, whatever
  the umask; inside it nothing is reachable by other users, whatever a file's own mode.
- ``restrict_umask`` makes what pasarela's own processes create (the CLI, ``pasarela serve``,
  the writer process it starts, which inherits the umask) 0600/0700 by default, so that no file
  needs a chmod of its own. It is process-wide, so only entry points call it, not the library.
- ``private_file`` creates a file 0600 before a library opens it, for files whose later
  companions copy their mode: SQLite creates ``-wal``, ``-shm`` and ``-journal`` with the
  permissions of the database file.

Example::

    home = private_dir(Path(".pasarela"))
    private_file(home / "pasarela.db")
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

__all__ = [
    "PRIVATE_DIR_MODE",
    "PRIVATE_FILE_MODE",
    "PRIVATE_UMASK",
    "narrow",
    "private_dir",
    "private_file",
    "restrict_umask",
]

PRIVATE_DIR_MODE = 0o700
PRIVATE_FILE_MODE = 0o600
PRIVATE_UMASK = 0o077
"""Group and others get nothing."""


def private_dir(path: Path) -> Path:
    """``path`` as a directory, it and every missing parent created 0700 (existing ones are left
    as they are: they may be the user's)."""
    missing: list[Path] = []
    current = path
    while not current.exists():
        missing.append(current)
        if current.parent == current:
            break
        current = current.parent
    for directory in reversed(missing):
        try:
            directory.mkdir(mode=PRIVATE_DIR_MODE)
        except FileExistsError:
            continue  # another process made it first
        os.chmod(directory, PRIVATE_DIR_MODE)  # mkdir's mode is masked by the umask
    return path


def private_file(path: Path) -> Path:
    """``path`` created empty with mode 0600 if absent; an existing file we own that others can
    read is narrowed to 0600 (a home from before this rule). Its directory is made private."""
    private_dir(path.parent)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE_MODE)
    except FileExistsError:
        narrow(path)
    else:
        os.close(fd)
    return path


def narrow(path: Path) -> None:
    """Drop group and other permissions from ``path`` if it exists and is ours."""
    try:
        info = path.stat()
        if info.st_uid == os.getuid() and stat.S_IMODE(info.st_mode) & PRIVATE_UMASK:
            os.chmod(path, stat.S_IMODE(info.st_mode) & ~PRIVATE_UMASK)
    except FileNotFoundError:
        pass


def restrict_umask() -> None:
    """Make files and directories this process (and its children) creates private by
    default. Process-wide: for pasarela's entry points (CLI, server), never the library."""
    os.umask(PRIVATE_UMASK)
