"""Backups: an online, consistent copy of an install, checked, and restored on an empty machine.

A backup is a directory:

- ``database.sqlite`` — SQLite's online backup API (a consistent copy while the server keeps
  writing), or ``database.pgdump`` — ``pg_dump --format=custom`` (one transaction: consistent);
  only the schema named in the URL's ``search_path``, when there is one;
- ``artifacts/`` — the content-addressed artifact store (each file named by its SHA-256);
- ``manifest.json`` — written last (a directory without it is an unfinished backup): the
  format, pasarela's version, when, the schema revision, and every file with its SHA-256
  and size.

``verify_backup`` recomputes every hash and asks the database copy itself (SQLite's
``integrity_check``, ``pg_restore --list``). ``restore_backup`` verifies, refuses to overwrite
an install that has data (unless ``force``), puts the database and the artifacts back,
migrates the schema forward when the backup is older, and appends ``backup.restore`` to the
audit log, whose chain the restored entries continue.

The master key is **not** in the backup: the stored payloads are sealed with data keys it
wraps, and a backup that held both would open everything it holds. Keep the key apart
(``PASARELA_MASTER_KEY`` or ``<home>/master.key``); a restored install needs the same one.
So before it writes anything, ``restore_backup`` reads the wrapped data keys out of the
backup's database copy and refuses unless the target's master key (or the file passed as
``master_key_file``, which it then installs as ``<home>/master.key``) opens every one.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import sqlite3
import subprocess
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit, urlunsplit

import sqlalchemy as sa

from pasarela._version import __version__
from pasarela.control.restore_keys import (
    check_master_key,
    wrapped_in_pg_copy,
    wrapped_in_sqlite,
)
from pasarela.errors import ConfigurationError
from pasarela.private_files import private_dir, private_file
from pasarela.security.crypto import (
    existing_master_key,
    master_key_path,
    read_master_key,
    write_master_key,
)
from pasarela.security.file_crypto import backup_key, open_file, seal_file
from pasarela.settings import Settings
from pasarela.storage import audit, schema
from pasarela.storage.artifacts import sha256_file
from pasarela.storage.audit_witness import HeadWitness
from pasarela.storage.db import create_engine, current_revision, upgrade, write

__all__ = ["BackupJob", "BackupSummary", "create_backup", "restore_backup", "verify_backup"]

log = logging.getLogger(__name__)

FORMAT = 1
MANIFEST = "manifest.json"
SQLITE_FILE = "database.sqlite"
SEALED = ".sealed"
PG_FILE = "database.pgdump"


@dataclass(frozen=True, slots=True)
class BackupSummary:
    path: Path
    files: int
    bytes: int
    seconds: float


def create_backup(settings: Settings, target: Path, *, encrypt: bool = False) -> BackupSummary:
    """Back up the install of ``settings`` into ``target`` (a new or empty directory); with
    ``encrypt``, every file sealed with ``PASARELA_BACKUP_KEY`` (``security/file_crypto.py``)."""
    started = time.perf_counter()
    key = backup_key(settings) if encrypt else None
    if target.exists() and any(target.iterdir()):
        raise ConfigurationError(f"{target} is not empty: back up into a new directory")
    private_dir(target)
    url = settings.resolved_database_url
    engine = create_engine(url)
    try:
        revision = current_revision(engine)
        counts = _counts(engine)
    finally:
        engine.dispose()
    if url.startswith("sqlite"):
        database = target / SQLITE_FILE
        source = sqlite3.connect(_sqlite_path(url))
        copy = sqlite3.connect(private_file(database))
        try:
            source.backup(copy)
        finally:
            copy.close()
            source.close()
    else:
        database = target / PG_FILE
        libpq, env, schema_name = _libpq(url)
        argv = ["pg_dump", "--format=custom", "--no-owner", "--file", str(database)]
        if schema_name:
            argv += ["--schema", schema_name]
        _run([*argv, libpq], env)
    files = [_stored(target, database, key)]
    store = settings.resolved_artifacts_dir
    if store.is_dir():
        private_dir(target / "artifacts")
        for artifact in sorted(store.iterdir()):
            if artifact.is_file() and not artifact.name.startswith("."):
                copied = target / "artifacts" / artifact.name
                shutil.copyfile(artifact, copied)
                files.append(_stored(target, copied, key))
    manifest = {
        "format": FORMAT,
        "pasarela": __version__,
        "created_at": datetime.now(UTC).isoformat(),
        "encrypted": key is not None,
        "database": {"kind": "sqlite" if url.startswith("sqlite") else "postgresql"},
        "schema_revision": revision,
        "counts": counts,
        "files": files,
    }
    (target / MANIFEST).write_text(json.dumps(manifest, indent=2), encoding="utf-8")
    size = sum(int(f["bytes"]) for f in files)
    return BackupSummary(target, len(files), size, time.perf_counter() - started)


def verify_backup(path: Path, key: bytes | None = None) -> list[str]:
    """What is wrong with the backup at ``path``, each problem naming its file; empty: sound.
    An encrypted backup's files are checked as stored; with ``key`` they are opened too."""
    manifest_path = path / MANIFEST
    if not manifest_path.is_file():
        return [f"{MANIFEST} is missing: the backup is unfinished or not a backup"]
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        return [f"{MANIFEST} is not JSON: {exc}"]
    if manifest.get("format") != FORMAT:
        return [f"backup format {manifest.get('format')!r}; this pasarela reads {FORMAT}"]
    problems = []
    for entry in manifest.get("files", []):
        file = path / entry["name"]
        if not file.is_file():
            problems.append(f"{entry['name']}: missing")
        elif file.stat().st_size != entry["bytes"] or sha256_file(file) != entry["sha256"]:
            problems.append(f"{entry['name']}: changed since the backup (its SHA-256 differs)")
    if problems or (manifest.get("encrypted") and key is None):
        return problems  # sealed and no key: the stored bytes are all one can check
    with tempfile.TemporaryDirectory() as scratch:
        try:
            database = _plain(path, manifest, manifest["files"][0], key, Path(scratch))
            if manifest.get("encrypted"):
                for entry in manifest["files"][1:]:  # artifacts are named by their hash
                    opened = _plain(path, manifest, entry, key, Path(scratch))
                    if sha256_file(opened) != Path(opened).name:
                        problems.append(f"{entry['name']}: opens to the wrong content")
                    opened.unlink()
        except ConfigurationError as exc:
            return [exc.message]
        problems += _database_problems(manifest["database"]["kind"], database)
    return problems


