"""What the harness knows of a server: how to start it, its routes and request bodies."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from harness.envs import ModelFiles

MODEL_NAME = "bc"

Extract = Callable[[Any], list[float]]


@dataclass(frozen=True)
class Target:
    """One table row: a route of a server and the body sent to it."""

    key: str
    label: str
    path: str
    body: bytes
    probabilities: Extract
    headers_file: Path | None = None
    """A file the server's set-up commands write, holding an API key (the secret alone on its
    line): the check and wrk then send ``Authorization: Bearer <secret>``. None: no header."""

    def headers(self) -> dict[str, str]:
        """The extra request headers; read when called, so after the set-up commands ran."""
        if self.headers_file is None:
            return {}
        secret = self.headers_file.read_text(encoding="utf-8").strip()
        if not secret or any(c.isspace() for c in secret):
            raise ValueError(f"{self.headers_file} does not hold one key on one line")
        return {"Authorization": f"Bearer {secret}"}


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


def body_json(value: Any) -> bytes:
    return json.dumps(value, separators=(",", ":")).encode()


def server_env(extra: dict[str, str], venv_bin: Path | None = None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "PYTHONPATH")}
    if venv_bin is not None:
        env["PATH"] = f"{venv_bin}{os.pathsep}{env.get('PATH', '')}"
    env["PYTHONUNBUFFERED"] = "1"
    env.update(extra)
    return env


def v2_body(files: ModelFiles) -> bytes:
    tensor = {
        "name": "predict",
        "shape": [1, len(files.row)],
        "datatype": "FP64",
        "data": files.row,
    }
    return body_json({"inputs": [tensor], "outputs": [{"name": "predict_proba"}]})


def v2_probabilities(reply: Any) -> list[float]:
    output = next(o for o in reply["outputs"] if o["name"] == "predict_proba")
    return [float(p) for p in output["data"]]
