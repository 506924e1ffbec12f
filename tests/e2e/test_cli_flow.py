"""The CLI against a running server (SQLite): register, alias, create an endpoint, predict,
inspect, move the alias; and what the CLI prints when a command fails."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import joblib
import numpy as np
import pytest
import skops.io
import sqlalchemy as sa
from alembic.script import ScriptDirectory
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import StandardScaler

from pasarela.control.workspace import open_registry
from pasarela.settings import Settings
from pasarela.storage.db import alembic_config
from tests.conftest import Trained, row
from tests.e2e.conftest import (
    ACTOR,
    ERROR_LINE,
    Server,
    ok,
    pasarela_env,
    run_cli,
    run_cli_concurrently,
    start_server,
    table_rows,
    wait_for,
)

pytestmark = pytest.mark.e2e


@dataclass(frozen=True)
class World:
    """What the module fixture did through the CLI while the server was running."""

    server: Server
    env: dict[str, str]
    workdir: Path
    challenger: Pipeline
    """The model registered as ``cancer@2``; ``cancer@1`` is ``trained.model``."""
    before_create: httpx.Response
    register_outputs: tuple[str, str]
    alias_output: str
    create_output: str

    @property
    def predict_url(self) -> str:
        return f"{self.server.url}/v1/endpoints/cancer/predict"


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory, trained: Trained) -> Iterator[World]:
    workdir = tmp_path_factory.mktemp("cli")
    env = pasarela_env(workdir / "home")
    # the champion as skops (the safe default), the challenger as joblib (needs --trust-pickle)
    skops.io.dump(trained.model, workdir / "model.skops")
    challenger = make_pipeline(StandardScaler(), LogisticRegression(C=0.01, max_iter=1000))
    challenger.fit(trained.features, trained.frame["target"])
    joblib.dump(challenger, workdir / "challenger.joblib")
    trained.frame.to_csv(workdir / "train.csv", index=False)

    def cli(*args: str) -> str:
        return ok(run_cli(*args, env=env, cwd=workdir))

    register = ("models", "register")
    common = ("--name", "cancer", "--train-data", "train.csv", "--target", "target")
    owner = ("--tag", "owner=ml")
    # The first command creates the database; the server starts after it (starting both on a
    # fresh home at once is a known migration race, see test_concurrent_first_run.py).
    first = cli(*register, "model.skops", *common, "--metric", "accuracy=0.97", *owner)
    server = start_server(env, workdir / "server.log")
    try:
        # registering needs no server: let it overlap the server's start
        second = cli(
            *register,
            "challenger.joblib",
            "--trust-pickle",
            *common,
            "--metric",
            "accuracy=0.95",
            *owner,
        )
        alias = cli("alias", "set", "cancer", "champion", "2")
        server.wait_ready()
        before = httpx.post(
            f"{server.url}/v1/endpoints/cancer/predict", json={"inputs": [row(trained)]}
        )
        create = cli("endpoints", "create", "cancer", "--model", "cancer@champion")
        yield World(server, env, workdir, challenger, before, (first, second), alias, create)
    finally:
        server.stop()


@pytest.fixture(scope="module")
def reports(world: World, trained: Trained) -> dict[str, subprocess.CompletedProcess[str]]:
    """The read-only commands, run at once once the server serves the new endpoint."""
    wait_for(lambda: pickup(world, trained), lambda r: r.status_code == 200)
    rows = json.dumps([row(trained, i) for i in (0, 20)])
    url = world.server.url
    commands = {
        "predict": ("predict", "cancer", "--data", rows, "--url", url),
        "predict-bad": ("predict", "cancer", "--data", '[{"nope": 1}]', "--url", url),
        "models list": ("models", "list"),
        "models show": ("models", "show", "cancer@champion"),
        "endpoints list": ("endpoints", "list"),
        "db upgrade": ("db", "upgrade"),
    }
    results = run_cli_concurrently(list(commands.values()), env=world.env)
    return dict(zip(commands, results, strict=True))


def probabilities(outputs: list[dict[str, Any]]) -> np.ndarray:
    return np.array([[o["probabilities"]["0"], o["probabilities"]["1"]] for o in outputs])


def pickup(world: World, trained: Trained) -> httpx.Response:
    return httpx.post(world.predict_url, json={"inputs": [row(trained, i) for i in range(3)]})


def served_version(world: World, trained: Trained) -> httpx.Response:
    """A prediction for three rows, which must succeed (also while the server switches)."""
    reply = httpx.post(world.predict_url, json={"inputs": [row(trained, i) for i in range(3)]})
    assert reply.status_code == 200, reply.text
    return reply


def test_commands_report_what_they_did(world: World) -> None:
    first, second = world.register_outputs
    assert first.startswith("registered cancer@1 (sklearn, 30 features, sha256 ")
    assert second.startswith("registered cancer@2 (sklearn, 30 features, sha256 ")
    assert first.split("sha256 ")[1] != second.split("sha256 ")[1]  # two different artifacts
    assert world.alias_output.strip() == "cancer@champion → 2"
    assert world.create_output.strip() == "endpoint cancer → cancer@champion (single)"


def test_endpoint_created_while_serving_is_picked_up(world: World, trained: Trained) -> None:
    assert world.before_create.status_code == 404
    assert world.before_create.json()["error"]["code"] == "endpoint_not_found"
    reply = wait_for(lambda: pickup(world, trained), lambda r: r.status_code == 200)
    assert reply.status_code == 200, reply.text
    body = reply.json()
    assert (body["endpoint"], body["model"], body["version"]) == ("cancer", "cancer", 2)
    expected = world.challenger.predict_proba(trained.features.iloc[:3])
    np.testing.assert_allclose(probabilities(body["outputs"]), expected, rtol=1e-9)


def test_predict_command_prints_the_reply(
    world: World, trained: Trained, reports: dict[str, subprocess.CompletedProcess[str]]
) -> None:
    body = json.loads(ok(reports["predict"]))
    assert body["version"] == 2
    assert len(body["request_id"]) == 32
    expected = world.challenger.predict_proba(trained.features.iloc[[0, 20]])
    np.testing.assert_allclose(probabilities(body["outputs"]), expected, rtol=1e-9)
    labels = world.challenger.predict(trained.features.iloc[[0, 20]]).tolist()
    assert [o["label"] for o in body["outputs"]] == labels


def test_predict_command_fails_on_a_rejected_request(
    reports: dict[str, subprocess.CompletedProcess[str]],
) -> None:
    result = reports["predict-bad"]
    assert result.returncode == 1
    assert json.loads(result.stdout)["error"]["code"] == "invalid_input"


def test_models_list(reports: dict[str, subprocess.CompletedProcess[str]]) -> None:
    rows = table_rows(ok(reports["models list"]))
    assert rows == [["cancer", "2", "2", "sklearn", "champion→2"]]


def test_models_show_signature_metrics_and_alias_moves(
    trained: Trained, reports: dict[str, subprocess.CompletedProcess[str]]
) -> None:
    output = ok(reports["models show"])
    lines = output.splitlines()
    assert lines[0].startswith(f"cancer@2  kind=sklearn  by {ACTOR} at ")
    assert "metrics: accuracy=0.95" in lines
    assert "tags: owner=ml" in lines
    assert "baseline rows: 569" in lines
    assert "signature" in output
    assert "alias moves" in output
    rows = table_rows(output)
    features = {r[0]: r for r in rows if len(r) == 3}
    assert list(features) == list(trained.features.columns)
    radius = trained.features["mean radius"]
    assert features["mean radius"][1] == "float"
    assert features["mean radius"][2] == (
        f"mean {radius.mean():.4g}, range {radius.min():.4g}..{radius.max():.4g}"
    )
    moves = [r[:4] for r in rows if len(r) == 5]
    assert moves[0] == ["champion", "-", "2", ACTOR]


def test_endpoints_list_resolves_the_alias(
    reports: dict[str, subprocess.CompletedProcess[str]],
) -> None:
    rows = table_rows(ok(reports["endpoints list"]))
    assert rows == [["cancer", "single", "cancer@champion", "cancer@2"]]


def test_db_upgrade_on_a_served_database(
    reports: dict[str, subprocess.CompletedProcess[str]],
) -> None:
    engine = sa.create_engine("sqlite://")
    heads = ScriptDirectory.from_config(alembic_config(engine)).get_heads()
    engine.dispose()
    assert len(heads) == 1
    assert ok(reports["db upgrade"]).strip() == f"database at revision {heads[0]}"


def test_moving_the_alias_switches_the_running_server(world: World, trained: Trained) -> None:
    moved = ok(run_cli("alias", "set", "cancer", "champion", "1", env=world.env))
    try:
        assert moved.strip() == "cancer@champion → 1 (was 2)"
        reply = wait_for(lambda: served_version(world, trained), lambda r: r.json()["version"] == 1)
        assert reply.json()["version"] == 1, "the server still answers with version 2"
        expected = trained.model.predict_proba(trained.features.iloc[:3])
        np.testing.assert_allclose(probabilities(reply.json()["outputs"]), expected, rtol=1e-9)
    finally:
        back = ok(run_cli("alias", "set", "cancer", "champion", "2", env=world.env))
    assert back.strip() == "cancer@champion → 2 (was 1)"
    reply = wait_for(lambda: served_version(world, trained), lambda r: r.json()["version"] == 2)
    assert reply.json()["version"] == 2


ERROR_CASES: dict[str, tuple[tuple[str, ...], str, str]] = {
    "unknown-model": (
        ("endpoints", "create", "other", "--model", "nope@champion"),
        "model_not_found",
        "endpoint 'other': nope@champion: model 'nope' is not registered",
    ),
    "missing-file": (
        ("models", "register", "{workdir}/no-such-model.joblib", "--name", "cancer"),
        "artifact_missing",
        "artifact {workdir}/no-such-model.joblib is not a file",
    ),
    "bad-train-data-extension": (
        ("models", "register", "model.skops", "--name", "cancer", "--train-data", "t.xlsx"),
        "invalid_request",
        "training data must be .csv or .parquet, not '.xlsx'",
    ),
    "pickle-without-trust": (
        ("models", "register", "challenger.joblib", "--name", "cancer"),
        "untrusted_pickle",
        "challenger.joblib is a pickle (joblib): loading a pickle runs any code inside it; only "
        "for files you trust. Save the model with skops (skops.io.dump, a .skops file) or as "
        "ONNX, or register it with trust_pickle (CLI: --trust-pickle)",
    ),
    "name-with-a-slash": (
        ("models", "register", "model.skops", "--name", "../cancer"),
        "invalid_name",
        "model name '../cancer' (9 characters) is not valid: 1 to 200 letters, digits, '_', "
        "'-' and single '.', starting with a letter or a digit",
    ),
}


@pytest.fixture(scope="module")
def failures(world: World) -> dict[str, subprocess.CompletedProcess[str]]:
    """Each failing command of ERROR_CASES, run at once, as in a log or a pipe (no COLUMNS)."""
    (world.workdir / "t.xlsx").write_bytes((world.workdir / "train.csv").read_bytes())
    env = {k: v for k, v in world.env.items() if k != "COLUMNS"}
    commands = [
        [a.format(workdir=world.workdir) for a in args] for args, _, _ in ERROR_CASES.values()
    ]
    results = run_cli_concurrently(commands, env=env, cwd=world.workdir)
    return dict(zip(ERROR_CASES, results, strict=True))


@pytest.mark.parametrize("case", list(ERROR_CASES))
def test_cli_errors_are_one_line_without_traceback(
    world: World, failures: dict[str, subprocess.CompletedProcess[str]], case: str
) -> None:
    _, code, message = ERROR_CASES[case]
    result = failures[case]
    assert result.returncode == 1, result
    assert "Traceback" not in result.stdout + result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, f"expected one error line, got:\n{result.stderr}"
    match = ERROR_LINE.match(lines[0])
    assert match is not None, f"not 'error [code] message': {lines[0]!r}"
    assert match["code"] == code
    assert match["message"] == message.format(workdir=world.workdir)


def test_failed_commands_change_nothing(
    world: World, failures: dict[str, subprocess.CompletedProcess[str]]
) -> None:
    assert all(result.returncode != 0 for result in failures.values())
    home = world.workdir / "home"
    registry = open_registry(Settings(home=home, database_url=None), migrate=False)
    try:
        assert [v.version for v in registry.versions.of("cancer")] == [1, 2]
        assert [e.name for e in registry.endpoints.all()] == ["cancer"]
    finally:
        registry.engine.dispose()
