"""Serve, register and predict with the shared PostgreSQL backend instead of SQLite."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import joblib
import numpy as np
import pytest
import sqlalchemy as sa

from pasarela.storage.db import create_engine, upgrade
from tests.conftest import Trained, row
from tests.e2e.conftest import (
    assert_clean_exit,
    ok,
    pasarela_env,
    run_cli,
    start_server,
    wait_for,
)

pytestmark = [pytest.mark.e2e, pytest.mark.postgres]


def test_serve_register_predict_on_postgres(
    postgres_url: str, tmp_path: Path, trained: Trained
) -> None:
    home = tmp_path / "home"
    env = pasarela_env(home, PASARELA_DATABASE_URL=postgres_url)
    joblib.dump(trained.model, tmp_path / "model.joblib")
    trained.frame.to_csv(tmp_path / "train.csv", index=False)
    # The schema first (in process, quicker than `pasarela db upgrade`): a CLI command and the
    # server migrating a fresh database at once race, see test_concurrent_first_run.py.
    engine = create_engine(postgres_url)
    upgrade(engine)
    engine.dispose()
    server = start_server(env, tmp_path / "server.log")
    try:
        register = ("models", "register", "model.joblib", "--trust-pickle", "--name", "cancer")
        frame = ("--train-data", "train.csv", "--target", "target")
        registered = ok(run_cli(*register, *frame, env=env, cwd=tmp_path))
        assert registered.startswith("registered cancer@1 (sklearn, 30 features, sha256 ")
        server.wait_ready()
        url = f"{server.url}/v1/endpoints/cancer/predict"
        assert httpx.post(url, json={"inputs": [row(trained)]}).status_code == 404
        ok(run_cli("endpoints", "create", "cancer", "--model", "cancer", env=env))
        served = wait_for(
            lambda: httpx.post(url, json={"inputs": [row(trained)]}),
            lambda r: r.status_code == 200,
        )
        assert served.status_code == 200, served.text

        rows = [row(trained, i) for i in range(3)]
        predict = ("predict", "cancer", "--data", json.dumps(rows), "--url", server.url)
        body = json.loads(ok(run_cli(*predict, env=env)))
        assert (body["model"], body["version"]) == ("cancer", 1)
        got = [[o["probabilities"]["0"], o["probabilities"]["1"]] for o in body["outputs"]]
        expected = trained.model.predict_proba(trained.features.iloc[:3])
        np.testing.assert_allclose(np.array(got), expected, rtol=1e-9)
    finally:
        status = server.stop()
    assert_clean_exit(server, status)

    # Everything lives in PostgreSQL (in this test's schema), nothing in an SQLite file.
    assert not (home / "pasarela.db").exists()
    engine = sa.create_engine(postgres_url)
    try:
        with engine.connect() as conn:
            endpoints = conn.execute(sa.text("SELECT name FROM endpoints")).scalars().all()
    finally:
        engine.dispose()
    assert endpoints == ["cancer"]
