"""``pasarela demo --no-serve``: the first command a newcomer runs, in an empty directory.

Besides the tour it runs two canaries to their end: v1 → v2 promotes itself, the champion → a
model that fails 20 % of its batches rolls itself back; then an A/B experiment of v1 against v2
whose simulated users complete their task more often on v2. A second run starts all three over.

The install is closed, as in production: the demo saves an admin and a client key in its home
(mode 0600, reused by later runs), sends its traffic with the client key, never prints a secret,
and ends with the audit log's verification.
"""

from __future__ import annotations

import json
import re
import socket
import stat
from pathlib import Path

import pytest
import yaml

from pasarela.control.workspace import open_registry
from pasarela.demo.security import ensure_keys
from pasarela.security.keys import KeyService
from pasarela.security.roles import Principal
from pasarela.settings import Settings
from pasarela.storage.keys import KeyRepository
from tests.e2e.conftest import PASARELA, free_port, ok, pasarela_env, run_cli

pytestmark = pytest.mark.e2e

PROMOTED = "canary breast-cancer-canary: promoted: breast-cancer@2 takes all traffic"
ROLLED_BACK = re.compile(
    r"canary breast-cancer-flaky: rolled back \(failed: error_rate, error_rate_vs_baseline\)"
)


def assert_canaries_ended(output: str) -> None:
    assert "type: canary" in output  # the manifest it applied is shown
    assert PROMOTED in output, output
    assert ROLLED_BACK.search(output), output
    # each verdict shows its numbers: the flaky candidate's error rate against the baseline's
    assert re.search(r"candidate error rate \d+\.\d% vs baseline 0\.0% \(\+\d+", output), output


def assert_experiment_concluded(output: str) -> None:
    assert "type: experiment" in output  # the manifest it applied is shown
    assert "experiment breast-cancer-v2 (running)" in output, output
    assert "sample ratio ok" in output, output
    # seeded users at 35 % vs 55 %: the always-valid test finds the treatment better
    assert re.search(
        r"• treatment is better than the control on task_completed: \+0\.\d+ \(\+\d+\.\d%\); "
        r"always-valid p = \S+ < 0\.05",
        output,
    ), output


SECRET = re.compile(r"pk_[0-9a-f]{8}\.[A-Za-z0-9_-]{43}")
CURL_KEY = "Authorization: Bearer $(cat .pasarela/demo-client.key)"


def assert_closed(result_output: str, home: Path) -> dict[str, str]:
    """The demo's keys are saved, for their owner only; the summary says how to use them and
    that the audit log holds; no secret reaches the terminal. Returns the saved secrets."""
    assert SECRET.search(result_output) is None, "the demo printed a key's secret"
    assert CURL_KEY in result_output, result_output
    assert "/ui/login with the admin key in .pasarela/demo-admin.key" in result_output
    assert re.search(r"audit log intact: \d+ entries", result_output), result_output
    secrets = {}
    for name in ("demo-admin", "demo-client"):
        path = home / f"{name}.key"
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, oct(path.stat().st_mode)
        secrets[name] = path.read_text().strip()
        assert SECRET.fullmatch(secrets[name]), name
    return secrets


def port_is_free(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) != 0


def test_demo_tours_then_reuses_its_versions(tmp_path: Path) -> None:
    port = free_port()
    env = pasarela_env(None)  # no PASARELA_HOME: the demo works in ./.pasarela
    demo = ("demo", "--no-serve", "--port", str(port), "--requests", "30")
    predict_url = f"http://127.0.0.1:{port}/v1/endpoints/breast-cancer/predict"

    first_run = run_cli(*demo, env=env, cwd=tmp_path)
    first = ok(first_run)
    assert "curl" in first
    assert predict_url in first
    assert "reusing" not in first
    sent = re.search(r"sent 30 requests: (\d+)/30 correct", first)
    assert sent is not None, first
    assert int(sent[1]) >= 25  # the champion is a decent classifier
    assert port_is_free(port), "the demo server still listens after --no-serve"
    home = tmp_path / ".pasarela"
    assert (home / "pasarela.db").is_file()
    sample = json.loads((home / "demo-request.json").read_text())
    assert len(sample["inputs"]) == 1 and len(sample["inputs"][0]) == 30
    assert_canaries_ended(first)
    assert (home / "demo-canaries.yaml").is_file()
    assert_experiment_concluded(first)
    assert (home / "demo-experiment.yaml").is_file()
    assert re.search(r"key pk_[0-9a-f]{8} \(admin, 'demo-admin'\) saved to", first), first
    assert re.search(r"key pk_[0-9a-f]{8} \(client, 'demo-client'\) saved to", first), first
    saved = assert_closed(first + first_run.stderr, home)

    second_run = run_cli(*demo, env=env, cwd=tmp_path)
    second = ok(second_run)
    assert "reusing" in second
    assert assert_closed(second + second_run.stderr, home) == saved  # the same keys, reused
    assert "saved to" not in second
    assert re.search(r"reusing key pk_[0-9a-f]{8} \(client\) from", second), second
    assert "curl" in second
    assert predict_url in second
    assert "deleted the previous run's endpoint breast-cancer-flaky" in second
    assert_canaries_ended(second)
    assert "deleted the previous run's endpoint breast-cancer-experiment" in second
    assert_experiment_concluded(second)

    registry = open_registry(Settings(home=home, database_url=None), migrate=False)
    try:
        versions = registry.versions.of("breast-cancer")
        assert [v.version for v in versions] == [1, 2]
        best = max(versions, key=lambda v: v.metrics["accuracy"])
        assert registry.aliases.of("breast-cancer") == {"champion": best.version}
        assert [e.name for e in registry.endpoints.all()] == [
            "breast-cancer",
            "breast-cancer-canary",
            "breast-cancer-experiment",
            "breast-cancer-flaky",
        ]
        assert [v.version for v in registry.versions.of("breast-cancer-flaky")] == [1]
        states = registry.rollouts.states()
        assert states["breast-cancer-canary"]["phase"] == "promoted"
        assert states["breast-cancer-canary"]["weight"] == 100
        assert states["breast-cancer-flaky"]["phase"] == "rolled_back"
        assert states["breast-cancer-flaky"]["weight"] == 0
        assert states["breast-cancer-experiment"]["phase"] == "running"
        keys = KeyRepository(registry.engine).list()
        assert [(k.name, k.role) for k in keys] == [
            ("demo-admin", "admin"),
            ("demo-client", "client"),
        ]
        assert keys[1].endpoints == (
            "breast-cancer",
            "breast-cancer-canary",
            "breast-cancer-experiment",
            "breast-cancer-flaky",
        )
        assert [k.id for k in keys] == [saved["demo-admin"][:11], saved["demo-client"][:11]]
        for name, last in (
            ("breast-cancer-canary", "promote"),
            ("breast-cancer-flaky", "rollback"),
        ):
            kinds = [e["kind"] for e in registry.rollouts.events(name)]
            assert kinds.count("start") == 2, kinds  # the second run started it over
            assert kinds[-1] == last, kinds
    finally:
        registry.engine.dispose()


