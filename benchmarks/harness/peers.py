"""The peers pasarela is compared with: MLServer, BentoML and a bare FastAPI app.

Each runs from its own virtual environment under ``benchmarks/.venvs``.
"""

from __future__ import annotations

import json
import shutil

from harness.procs import free_port
from harness.specs import (
    MODEL_NAME,
    Context,
    Spec,
    Target,
    body_json,
    server_env,
    v2_body,
    v2_probabilities,
)

BENTOML_SERVICE = """\
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
"""

FASTAPI_APP = """\
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
"""


def _mlserver(ctx: Context, key: str, label: str, parallel_workers: int) -> Spec:
    root = ctx.work / key
    shutil.rmtree(root, ignore_errors=True)  # a repeated run (--repeat) starts it afresh
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
        env=server_env({}, venv_bin),
        port=port,
        ready_path=f"/v2/models/{MODEL_NAME}/ready",
        targets=[
            Target(
                key,
                label,
                f"/v2/models/{MODEL_NAME}/infer",
                v2_body(ctx.files),
                v2_probabilities,
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
    extra = {
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
        env=server_env(extra, venv_bin),
        port=port,
        ready_path="/readyz",
        targets=[
            Target(
                "bentoml",
                "BentoML",
                "/predict",
                body_json({"rows": [ctx.files.row]}),
                lambda r: r[0],
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
        env=server_env({"BENCH_MODEL_PATH": str(ctx.files.model)}, venv_bin),
        port=port,
        ready_path="/readyz",
        targets=[
            Target(
                "fastapi",
                "FastAPI (bare)",
                "/predict",
                body_json({"rows": [ctx.files.row]}),
                lambda r: r["probabilities"][0],
            )
        ],
        settings={
            "app": "one async def route calling predict_proba in the event loop",
            "command": "uvicorn app:app --host 127.0.0.1 --port PORT --workers 1",
        },
    )