def _database_problems(kind: str, database: Path) -> list[str]:
    """What the database copy says of itself."""
    if kind == "sqlite":
        connection = sqlite3.connect(f"file:{database}?mode=ro", uri=True)
        try:
            result = connection.execute("PRAGMA integrity_check").fetchone()[0]
        finally:
            connection.close()
        return [] if result == "ok" else [f"{SQLITE_FILE}: integrity check says {result}"]
    try:
        _run(["pg_restore", "--list", str(database)], dict(os.environ))
    except ConfigurationError as exc:
        return [f"{PG_FILE}: pg_restore cannot read it ({exc.message})"]
    return []


def _plain(
    path: Path, manifest: dict[str, Any], entry: dict[str, Any], key: bytes | None, scratch: Path
) -> Path:
    """The plaintext of a file of the backup: itself, or opened into ``scratch``."""
    name: str = entry["name"]
    stored = path / name
    if not manifest.get("encrypted"):
        return stored
    assert key is not None
    opened = scratch / Path(name).name.removesuffix(SEALED)
    open_file(stored, opened, key, name.removesuffix(SEALED))
    return opened


def restore_backup(
    path: Path,
    settings: Settings,
    *,
    force: bool = False,
    actor: str = "local",
    master_key_file: Path | None = None,
) -> BackupSummary:
    """Rebuild the install of ``settings`` from the backup at ``path`` (module docstring);
    ``master_key_file``: the backed-up install's ``master.key``, when the target has none."""
    started = time.perf_counter()
    manifest = _manifest(path)
    key = backup_key(settings) if manifest.get("encrypted") else None
    problems = verify_backup(path, key)
    if problems:
        raise ConfigurationError("the backup does not verify: " + "; ".join(problems))
    url = settings.resolved_database_url
    kind = "sqlite" if url.startswith("sqlite") else "postgresql"
    if manifest["database"]["kind"] != kind:
        raise ConfigurationError(
            f"the backup holds a {manifest['database']['kind']} database; this install uses {kind}"
        )
    engine = create_engine(url)
    try:
        if not force and current_revision(engine) is not None:
            raise ConfigurationError(
                "this install already has a database: restore into an empty one, or pass "
                "--force to replace it"
            )
        replaced = _audit_head(engine)  # what the restore entry says it replaced
    finally:
        engine.dispose()
    given = read_master_key(master_key_file) if master_key_file is not None else None
    with tempfile.TemporaryDirectory() as scratch:
        copy = _plain(path, manifest, manifest["files"][0], key, Path(scratch))
        check_master_key(settings, _wrapped_data_keys(kind, copy), given, master_key_file)
        if kind == "sqlite":
            database = Path(_sqlite_path(url))
            for stale in (database, Path(f"{database}-wal"), Path(f"{database}-shm")):
                stale.unlink(missing_ok=True)
            shutil.copyfile(copy, private_file(database))
        else:
            libpq, env, _ = _libpq(url)
            _run(["pg_restore", "--no-owner", "--clean", "--if-exists", "-d", libpq,
                  str(copy)], env)  # fmt: skip
        store = settings.resolved_artifacts_dir
        private_dir(store)
        restored = 1
        for entry in manifest["files"][1:]:
            artifact = _plain(path, manifest, entry, key, Path(scratch))
            destination = store / artifact.name
            if not destination.exists():
                shutil.copyfile(artifact, destination)
                os.chmod(destination, 0o400)
            restored += 1
    engine = create_engine(url)
    try:
        upgrade(engine)  # an older backup meets today's schema
        with write(engine) as conn:
            entry = audit.append(
                conn,
                actor=actor,
                action="backup.restore",
                target=f"backup {manifest['created_at']}",
                detail={
                    "files": restored,
                    "schema_revision": manifest["schema_revision"],
                    "replaced_head": replaced,
                },
            )
        # This home witnessed the log just replaced: it now witnesses the restored one, and
        # keeps the replaced head in the file. Servers on other homes see the rollback in
        # their `audit verify` (`rolled_back`, naming this entry) until it is accepted there.
        HeadWitness(settings.home, engine.url).replace(
            entry.seq, entry.hash, f"restore of backup {manifest['created_at']} by {actor}"
        )
    finally:
        engine.dispose()
    if given is not None and existing_master_key(settings) is None:
        write_master_key(master_key_path(settings), given)
    size = sum(int(f["bytes"]) for f in manifest["files"])
    return BackupSummary(path, restored, size, time.perf_counter() - started)