def test_demo_keys_replaced_only_when_missing_or_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Without the full tour: a missing key file gets a new key of its own, a file whose key
    was revoked is replaced, and the other key is kept each time."""
    home = tmp_path / "home"
    home.mkdir()
    registry = open_registry(Settings(home=home, database_url=None))
    engine = registry.engine
    try:
        first = ensure_keys(engine, home, ["breast-cancer"])
        assert ensure_keys(engine, home, ["breast-cancer"]) == first  # reused
        (home / "demo-client.key").unlink()
        second = ensure_keys(engine, home, ["breast-cancer"])
        assert second.admin == first.admin and second.client != first.client
        assert stat.S_IMODE((home / "demo-client.key").stat().st_mode) == 0o600
        KeyService(KeyRepository(engine)).revoke(
            second.admin.split(".")[0], by=Principal("tester", "admin", None, "local")
        )
        third = ensure_keys(engine, home, ["breast-cancer"])
        assert third.admin != second.admin and third.client == second.client
        assert (home / "demo-admin.key").read_text().strip() == third.admin
        assert len(KeyRepository(engine).list()) == 4
        assert third.client_headers() == {"Authorization": f"Bearer {third.client}"}
        assert third.client not in repr(third) and third.admin not in repr(third)
    finally:
        engine.dispose()
    output = capsys.readouterr()
    assert SECRET.search(output.out + output.err) is None
    # joined: rich wraps the line at the terminal's width
    assert "was revoked; replacing it with a new admin key" in " ".join(output.out.split())


def test_demo_on_postgres_in_a_narrow_terminal(tmp_path: Path, postgres_url: str) -> None:
    """Issue 14 items 15, 16 and 23, as a newcomer meets them: the database on PostgreSQL
    (the home, where the keys go, is then made by nobody else), the port from PASARELA_PORT,
    a 40-column terminal, and ``pasarela`` not on the PATH."""
    port = free_port()
    env = pasarela_env(
        None,
        PASARELA_DATABASE_URL=postgres_url,
        PASARELA_PORT=str(port),
        COLUMNS="40",
        PATH="/usr/bin:/bin",
    )
    output = ok(run_cli("demo", "--no-serve", "--requests", "10", env=env, cwd=tmp_path))
    home = tmp_path / ".pasarela"
    assert not (home / "pasarela.db").exists()  # the records went to PostgreSQL
    assert_closed(output, home)
    assert f"http://127.0.0.1:{port}/v1/endpoints/breast-cancer/predict" in output

    # what is meant to be copied is printed whole: each manifest verbatim, and it parses
    for manifest in ("demo-canaries.yaml", "demo-experiment.yaml"):
        text = (home / manifest).read_text()
        assert f"pasarela apply -f .pasarela/{manifest}\n{text}" in output, output
        assert list(yaml.safe_load_all(text))
    curl = [line for line in output.splitlines() if line.startswith("curl ")]
    assert curl == [
        f"curl -s http://127.0.0.1:{port}/v1/endpoints/breast-cancer/predict "
        f'-H "{CURL_KEY}" '
        "-H 'content-type: application/json' -d @.pasarela/demo-request.json"
    ], output
    assert "│" not in "".join(line for line in output.splitlines() if "curl" in line)

    # how to run the commands it names, since the shell would not find them
    source = re.search(r"^source (\S+)/activate$", output, flags=re.MULTILINE)
    assert source is not None, output
    assert Path(source[1]).resolve() == PASARELA.parent.resolve()
    assert f"(or type {source[1]}/pasarela wherever these lines say pasarela)" in output
