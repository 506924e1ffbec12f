"""The benchmark model, the peers' virtual environments and what the machine is."""

from __future__ import annotations

import json
import os
import platform
import shutil
import subprocess
import sys
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

import joblib
from sklearn.datasets import load_breast_cancer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

PEER_PACKAGES: dict[str, list[str]] = {
    "pasarela": ["pasarela", "scikit-learn", "numpy", "fastapi", "uvicorn", "uvloop"],
    "mlserver": ["mlserver", "mlserver-sklearn", "uvloop", "scikit-learn", "numpy", "uvicorn"],
    "bentoml": ["bentoml", "scikit-learn", "numpy", "uvicorn", "starlette"],
    "fastapi": ["fastapi", "uvicorn", "uvloop", "httptools", "scikit-learn", "numpy"],
}


def peer_requirements(sklearn_version: str, repo: Path) -> dict[str, list[str]]:
    """pip requirements of each server; scikit-learn pinned to the main environment's.
    pasarela is installed from this checkout as a user installs it: no dev or parquet extras
    (pandas loads pyarrow at import when it is there, about 35 MB more per process)."""
    sklearn = f"scikit-learn=={sklearn_version}"
    return {
        "pasarela": ["-e", str(repo), sklearn],
        # MLServer 1.7.1 does not start with uvloop 0.22 or later.
        "mlserver": ["mlserver==1.7.1", "mlserver-sklearn==1.7.1", "uvloop<0.22", sklearn],
        "bentoml": ["bentoml>=1.4,<1.5", sklearn, "joblib"],
        "fastapi": ["fastapi", "uvicorn[standard]", sklearn, "joblib"],
    }


@dataclass(frozen=True)
class ModelFiles:
    model: Path
    train_csv: Path
    feature_names: list[str]
    row: list[float]
    expected: list[float]


def train_model(work: Path) -> ModelFiles:
    """Fit the benchmark pipeline on the breast-cancer frame and save it with joblib."""
    data = load_breast_cancer(as_frame=True)
    features, target = data.data, data.target
    model = make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000))
    model.fit(features, target)
    model_path = work / "model.joblib"
    joblib.dump(model, model_path)
    frame = features.copy()
    frame["target"] = target
    csv_path = work / "train.csv"
    frame.to_csv(csv_path, index=False)
    row = features.iloc[[0]]
    expected = [float(p) for p in model.predict_proba(row)[0]]
    return ModelFiles(
        model=model_path,
        train_csv=csv_path,
        feature_names=[str(c) for c in features.columns],
        row=[float(v) for v in row.iloc[0]],
        expected=expected,
    )


def _pip(python: Path, requirements: list[str], log: Path) -> bool:
    argv = [str(python), "-m", "pip", "install", "--disable-pip-version-check", *requirements]
    with log.open("a") as out:
        out.write(f"$ {' '.join(argv)}\n")
        out.flush()
        return (
            subprocess.run(argv, stdout=out, stderr=subprocess.STDOUT, check=False).returncode == 0
        )


def ensure_venv(
    venvs: Path, name: str, requirements: list[str], log: Path, fingerprint: str = ""
) -> dict[str, Any]:
    """Create ``venvs/name`` and install ``requirements`` unless that was done already (with
    the same ``fingerprint``, e.g. a hash of the project's pyproject.toml).

    When the scikit-learn pin cannot be installed the peer gets pip's choice, and the
    returned note says so.
    """
    venv = venvs / name
    python = venv / "bin" / "python"
    stamp = venv / ".bench-requirements.json"
    if python.exists() and stamp.exists():
        recorded: dict[str, Any] = json.loads(stamp.read_text())
        same = recorded.get("wanted") == requirements
        if same and recorded.get("fingerprint", "") == fingerprint:
            return recorded
    if not python.exists():
        base = shutil.which("python3.11") or sys.executable
        subprocess.run([base, "-m", "venv", str(venv)], check=True)
    installed = requirements
    if not _pip(python, requirements, log):
        installed = [r for r in requirements if not r.startswith("scikit-learn==")]
        installed.append("scikit-learn")
        if not _pip(python, installed, log):
            raise RuntimeError(f"pip could not install the {name} environment; see {log}")
    record = {"wanted": requirements, "installed": installed, "fingerprint": fingerprint}
    stamp.write_text(json.dumps(record))
    return record


def venv_versions(venv: Path, packages: list[str]) -> dict[str, str]:
    """Python and package versions inside a virtual environment."""
    code = (
        "import json, sys\nfrom importlib import metadata\nv = {'python': sys.version.split()[0]}\n"
        "for p in sys.argv[1:]:\n"
        "    try: v[p] = metadata.version(p)\n"
        "    except metadata.PackageNotFoundError: pass\n"
        "print(json.dumps(v))"
    )
    out = subprocess.run(
        [str(venv / "bin" / "python"), "-c", code, *packages],
        capture_output=True,
        text=True,
        check=True,
    )
    versions: dict[str, str] = json.loads(out.stdout)
    return versions


def main_versions() -> dict[str, str]:
    versions = {"python": platform.python_version()}
    for package in ("pasarela", "scikit-learn", "numpy", "fastapi", "uvicorn"):
        try:
            versions[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            continue
    return versions


def machine_info() -> dict[str, Any]:
    cpu_model = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu_model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem_kib = 0
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                mem_kib = int(line.split()[1])
    except OSError:
        pass
    return {
        "cpu_count": os.cpu_count(),
        "cpu_affinity": len(os.sched_getaffinity(0)),
        "cpu_model": cpu_model,
        "memory_gib": round(mem_kib / 1024 / 1024, 1),
        "kernel": platform.release(),
        "python": platform.python_version(),
    }
