"""Security as an operator meets it: the first ``serve`` closes the install and prints an admin
key once; keys made and revoked on the CLI; the audit log verified, tampered with, caught; and a
key's rate limit held across two server processes sharing Redis."""

from __future__ import annotations

import re
import sqlite3
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import orjson
import pytest

from tests.conftest import Trained, row
from tests.contract.test_ratelimit import require_redis
from tests.e2e.conftest import (
    ERROR_LINE,
    PICKUP_TIMEOUT_S,
    ok,
    pasarela_env,
    prepare_home,
    run_cli,
    running_server,
    table_rows,
    wait_for,
)

pytestmark = pytest.mark.e2e

KEY = re.compile(r"^pk_[0-9a-f]{8}\.[A-Za-z0-9_-]{43}$", re.MULTILINE)
REDIS_URL = "redis://127.0.0.1:6379/0"


def test_first_serve_closes_the_install_and_keys_and_audit_work(
    tmp_path: Path, trained: Trained
) -> None:
    home = tmp_path / "home"
    prepare_home(home, trained)
    env = pasarela_env(home, PASARELA_BOOTSTRAP_ADMIN_KEY="true")
    with running_server(env, tmp_path / "serve.log") as server:
        printed = KEY.findall(server.log())
        assert len(printed) == 1, server.log()
        admin = {"Authorization": f"Bearer {printed[0]}"}
        with httpx.Client(base_url=server.url, timeout=10) as client:
            assert client.get("/healthz").status_code == 200
            assert client.get("/admin/stats", params={"endpoint": "cancer"}).status_code == 401
            assert client.get("/admin/whoami", headers=admin).json()["role"] == "admin"

            made = ok(run_cli("keys", "create", "--name", "shop", "--endpoint", "cancer", env=env))
            (secret,) = KEY.findall(made)
            key_id = secret.split(".")[0]
            listed = ok(run_cli("keys", "list", env=env))
            assert key_id in listed and secret not in listed
            shop = {"Authorization": f"Bearer {secret}"}

            def predict() -> int:
                body = {"inputs": [row(trained)]}
                reply = client.post("/v1/endpoints/cancer/predict", json=body, headers=shop)
                return reply.status_code

            assert wait_for(predict, lambda s: s == 200) == 200  # picked up with the snapshot
            ok(run_cli("keys", "revoke", key_id, env=env))
            assert wait_for(predict, lambda s: s == 401, PICKUP_TIMEOUT_S) == 401
    # A second start prints no key: the install has one.
    with running_server(env, tmp_path / "again.log") as again:
        assert KEY.findall(again.log()) == []

    verified = ok(run_cli("audit", "verify", env=env))
    assert "audit log intact" in verified
    exported = ok(run_cli("audit", "export", env=env)).splitlines()
    entries = [orjson.loads(line) for line in exported[:-1]]
    actions = [e["action"] for e in entries]
    assert {"key.create", "key.revoke", "request.denied", "admin.access"} <= set(actions)
    assert orjson.loads(exported[-1])["verification"]["ok"] is True
    assert all(secret not in line and printed[0] not in line for line in exported)

    with sqlite3.connect(home / "pasarela.db") as db:
        db.execute("UPDATE audit_log SET actor = 'mallory' WHERE seq = 2")
    tampered = run_cli("audit", "verify", env=env)
    assert tampered.returncode == 1
    assert "edited at 2: entry 2 was edited" in tampered.stderr
    assert "TAMPERED" in tampered.stderr


def test_a_log_cut_short_after_its_last_anchor_reads_tampered(tmp_path: Path) -> None:
    """Deleting the newest entries and their anchors used to leave a log that read "intact":
    the head each CLI call committed is also witnessed under the home, where the database
    cannot reach it."""
    home = tmp_path / "home"
    env = pasarela_env(home)
    for name in ("shop", "bank", "post"):
        ok(run_cli("keys", "create", "--name", name, env=env))
    assert "witnessed head 3" in ok(run_cli("audit", "verify", env=env))
    assert (home / "audit-head.json").stat().st_mode & 0o777 == 0o600
    with sqlite3.connect(home / "pasarela.db") as db:
        db.execute("DELETE FROM audit_log WHERE seq >= 2")
        db.execute("DELETE FROM audit_anchors WHERE seq >= 2")
    tampered = run_cli("audit", "verify", env=env)
    assert tampered.returncode == 1, tampered.stdout
    assert "cut at 3: the log ends at entry 1" in tampered.stderr
    assert "entries 2–3 were cut off the end" in tampered.stderr
    assert "TAMPERED" in tampered.stderr


