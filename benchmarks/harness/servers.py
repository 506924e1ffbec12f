"""The servers under test: how each is set up, started, asked, and checked."""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from harness.envs import ModelFiles
from harness.procs import free_port

MODEL_NAME = "bc"

BENTOML_SERVICE = '''\
from __future__ import annotations

import os

import bentoml
import joblib
import numpy as np


@bentoml.service(workers=1)
class BreastCancer:
    def __init__(self) -> None:
        self.model = joblib.load(os.environ["BENCH_MODEL_PATH"])

    @bentoml.api
    def predict(self, rows: list[list[float]]) -> list[list[float]]:
        return self.model.predict_proba(np.asarray(rows, dtype=np.float64)).tolist()
'''

FASTAPI_APP = '''\
from __future__ import annotations

import os

import joblib
import numpy as np
from fastapi import FastAPI
from pydantic import BaseModel

model = joblib.load(os.environ["BENCH_MODEL_PATH"])
app = FastAPI()


class Rows(BaseModel):
    rows: list[list[float]]


@app.get("/readyz")
async def readyz() -> dict[str, str]:
    return {"status": "ready"}


@app.post("/predict")
async def predict(body: Rows) -> dict[str, list[list[float]]]:
    probabilities = model.predict_proba(np.asarray(body.rows, dtype=np.float64))
    return {"probabilities": probabilities.tolist()}
'''

Extract = Callable[[Any], list[float]]


@dataclass(frozen=True)
class Target:
    """One table row: a route of a server and the body sent to it."""

    key: str
    label: str
    path: str
    body: bytes
    probabilities: Extract


@dataclass
class Spec:
    """How to run one server (it may serve several targets)."""

    key: str
    label: str
    venv: str | None
    argv: list[str]
    cwd: Path
    env: dict[str, str]
    port: int
    ready_path: str
    targets: list[Target]
    settings: dict[str, Any]
    prepare: list[list[str]] = field(default_factory=list)

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"


@dataclass(frozen=True)
class Context:
    repo: Path
    work: Path
    venvs: Path
    files: ModelFiles


def _json(value: Any) -> bytes:
    return json.dumps(value, separators=(",", ":")).encode()


def _env(extra: dict[str, str], venv_bin: Path | None = None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "PYTHONPATH")}
    if venv_bin is not None:
        env["PATH"] = f"{venv_bin}{os.pathsep}{env.get('PATH', '')}"
    env["PYTHONUNBUFFERED"] = "1"
    env.update(extra)
    return env


def v2_body(files: ModelFiles) -> bytes:
    tensor = {"name": "predict", "shape": [1, len(files.row)], "datatype": "FP64", "data": files.row}
    return _json({"inputs": [tensor], "outputs": [{"name": "predict_proba"}]})


def _v2_probabilities(reply: Any) -> list[float]:
    output = next(o for o in reply["outputs"] if o["name"] == "predict_proba")
    return [float(p) for p in output["data"]]


def _v1_probabilities(reply: Any) -> list[float]:
    first = reply["outputs"][0]
    probabilities = first["probabilities"] if isinstance(first, dict) else first
    if isinstance(probabilities, dict):
        return [float(probabilities[k]) for k in sorted(probabilities)]
    return [float(p) for p in probabilities]


def pasarela(ctx: Context) -> Spec:
    home = Path(tempfile.mkdtemp(prefix="pasarela-home-", dir=ctx.work))
    cli = str(ctx.repo / ".venv" / "bin" / "pasarela")
    port = free_port()
    files = ctx.files
    prepare = [
        [cli, "models", "register", str(files.model), "--name", MODEL_NAME,
         "--train-data", str(files.train_csv), "--target", "target"],
        [cli, "endpoints", "create", MODEL_NAME, "--model", f"{MODEL_NAME}@1"],
    ]  # fmt: skip
    argv = [cli, "serve", "--host", "127.0.0.1", "--port", str(port)]
    return Spec(
        key="pasarela",
        label="pasarela",
        venv=None,
        argv=argv,
        cwd=ctx.work,
        env=_env({"PASARELA_HOME": str(home)}, ctx.repo / ".venv" / "bin"),
        port=port,
        ready_path="/readyz",
        prepare=prepare,
        targets=[
            Target(
                "pasarela",
                "pasarela",
                f"/v1/endpoints/{MODEL_NAME}/predict",
                _json({"inputs": [files.row]}),
                _v1_probabilities,
            ),
            Target(
                "pasarela-v2",
                "pasarela (v2)",
                f"/v2/models/{MODEL_NAME}/infer",
                v2_body(files),
                _v2_probabilities,
            ),
        ],
        settings={"commands": [" ".join(c[1:]) for c in [*prepare, argv]]},
    )