def _wrapped_data_keys(kind: str, database: Path) -> list[str]:
    """The wrapped data keys in a backup's database copy, read without restoring it."""
    if kind == "sqlite":
        return wrapped_in_sqlite(database)
    argv = ["pg_restore", "--data-only", "--table=data_keys", "--file=-", str(database)]
    return wrapped_in_pg_copy(_run(argv, dict(os.environ)))


def _audit_head(engine: sa.Engine) -> dict[str, Any] | None:
    """The head of the audit log in ``engine``'s database, if it has one."""
    if not sa.inspect(engine).has_table(schema.audit_log.name):
        return None
    head = audit.AuditRepository(engine).head()
    return None if head is None else {"seq": head.seq, "hash": head.hash}


class BackupJob:
    """Scheduled backups (``PASARELA_BACKUP_INTERVAL_S``), taken by the leader into
    ``<backup_dir>/<UTC time>``; only the newest ``backup_keep`` are kept. A failed backup
    leaves no manifest, is never counted as one, and is removed by the next pass."""

    def __init__(self, settings: Settings, clock: Callable[[], float] = time.time) -> None:
        self.settings = settings
        self.directory = settings.backup_dir or settings.home / "backups"
        self.clock = clock
        self._last = float("-inf")

    def tick(self) -> BackupSummary | None:
        """A backup if one is due; None otherwise. Blocking."""
        every = self.settings.backup_interval_s
        now = self.clock()
        if every is None or now - self._last < every:
            return None
        self._last = now
        stamp = datetime.fromtimestamp(now, UTC).strftime("%Y%m%dT%H%M%S.%fZ")
        encrypt = self.settings.backup_key is not None
        summary = create_backup(self.settings, self.directory / stamp, encrypt=encrypt)
        self.prune()
        log.info("scheduled backup %s: %d files", summary.path, summary.files)
        return summary

    def prune(self) -> list[Path]:
        """Delete the backups beyond the newest ``backup_keep``, and unfinished ones (no
        manifest) but the newest directory (which may be one being written)."""
        found = sorted(p for p in self.directory.iterdir() if p.is_dir())
        finished = [p for p in found if (p / MANIFEST).is_file()]
        doomed = finished[: -self.settings.backup_keep]
        doomed += [p for p in found[:-1] if p not in finished]
        for path in doomed:
            shutil.rmtree(path, ignore_errors=True)
        return doomed


