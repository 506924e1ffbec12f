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
from tests.e2e.conftest import ok, pasarela_env, run_cli, running_server

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