def test_keys_cli_refuses_bad_input_with_one_line(tmp_path: Path) -> None:
    env = pasarela_env(tmp_path / "home")
    for args, code in (
        (["keys", "create", "--name", "x", "--role", "root"], "invalid_request"),
        (["keys", "create", "--name", "x", "--rate-limit", "lots"], "invalid_request"),
        (["keys", "revoke", "pk_00000000"], "key_not_found"),
    ):
        result = run_cli(*args, env=env)
        assert result.returncode == 1, result.stdout
        match = ERROR_LINE.match(result.stderr.strip())
        assert match and match["code"] == code, result.stderr


def test_keys_list_shows_expired_and_revoked_keys_as_such(tmp_path: Path) -> None:
    """``keys list`` showed an expired key as active (issue 14, item 14)."""
    env = pasarela_env(tmp_path / "home")
    ids = {}
    for name in ("lapsed", "later", "gone"):
        made = ok(run_cli("keys", "create", "--name", name, "--expires-in-days", "1", env=env))
        ids[name] = KEY.findall(made)[0].split(".")[0]
    ok(run_cli("keys", "revoke", ids["gone"], env=env))
    # A day passes for "lapsed": its stored expiry (UTC, as SQLAlchemy writes it) moves back.
    with sqlite3.connect(tmp_path / "home" / "pasarela.db") as db:
        db.execute(
            "UPDATE api_keys SET expires_at = ? WHERE id = ?",
            (f"{datetime.now(UTC) - timedelta(minutes=1):%Y-%m-%d %H:%M:%S.%f}", ids["lapsed"]),
        )
    rows = table_rows(ok(run_cli("keys", "list", env=env)))
    states = {r[0]: r[-1] for r in rows}
    assert states == {ids["lapsed"]: "expired", ids["later"]: "active", ids["gone"]: "revoked"}


def test_a_key_rate_limit_holds_across_two_servers_sharing_redis(
    tmp_path: Path, trained: Trained
) -> None:
    require_redis()
    home = tmp_path / "home"
    prepare_home(home, trained)
    env = pasarela_env(home, PASARELA_RATE_LIMIT_REDIS_URL=REDIS_URL)
    made = ok(
        run_cli(
            "keys",
            "create",
            "--name",
            "busy",
            "--role",
            "analyst",
            "--rate-limit",
            "10/s burst=5",
            env=env,
        )
    )
    (secret,) = KEY.findall(made)
    rate, burst, duration = 10.0, 5, 3.0
    admitted: list[float] = []
    refused: list[int] = []
    lock = threading.Lock()
    with (
        running_server(env, tmp_path / "a.log") as a,
        running_server(env, tmp_path / "b.log") as b,
    ):
        # Both servers have the key before the clock starts.
        for server in (a, b):
            wait_for(
                lambda s=server: (
                    httpx.get(
                        f"{s.url}/admin/whoami", headers={"X-API-Key": secret}, timeout=5
                    ).status_code
                ),
                lambda status: status != 401,
            )
        time.sleep(1.0)  # the probes above spent tokens: let the bucket fill again

        def hammer(url: str) -> None:
            with httpx.Client(base_url=url, timeout=10) as client:
                end = time.time() + duration
                while time.time() < end:
                    sent = time.time()
                    reply = client.get("/admin/whoami", headers={"X-API-Key": secret})
                    with lock:
                        if reply.status_code == 200:
                            admitted.append(sent)
                        else:
                            refused.append(reply.status_code)

        threads = [threading.Thread(target=hammer, args=(s.url,)) for s in (a, b, a, b)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    assert set(refused) == {429}
    admitted.sort()
    # Over every 1 s window: at most rate + burst, with 1 admission of slack for the time
    # between a request leaving here and Redis deciding.
    busiest = max(
        sum(1 for t in admitted[i:] if t < start + 1.0) for i, start in enumerate(admitted)
    )
    assert busiest <= rate + burst + 1, busiest
    assert len(admitted) >= 0.9 * (rate * duration + burst) - burst, len(admitted)
