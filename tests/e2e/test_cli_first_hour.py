"""The command line as a newcomer meets it (issue 14 item 19): ``--help`` in a sensible order
without a type on flags, ``--version``, errors for unknown endpoints and values that name the
option, and ``rollout`` commands that say what they did and where the endpoint stands."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pytest

from pasarela.cli.main import ORDER
from tests.e2e.conftest import (
    ERROR_LINE,
    PASARELA,
    Server,
    assert_clean_exit,
    free_port,
    ok,
    pasarela_env,
    row_sums_home,
    run_cli,
    table_rows,
)

pytestmark = pytest.mark.e2e

SINGLE = "kind: Endpoint\nname: ramp\npolicy: {type: single, target: sums@1}\n"
CANARY = """\
kind: Endpoint
name: ramp
policy:
  type: canary
  baseline: sums@1
  candidate: sums@2
  steps: [5, 50, 100]
  interval: 1h
"""


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A home with ``sums@1`` and ``sums@2`` (row sums) and no endpoint yet."""
    return row_sums_home(tmp_path_factory.mktemp("first-hour") / "home", 2)


def one_error(result: object) -> tuple[str, str]:
    """The code and message of a command that failed with one ``error [code] message``."""
    assert getattr(result, "returncode") == 1, result  # noqa: B009
    stderr: str = getattr(result, "stderr")  # noqa: B009
    assert "Traceback" not in stderr
    lines = stderr.strip().splitlines()
    assert len(lines) == 1, stderr
    match = ERROR_LINE.match(lines[0])
    assert match is not None, lines[0]
    return match["code"], match["message"]


def test_help_lists_commands_in_order_and_flags_without_a_type(home: Path) -> None:
    env = pasarela_env(home)
    top = ok(run_cli("--help", env=env))
    listed = re.findall(r"^│ ([a-z]\S*) ", top, flags=re.MULTILINE)  # not wrapped help lines
    commands = [name for name in listed if name in ORDER]
    assert commands == list(ORDER), listed
    for panel in ("Start", "Models and endpoints", "Rollouts and experiments", "Operations"):
        assert f"─ {panel} ─" in top
    assert top.index("─ Start ─") < top.index("─ Operations ─")
    demo = ok(run_cli("demo", "--help", env=env))
    assert "<bool>" not in top + demo, demo
    assert re.search(r"--serve +--no-serve +Keep serving", demo), demo
    assert re.search(r"--port +<int> +Port", demo), demo


def test_version_flag(home: Path) -> None:
    env = pasarela_env(home)
    flag, command = run_cli("--version", env=env), run_cli("version", env=env)
    assert re.fullmatch(r"pasarela \d+\.\d+\.\d+\S*\n", ok(flag)), flag.stdout
    assert ok(command) == flag.stdout


def test_stats_of_an_unknown_endpoint_is_an_error(home: Path) -> None:
    result = run_cli("stats", "nope", env=pasarela_env(home))
    assert result.stdout == ""
    assert one_error(result) == ("endpoint_not_found", "endpoint 'nope' does not exist")


def test_value_errors_name_the_option(home: Path) -> None:
    result = run_cli(
        "experiments", "size", "--baseline", "0.1", "--mde", "0.05", "--kind", "median",
        env=pasarela_env(home),
    )  # fmt: skip
    assert one_error(result) == ("invalid_request", "--kind is rate or mean, not 'median'")
    result = run_cli(
        "experiments", "size", "--baseline", "3", "--mde", "0.05", "--kind", "mean",
        env=pasarela_env(home),
    )  # fmt: skip
    assert (
        one_error(result)[1] == "--kind mean needs a positive --sd (the mean's standard deviation)"
    )


def test_rollout_says_what_it_did_and_where_the_endpoint_stands(home: Path, tmp_path: Path) -> None:
    env = pasarela_env(home)
    (tmp_path / "single.yaml").write_text(SINGLE, encoding="utf-8")
    (tmp_path / "canary.yaml").write_text(CANARY, encoding="utf-8")
    ok(run_cli("apply", "-f", "single.yaml", env=env, cwd=tmp_path))
    applied = ok(run_cli("apply", "-f", "canary.yaml", env=env, cwd=tmp_path))
    assert "5.0" not in applied and "+  - 5\n" in applied  # steps print as written
    running = ok(run_cli("rollout", "status", "ramp", env=env))
    assert "phase progressing, candidate weight 5 % (step 1)" in running, running

    aborted = ok(run_cli("rollout", "abort", "ramp", env=env))
    assert aborted == "endpoint ramp: rolled_back, candidate weight 0 %\n"
    undone = ok(run_cli("rollout", "undo", "ramp", env=env))
    first, _, diff = undone.partition("\n")
    assert first == "endpoint ramp: revision 1 restored as revision 3"
    assert "=" not in first  # no key=value noise
    assert "-  type: canary" in diff and "+  type: single" in diff, diff

    status = ok(run_cli("rollout", "status", "ramp", env=env))
    assert "endpoint ramp (single: sums@1)" in status
    # the endpoint serves one version now; the canary that ended is history, not its phase
    assert "phase stable: single, no rollout running (the last one ended rolled_back)" in status
    rows = table_rows(status)
    assert [r[1] for r in rows if len(r) == 6 and r[1]] == ["start", "abort"], rows
    as_json = json.loads(ok(run_cli("rollout", "status", "ramp", "-o", "json", env=env)))
    assert (as_json["phase"], as_json["live"], as_json["policy"]) == ("stable", False, "single")
    assert as_json["state"]["phase"] == "rolled_back"
    assert [r["action"] for r in as_json["revisions"]] == ["apply", "apply", "undo"]
    assert one_error(run_cli("rollout", "status", "ramp", "-o", "xml", env=env)) == (
        "invalid_request",
        "--output is table or json",
    )


def test_serve_takes_its_port_from_pasarela_port(home: Path, tmp_path: Path) -> None:
    """``PASARELA_PORT`` chooses the port of ``serve`` as of ``demo`` (test_demo.py), so the
    README's ``PASARELA_PORT=8001`` works for both (issue 14 item 15)."""
    port = free_port()
    log_path = tmp_path / "serve.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [str(PASARELA), "serve"],
            env=pasarela_env(home, PASARELA_PORT=str(port)),
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    server = Server(port, process, log_path)
    try:
        server.wait_ready()  # fails the test if nothing answers on PASARELA_PORT
    finally:
        assert_clean_exit(server, server.stop())