def _mlserver(ctx: Context, key: str, label: str, parallel_workers: int) -> Spec:
    root = ctx.work / key
    (root / MODEL_NAME).mkdir(parents=True)
    shutil.copy(ctx.files.model, root / MODEL_NAME / "model.joblib")
    port = free_port()
    settings = {
        "host": "127.0.0.1",
        "http_port": port,
        "grpc_port": free_port(),
        "metrics_port": free_port(),
        "parallel_workers": parallel_workers,
    }
    model_settings = {
        "name": MODEL_NAME,
        "implementation": "mlserver_sklearn.SKLearnModel",
        "parameters": {"uri": "./model.joblib"},
    }
    (root / "settings.json").write_text(json.dumps(settings, indent=2))
    (root / MODEL_NAME / "model-settings.json").write_text(json.dumps(model_settings, indent=2))
    venv_bin = ctx.venvs / "mlserver" / "bin"
    return Spec(
        key=key,
        label=label,
        venv="mlserver",
        argv=[str(venv_bin / "mlserver"), "start", "."],
        cwd=root,
        env=_env({}, venv_bin),
        port=port,
        ready_path=f"/v2/models/{MODEL_NAME}/ready",
        targets=[
            Target(
                key,
                label,
                f"/v2/models/{MODEL_NAME}/infer",
                v2_body(ctx.files),
                _v2_probabilities,
            )
        ],
        settings={"settings.json": settings, "model-settings.json": model_settings},
    )


def mlserver(ctx: Context) -> Spec:
    """MLServer with inference in its HTTP process (``parallel_workers: 0``)."""
    return _mlserver(ctx, "mlserver", "MLServer", 0)


def mlserver_pw1(ctx: Context) -> Spec:
    """MLServer as it ships: one separate inference worker process."""
    return _mlserver(ctx, "mlserver-pw1", "MLServer (parallel_workers=1)", 1)


def bentoml(ctx: Context) -> Spec:
    root = ctx.work / "bentoml"
    root.mkdir()
    (root / "service.py").write_text(BENTOML_SERVICE)
    venv_bin = ctx.venvs / "bentoml" / "bin"
    port = free_port()
    env = {
        "BENTOML_HOME": str(root / "home"),
        "BENTOML_DO_NOT_TRACK": "true",
        "BENCH_MODEL_PATH": str(ctx.files.model),
    }
    argv = [str(venv_bin / "bentoml"), "serve", "service:BreastCancer"]
    argv += ["--host", "127.0.0.1", "--port", str(port)]
    return Spec(
        key="bentoml",
        label="BentoML",
        venv="bentoml",
        argv=argv,
        cwd=root,
        env=_env(env, venv_bin),
        port=port,
        ready_path="/readyz",
        targets=[
            Target(
                "bentoml", "BentoML", "/predict", _json({"rows": [ctx.files.row]}), lambda r: r[0]
            )
        ],
        settings={
            "service": "@bentoml.service(workers=1), sync @bentoml.api returning predict_proba",
            "command": "bentoml serve service:BreastCancer --host 127.0.0.1 --port PORT",
        },
    )


def fastapi(ctx: Context) -> Spec:
    root = ctx.work / "fastapi"
    root.mkdir()
    (root / "app.py").write_text(FASTAPI_APP)
    venv_bin = ctx.venvs / "fastapi" / "bin"
    port = free_port()
    argv = [str(venv_bin / "uvicorn"), "app:app", "--host", "127.0.0.1", "--port", str(port)]
    argv += ["--workers", "1"]
    return Spec(
        key="fastapi",
        label="FastAPI (bare)",
        venv="fastapi",
        argv=argv,
        cwd=root,
        env=_env({"BENCH_MODEL_PATH": str(ctx.files.model)}, venv_bin),
        port=port,
        ready_path="/readyz",
        targets=[
            Target(
                "fastapi",
                "FastAPI (bare)",
                "/predict",
                _json({"rows": [ctx.files.row]}),
                lambda r: r["probabilities"][0],
            )
        ],
        settings={
            "app": "one async def route calling predict_proba in the event loop",
            "command": "uvicorn app:app --host 127.0.0.1 --port PORT --workers 1",
        },
    )


BUILDERS: dict[str, Callable[[Context], Spec]] = {
    "pasarela": pasarela,
    "mlserver": mlserver,
    "bentoml": bentoml,
    "fastapi": fastapi,
    "mlserver-pw1": mlserver_pw1,
}
# Target key -> the server that serves it. Opt-in targets are measured only with --only.
SERVER_OF = {
    "pasarela": "pasarela",
    "pasarela-v2": "pasarela",
    "mlserver": "mlserver",
    "bentoml": "bentoml",
    "fastapi": "fastapi",
    "mlserver-pw1": "mlserver-pw1",
}
DEFAULT_TARGETS = ["pasarela", "pasarela-v2", "mlserver", "bentoml", "fastapi"]
# Server -> its virtual environment under benchmarks/.venvs (pasarela uses the main .venv).
PEER_VENV = {"mlserver": "mlserver", "mlserver-pw1": "mlserver", "bentoml": "bentoml", "fastapi": "fastapi"}