def _manifest(path: Path) -> dict[str, Any]:
    try:
        manifest: dict[str, Any] = json.loads((path / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise ConfigurationError(f"{path / MANIFEST} cannot be read: {exc}") from exc
    return manifest


def _stored(root: Path, file: Path, key: bytes | None) -> dict[str, Any]:
    """Seal ``file`` in place when there is a key; its manifest entry (what is stored)."""
    if key is not None:
        sealed = file.with_name(file.name + SEALED)
        seal_file(file, sealed, key, file.relative_to(root).as_posix())
        file.unlink()
        file = sealed
    return {
        "name": file.relative_to(root).as_posix(),
        "sha256": sha256_file(file),
        "bytes": file.stat().st_size,
    }


def _counts(engine: sa.Engine) -> dict[str, int]:
    """What the backup holds, for whoever reads the manifest."""
    tables = {
        "versions": schema.model_versions,
        "endpoints": schema.endpoints,
        "records": schema.prediction_records,
        "audit_entries": schema.audit_log,
    }
    with engine.connect() as conn:
        return {
            name: int(conn.execute(sa.select(sa.func.count()).select_from(t)).scalar_one())
            for name, t in tables.items()
        }


def _sqlite_path(url: str) -> str:
    return url.split("///", 1)[1]


def _libpq(url: str) -> tuple[str, dict[str, str], str | None]:
    """A SQLAlchemy PostgreSQL URL as libpq wants it (no ``+driver``), the environment that
    carries its password (never on a command line), and the schema its ``search_path``
    names, if any."""
    parts = urlsplit(url)
    scheme = parts.scheme.split("+", 1)[0]
    env = dict(os.environ)
    netloc = parts.netloc
    if parts.password is not None:
        env["PGPASSWORD"] = unquote(parts.password)
        netloc = netloc.replace(f":{parts.password}@", "@", 1)
    options = parse_qs(parts.query).get("options", [""])[0]
    schema_name = None
    for option in options.split():
        if option.startswith("-csearch_path="):
            schema_name = option.split("=", 1)[1].split(",")[0]
    return urlunsplit((scheme, netloc, parts.path, parts.query, "")), env, schema_name


def _run(argv: list[str], env: dict[str, str]) -> str:
    """Run a PostgreSQL client tool (found on the PATH); its output, or ConfigurationError when
    it is missing or fails, with its own message."""
    tool = shutil.which(argv[0])
    if tool is None:
        raise ConfigurationError(f"{argv[0]} is not installed (PostgreSQL's client tools)")
    # The arguments are built here from the configuration, not taken from a request.
    done = subprocess.run(  # noqa: S603
        [tool, *argv[1:]], env=env, capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise ConfigurationError(f"{argv[0]} failed: {done.stderr.strip()[:500]}")
    return done.stdout
