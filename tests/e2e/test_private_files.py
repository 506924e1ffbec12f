"""What a real install writes is its owner's only: after a server stored records (with subject
ids) and two backups were taken, every directory of the home and of the backups is 0700 and every
file has no group or other permission (the SQLite WAL and SHM, the journal and its checkpoints,
master.key, the artifacts, the backup's database copy)."""

from __future__ import annotations

import stat
from pathlib import Path

import httpx
import pytest

from pasarela.storage.db import create_engine
from pasarela.storage.telemetry import TelemetryRepository
from tests.conftest import Trained, row
from tests.e2e.conftest import ok, pasarela_env, prepare_home, run_cli, running_server, wait_for

pytestmark = pytest.mark.e2e

RECORDS = 5
RECORDS_TIMEOUT_S = 60.0
"""Generous: how soon the writer process stores them is not what is tested."""


def modes(root: Path) -> dict[str, int]:
    """``relative path → permission bits`` of ``root`` and everything under it."""
    found = {".": stat.S_IMODE(root.stat().st_mode)}
    for path in root.rglob("*"):
        found[str(path.relative_to(root))] = stat.S_IMODE(path.lstat().st_mode)
    return found


def loose(root: Path) -> dict[str, str]:
    """What under ``root`` others may read or enter: directories not 0700, files with any group
    or other bit."""
    bad = {}
    for name, mode in modes(root).items():
        wanted = 0o700 if (root / name).is_dir() else mode & ~0o077
        if mode != wanted:
            bad[name] = oct(mode)
    return bad


def stored_records(home: Path) -> int:
    engine = create_engine(f"sqlite:///{home / 'pasarela.db'}")
    try:
        return TelemetryRepository(engine).count_records()
    finally:
        engine.dispose()


def test_a_served_home_and_its_backups_are_owner_only(tmp_path: Path, trained: Trained) -> None:
    home = tmp_path / "home"
    # registered in process, as a library user does, under this process's usual umask
    prepare_home(home, trained)
    env = pasarela_env(home)
    with running_server(env, tmp_path / "server.log") as server:
        for i in range(RECORDS):
            reply = httpx.post(
                f"{server.url}/v1/endpoints/cancer/predict",
                json={"inputs": [row(trained, i)]},
                headers={"X-Subject-Id": f"subject-{i}"},
            )
            assert reply.status_code == 200, reply.text
        count = wait_for(lambda: stored_records(home), lambda n: n >= RECORDS, RECORDS_TIMEOUT_S)
        assert count >= RECORDS
        while_serving = modes(home)
        serving_loose = loose(home)
        ok(run_cli("backup", "create", str(home / "backups" / "manual"), env=env))
        ok(run_cli("backup", "create", str(tmp_path / "offsite" / "b1"), env=env))
    # not vacuous: the files the rule is about were there while it served
    for name in ("pasarela.db", "pasarela.db-wal", "pasarela.db-shm", "master.key", "journal"):
        assert name in while_serving, sorted(while_serving)
    assert any(name.startswith("artifacts/") for name in while_serving)
    assert any(name.startswith("journal/0/") for name in while_serving), sorted(while_serving)
    assert serving_loose == {}
    backup = modes(home / "backups" / "manual")
    assert "database.sqlite" in backup and any(n.startswith("artifacts/") for n in backup)
    assert loose(home) == {}
    assert loose(tmp_path / "offsite") == {}
    assert modes(home)["."] == 0o700
