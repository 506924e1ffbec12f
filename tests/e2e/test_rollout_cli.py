"""What ``pasarela apply`` and ``pasarela rollout`` print when they cannot do what was asked:
one line ``error [code] message``, exit status 1, no traceback, and nothing changed."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from pasarela.control.apply import apply_specs
from pasarela.control.manifest import parse_manifests
from pasarela.control.workspace import open_registry
from pasarela.settings import Settings
from tests.e2e.conftest import ACTOR, ERROR_LINE, pasarela_env, run_cli_concurrently

pytestmark = pytest.mark.e2e

ENDPOINTS = """\
kind: Endpoint
name: adder
policy: {type: single, target: sums@1}
---
kind: Endpoint
name: switcher
policy:
  type: blue_green
  active: sums@1
  standby: broken@1
  smoke: {inputs: [[1, 2]]}
"""

INVALID = """\
kind: Endpoint
name: ramp
policy:
  type: canary
  baseline: sums@1
  steps: [5, 3, 100]
  candidate: sums@2
"""

FAILURES: dict[str, tuple[tuple[str, ...], str, str]] = {
    "invalid manifest": (
        ("apply", "-f", "invalid.yaml"),
        "invalid_manifest",
        "invalid.yaml:6: policy.steps: Value error, steps must increase",
    ),
    "unresolvable target": (
        ("apply", "-f", "ghost.yaml"),
        "model_not_found",
        "endpoint 'haunted': ghost@1: model 'ghost' is not registered",
    ),
    "nothing to undo": (
        ("rollout", "undo", "adder"),
        "nothing_to_undo",
        "endpoint 'adder' has no earlier revision",
    ),
    "no such revision": (
        ("rollout", "undo", "adder", "--to-revision", "7"),
        "revision_not_found",
        "endpoint 'adder' has no revision 7",
    ),
    "switch a single endpoint": (
        ("rollout", "switch", "adder"),
        "not_blue_green",
        "endpoint 'adder' is single, not blue_green",
    ),
    "standby fails its smoke": (
        ("rollout", "switch", "switcher"),
        "smoke_failed",
        "smoke requests to broken@1 failed: RuntimeError('this model is broken on purpose')",
    ),
}


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A home with ``sums@1``, ``sums@2`` (row sums) and ``broken@1``, the endpoints of
    ENDPOINTS applied once, and the manifests the failing commands read."""
    workdir = tmp_path_factory.mktemp("rollout-cli")
    registry = open_registry(Settings(home=workdir / "home", database_url=None, artifacts_dir=None))
    try:
        for entrypoint in ("row_sums", "row_sums"):
            registry.register("sums", entrypoint=f"pasarela.testing:{entrypoint}", actor=ACTOR)
        registry.register("broken", entrypoint="pasarela.testing:BrokenModel", actor=ACTOR)
        apply_specs(registry, parse_manifests(ENDPOINTS), actor=ACTOR)
    finally:
        registry.engine.dispose()
    (workdir / "invalid.yaml").write_text(INVALID, encoding="utf-8")
    (workdir / "ghost.yaml").write_text(
        "kind: Endpoint\nname: haunted\npolicy: {type: single, target: ghost@1}\n",
        encoding="utf-8",
    )
    return workdir


@pytest.fixture(scope="module")
def failures(workdir: Path) -> dict[str, subprocess.CompletedProcess[str]]:
    env = pasarela_env(workdir / "home")
    commands = [command for command, _, _ in FAILURES.values()]
    return dict(zip(FAILURES, run_cli_concurrently(commands, env=env, cwd=workdir), strict=True))


@pytest.mark.parametrize("case", list(FAILURES))
def test_cli_error_is_one_line_without_traceback(
    failures: dict[str, subprocess.CompletedProcess[str]], case: str
) -> None:
    _, code, message = FAILURES[case]
    result = failures[case]
    assert result.returncode == 1, result
    assert "Traceback" not in result.stdout + result.stderr
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, f"expected one error line, got:\n{result.stderr}"
    match = ERROR_LINE.match(lines[0])
    assert match is not None, f"not 'error [code] message': {lines[0]!r}"
    assert (match["code"], match["message"]) == (code, message)


def test_failed_commands_change_nothing(
    workdir: Path, failures: dict[str, subprocess.CompletedProcess[str]]
) -> None:
    assert all(result.returncode == 1 for result in failures.values())
    registry = open_registry(Settings(home=workdir / "home", database_url=None, artifacts_dir=None))
    try:
        endpoints = registry.endpoints
        assert [s.name for s in endpoints.all()] == ["adder", "switcher"]
        for name in ("adder", "switcher"):
            assert [(r.revision, r.action) for r in endpoints.revisions(name)] == [(1, "apply")]
        switcher = endpoints.get("switcher")
        assert (switcher.options["active"], switcher.options["standby"]) == (
            "sums@1",
            "broken@1",
        )
        assert registry.rollouts.states() == {}
    finally:
        registry.engine.dispose()
