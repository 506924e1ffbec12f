"""Every ``pasarela`` call used to cost 1.0–1.5 s of CPU, ``--help`` included, importing pandas,
scikit-learn and the web framework it never used (issue 14 item 24). Commands import what they
need when they run; these tests hold that without timing anything: they run the real command
in a child process and look at which modules it imported."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.e2e.conftest import pasarela_env

pytestmark = pytest.mark.e2e

# What the command line runs, with the modules it imported written out at exit.
RUN_AND_LIST_MODULES = """
import atexit, json, sys
listing = sys.argv[1]
atexit.register(lambda: open(listing, "w").write(json.dumps(sorted(sys.modules))))
from pasarela.cli.main import app
sys.argv = ["pasarela", *sys.argv[2:]]
app()
"""

MODEL_LIBRARIES = {"pandas", "numpy", "scipy", "sklearn", "skops", "joblib", "onnxruntime"}
SERVER = {"fastapi", "starlette", "uvicorn", "httpx", "jinja2", "prometheus_client"}
NEVER = MODEL_LIBRARIES | SERVER | {"cryptography", "alembic", "yaml"}


def imported(tmp_path: Path, *args: str) -> set[str]:
    """The top-level packages ``pasarela ARGS…`` imported (it must succeed)."""
    listing = tmp_path / "modules.json"
    result = subprocess.run(
        [sys.executable, "-c", RUN_AND_LIST_MODULES, str(listing), *args],
        env=pasarela_env(tmp_path / "home"),
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return {name.partition(".")[0] for name in json.loads(listing.read_text())}


def test_help_imports_neither_the_database_nor_model_libraries(tmp_path: Path) -> None:
    modules = imported(tmp_path, "--help")
    assert "typer" in modules  # the listing works
    assert modules & (NEVER | {"sqlalchemy", "pydantic_settings"}) == set()


def test_models_list_imports_the_database_only(tmp_path: Path) -> None:
    imported(tmp_path, "db", "upgrade")  # a migrated home: listing it needs no Alembic
    modules = imported(tmp_path, "models", "list")
    assert "sqlalchemy" in modules  # the listing works
    assert modules & NEVER == set()
