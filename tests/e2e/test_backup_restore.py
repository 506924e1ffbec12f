"""Disaster recovery as an operator does it: ``pasarela backup create`` while the server runs,
``backup verify``, then on an empty machine (a new home, the same master key) ``pasarela
restore`` and ``pasarela serve``: the same answers as before. The recovery time is printed."""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import httpx
import pytest

from tests.conftest import Trained, row
from tests.e2e.conftest import (
    ERROR_LINE,
    READY_TIMEOUT_S,
    ok,
    pasarela_env,
    run_cli,
    running_server,
    start_server,
)

pytestmark = pytest.mark.e2e


def test_backup_while_serving_then_restore_on_an_empty_machine(
    api_home: Path, trained: Trained, tmp_path: Path
) -> None:
    home = tmp_path / "home"
    shutil.copytree(api_home, home)
    env = pasarela_env(home)
    backup = tmp_path / "backup"
    with running_server(env, tmp_path / "before.log") as server:
        before = httpx.post(
            f"{server.url}/v1/endpoints/cancer/predict", json={"inputs": [row(trained)]}
        ).json()["outputs"]
        created = ok(run_cli("backup", "create", str(backup), env=env))
    assert f"backup {backup}" in created
    assert "every file matches" in ok(run_cli("backup", "verify", str(backup), env=env))

    # an empty machine: nothing but the backup and the master key, kept apart from it
    fresh = tmp_path / "fresh"
    fresh.mkdir()
    shutil.copy(home / "master.key", fresh / "master.key")
    fresh_env = pasarela_env(fresh)
    started = time.perf_counter()
    ok(run_cli("restore", str(backup), env=fresh_env))
    with running_server(fresh_env, tmp_path / "after.log") as server:
        after = httpx.post(
            f"{server.url}/v1/endpoints/cancer/predict", json={"inputs": [row(trained)]}
        ).json()["outputs"]
        print(f"recovery: restore and serve ready in {time.perf_counter() - started:.1f} s")
    assert after == before
    refused = run_cli("restore", str(backup), env=fresh_env)
    assert refused.returncode != 0 and "--force" in refused.stdout + refused.stderr


def test_restore_without_the_master_key_is_refused_and_serve_never_makes_a_wrong_one(
    api_home: Path, trained: Trained, tmp_path: Path
) -> None:
    """Issue 14, item 22: a restore into a home without ``master.key`` exited 0; ``serve``
    then wrote a new, wrong master key and died with a traceback."""
    home = tmp_path / "home"
    shutil.copytree(api_home, home)
    env = pasarela_env(home)
    backup = tmp_path / "backup"
    with running_server(env, tmp_path / "before.log") as server:
        before = httpx.post(
            f"{server.url}/v1/endpoints/cancer/predict", json={"inputs": [row(trained)]}
        ).json()["outputs"]
    ok(run_cli("backup", "create", str(backup), env=env))  # holds the first serve's data key

    fresh = tmp_path / "fresh"
    fresh_env = pasarela_env(fresh)
    refused = run_cli("restore", str(backup), env=fresh_env)
    assert refused.returncode == 1, refused.stdout
    match = ERROR_LINE.match(refused.stderr.strip())
    assert match and match["code"] == "configuration_error", refused.stderr
    assert "--master-key" in match["message"]
    assert not (fresh / "master.key").exists()  # and no data: the restore below needs no --force

    stranger = tmp_path / "stranger.key"
    stranger.write_text("B" * 43 + "\n")
    wrong = run_cli("restore", str(backup), "--master-key", str(stranger), env=fresh_env)
    assert wrong.returncode == 1 and "does not open" in wrong.stderr, wrong.stderr
    assert not (fresh / "master.key").exists()

    # A home that holds the database but lost its master key: serve refuses in one line.
    keyless = tmp_path / "keyless"
    shutil.copytree(home, keyless)
    (keyless / "master.key").unlink()
    started = start_server(pasarela_env(keyless), tmp_path / "keyless.log")
    status = started.process.wait(READY_TIMEOUT_S)
    log = started.log()
    assert status == 1, log
    assert "Traceback" not in log and len(log.strip().splitlines()) == 1, log
    assert ERROR_LINE.match(log.strip()) and "master key" in log, log
    assert not (keyless / "master.key").exists()

    restored = ok(run_cli("restore", str(backup), "--master-key", str(home / "master.key"),
                          env=fresh_env))  # fmt: skip
    assert f"restored {backup}" in restored
    assert (fresh / "master.key").read_bytes() == (home / "master.key").read_bytes()
    assert (fresh / "master.key").stat().st_mode & 0o777 == 0o600
    with running_server(fresh_env, tmp_path / "after.log") as server:
        after = httpx.post(
            f"{server.url}/v1/endpoints/cancer/predict", json={"inputs": [row(trained)]}
        ).json()["outputs"]
    assert after == before
