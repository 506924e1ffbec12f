"""The canary controller of a real server, judging real HTTP traffic: it promotes an equal
candidate step by step, rolls back a worse one early, and never promotes one that gets no
traffic. The three canaries run side by side in one server, set up with the CLI
(``pasarela apply -f``), and are inspected with ``pasarela rollout status`` and
``pasarela get endpoint``."""

from __future__ import annotations

import itertools
import json
import re
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

from pasarela.control.workspace import open_registry
from pasarela.settings import Settings
from tests.e2e.conftest import (
    ACTOR,
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

INTERVAL_S = 2
CANARY_TIMEOUT_S = 45.0
"""Longest a canary may take to end under traffic (3 judged steps of 2 s, plus holds)."""
ROW = [1.0, 2.0]

# Each canary on a model of its own, so the promotion alias of one never touches another.
MANIFEST = f"""\
kind: Endpoint
name: equal
description: a candidate as good as its baseline
policy:
  type: canary
  baseline: sums@1
  candidate: sums@2
  interval: {INTERVAL_S}s
  min_requests: 30
  alpha: 0.001  # at the default 5 %, 1 run in 20 may roll back an equal candidate
---
kind: Endpoint
name: worse
description: a candidate that fails 30 % of its batches
policy:
  type: canary
  baseline: flaky@1
  candidate: flaky@2
  interval: {INTERVAL_S}s
  min_requests: 30
---
kind: Endpoint
name: idle
description: a canary nobody calls
policy:
  type: canary
  baseline: idle@1
  candidate: idle@2
  interval: {INTERVAL_S}s
  min_requests: 30
"""


@dataclass
class Traffic:
    """Clients calling one endpoint from several threads, each request with a new unit id,
    until ``stop`` is set."""

    url: str
    prefix: str
    stop: threading.Event = field(default_factory=threading.Event)
    statuses: dict[int, int] = field(default_factory=dict)
    served: dict[str, int] = field(default_factory=dict)
    """``"version/reason"`` → replies."""
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _units: Iterator[int] = field(default_factory=itertools.count)

    def run(self) -> None:
        with httpx.Client(timeout=10) as client:
            while not self.stop.is_set():
                unit = f"{self.prefix}-{next(self._units)}"
                reply = client.post(self.url, json={"inputs": [ROW]}, headers={"X-Unit-Id": unit})
                key = ""
                if reply.status_code == 200:
                    answer = reply.json()
                    key = f"{answer['version']}/{answer['reason']}"
                with self._lock:
                    self.statuses[reply.status_code] = self.statuses.get(reply.status_code, 0) + 1
                    if key:
                        self.served[key] = self.served.get(key, 0) + 1


@dataclass(frozen=True)
class Outcome:
    """What the module fixture saw: every canary's rollout status once the two under traffic
    ended, the traffic each got, and the CLI's output."""

    server: Server
    env: dict[str, str]
    home: Path
    workdir: Path
    apply_output: str
    statuses: dict[str, dict[str, Any]]
    traffic: dict[str, Traffic]
    took_s: dict[str, float]


def rollout_of(server: Server, name: str) -> dict[str, Any]:
    reply = httpx.get(f"{server.url}/admin/endpoints/{name}/rollout", timeout=10)
    assert reply.status_code == 200, reply.text
    status: dict[str, Any] = reply.json()
    return status


def ended(status: dict[str, Any]) -> bool:
    return bool(status["state"]["phase"] != "progressing")


def prepare_models(home: Path) -> None:
    """``sums@1``/``sums@2`` and ``idle@1``/``idle@2`` all sum rows; ``flaky@1`` sums rows and
    ``flaky@2`` fails a share of its batches (``PASARELA_TEST_ERROR_RATE``). No training data,
    so rows are plain lists and registering runs no prediction."""
    registry = open_registry(Settings(home=home, database_url=None, artifacts_dir=None))
    try:
        for model, entrypoints in {
            "sums": ("row_sums", "row_sums"),
            "flaky": ("row_sums", "FlakyModel"),
            "idle": ("row_sums", "row_sums"),
        }.items():
            for entrypoint in entrypoints:
                registry.register(model, entrypoint=f"pasarela.testing:{entrypoint}", actor=ACTOR)
    finally:
        registry.engine.dispose()


@pytest.fixture(scope="module")
def outcome(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Outcome]:
    workdir = tmp_path_factory.mktemp("canary")
    home = workdir / "home"
    prepare_models(home)
    (workdir / "canaries.yaml").write_text(MANIFEST, encoding="utf-8")
    env = pasarela_env(
        home,
        PASARELA_CONTROLLER_POLL_S="0.2",
        PASARELA_TEST_ERROR_RATE="0.3",
        PASARELA_INCIDENT_POLL_S="0.5",
    )
    server = start_server(env, workdir / "server.log")
    try:
        server.wait_ready()
        apply_output = ok(run_cli("apply", "-f", "canaries.yaml", env=env, cwd=workdir))
        applied_at = time.monotonic()
        for name in ("equal", "worse", "idle"):
            reply = wait_for(
                lambda name=name: httpx.get(f"{server.url}/v1/endpoints/{name}"),
                lambda r: r.status_code == 200,
            )
            assert reply.json()["status"] == "serving", reply.text
        traffic = {
            name: Traffic(f"{server.url}/v1/endpoints/{name}/predict", name)
            for name in ("equal", "worse")
        }
        took_s: dict[str, float] = {}
        with ThreadPoolExecutor(max_workers=12) as pool:
            for stream in traffic.values():
                for _ in range(6):
                    pool.submit(stream.run)
            running = dict(traffic)
            deadline = time.monotonic() + CANARY_TIMEOUT_S
            while running and time.monotonic() < deadline:
                for name, stream in list(running.items()):
                    if ended(rollout_of(server, name)):
                        stream.stop.set()
                        took_s[name] = time.monotonic() - applied_at
                        del running[name]
                time.sleep(0.2)
            for stream in traffic.values():
                stream.stop.set()
        # the idle canary has had at least three intervals to be judged by now
        idle = wait_for(
            lambda: rollout_of(server, "idle"),
            lambda s: sum(e["kind"] == "hold" for e in s["history"]) >= 3,
            timeout_s=4 * INTERVAL_S,
        )
        statuses = {name: rollout_of(server, name) for name in ("equal", "worse")}
        statuses["idle"] = idle
        yield Outcome(server, env, home, workdir, apply_output, statuses, traffic, took_s)
    finally:
        server.stop()


def served_now(server: Server, endpoint: str, prefix: str, count: int) -> dict[str, int]:
    """``"version/reason"`` → replies, for ``count`` requests with new unit ids."""
    found: dict[str, int] = {}
    with httpx.Client(base_url=server.url, timeout=10) as client:
        for i in range(count):
            reply = client.post(
                f"/v1/endpoints/{endpoint}/predict",
                json={"inputs": [ROW]},
                headers={"X-Unit-Id": f"{prefix}-{i}"},
            )
            assert reply.status_code == 200, reply.text
            answer = reply.json()
            key = f"{answer['version']}/{answer['reason']}"
            found[key] = found.get(key, 0) + 1
    return found


def only(key: str) -> Callable[[dict[str, int]], bool]:
    return lambda found: set(found) == {key}


def judged(history: list[dict[str, Any]]) -> list[tuple[str, float, float | None]]:
    """``(event, weight, next weight)`` of every event but the holds and the start."""
    return [
        (e["kind"], e["detail"]["weight"], e["detail"].get("next_weight"))
        for e in history
        if e["kind"] not in ("hold", "start")
    ]


def check_named(event: dict[str, Any], name: str) -> dict[str, Any]:
    checks: list[dict[str, Any]] = event["detail"]["checks"]
    found = [c for c in checks if c["name"] == name]
    assert len(found) == 1, checks
    return found[0]


def test_apply_created_the_three_canaries(outcome: Outcome) -> None:
    created = [line for line in outcome.apply_output.splitlines() if line.startswith("endpoint ")]
    assert created == [
        "endpoint equal created (revision 1)",
        "endpoint worse created (revision 1)",
        "endpoint idle created (revision 1)",
    ]
    for name, status in outcome.statuses.items():
        start = status["history"][0]
        assert (start["kind"], start["actor"]) == ("start", ACTOR), name
        assert (start["detail"]["phase"], start["detail"]["weight"]) == ("progressing", 5.0)


def test_equal_candidate_is_promoted_step_by_step(outcome: Outcome) -> None:
    status = outcome.statuses["equal"]
    state = status["state"]
    assert (state["phase"], state["weight"]) == ("promoted", 100.0), status["history"]
    history = status["history"]
    assert judged(history) == [
        ("step", 5.0, 20.0),
        ("step", 20.0, 50.0),
        ("promote", 50.0, None),
    ], history
    for event in history[1:]:
        assert event["actor"] == "canary-controller"
        assert event["detail"]["action"] in ("hold", "promote")
    promote = history[-1]
    assert promote["detail"]["summary"] == "all 4 checks passed"
    assert check_named(promote, "traffic")["candidate"] >= 30
    assert promote["detail"]["alias"] == "sums@champion → sums@2"
    assert outcome.took_s["equal"] >= 3 * INTERVAL_S  # three judged steps, one interval each
    # the traffic it was judged on went to both versions
    served = outcome.traffic["equal"].served
    assert served.get("1/baseline", 0) > 0 and served.get("2/candidate", 0) > 0, served
    assert outcome.traffic["equal"].statuses.keys() == {200}


def test_promoted_candidate_takes_all_traffic_and_the_alias(outcome: Outcome) -> None:
    registry = open_registry(Settings(home=outcome.home, database_url=None, artifacts_dir=None))
    try:
        assert registry.aliases.of("sums") == {"champion": 2}
        moves = registry.aliases.history("sums")
        assert [(m.alias, m.to_version, m.actor) for m in moves] == [
            ("champion", 2, "canary-controller")
        ]
    finally:
        registry.engine.dispose()
    pickup = wait_for(
        lambda: served_now(outcome.server, "equal", "after-probe", 20), only("2/candidate")
    )
    assert set(pickup) == {"2/candidate"}
    assert served_now(outcome.server, "equal", "after", 100) == {"2/candidate": 100}


def test_worse_candidate_is_rolled_back_before_half_the_traffic(outcome: Outcome) -> None:
    status = outcome.statuses["worse"]
    state = status["state"]
    assert (state["phase"], state["weight"]) == ("rolled_back", 0.0), status["history"]
    assert state["reason"].startswith("failed: error_rate_vs_baseline")
    steps = judged(status["history"])
    assert steps[-1][0] == "rollback" and steps[-1][1] < 50, steps
    assert all(weight < 50 for _, weight, _ in steps), steps
    rollback = status["history"][-1]
    assert rollback["actor"] == "canary-controller"
    assert rollback["detail"]["action"] == "rollback"
    assert rollback["detail"]["summary"].startswith("failed: error_rate_vs_baseline")
    failed = check_named(rollback, "error_rate_vs_baseline")
    assert failed["status"] == "fail"
    assert failed["test"] == "Fisher exact test"
    assert failed["p_value"] is not None and failed["p_value"] < failed["alpha"]
    assert failed["candidate"] > failed["baseline"] + failed["threshold"]
    assert f"p={failed['p_value']:.2g} < " in failed["detail"]
    # its clients saw the failures, and only the candidate failed
    traffic = outcome.traffic["worse"]
    assert traffic.statuses.get(502, 0) > 0, traffic.statuses
    assert set(traffic.statuses) == {200, 502}, traffic.statuses


def test_rolled_back_canary_sends_everything_to_the_baseline(outcome: Outcome) -> None:
    pickup = wait_for(
        lambda: served_now(outcome.server, "worse", "after-probe", 20), only("1/baseline")
    )
    assert set(pickup) == {"1/baseline"}
    assert served_now(outcome.server, "worse", "after", 100) == {"1/baseline": 100}
    registry = open_registry(Settings(home=outcome.home, database_url=None, artifacts_dir=None))
    try:
        assert registry.aliases.of("flaky") == {}  # never promoted, never aliased
    finally:
        registry.engine.dispose()


def test_candidate_without_traffic_holds_at_its_first_step(outcome: Outcome) -> None:
    status = outcome.statuses["idle"]
    state = status["state"]
    assert (state["phase"], state["step"], state["weight"]) == ("progressing", 0, 5.0)
    kinds = [e["kind"] for e in status["history"]]
    assert kinds[0] == "start" and set(kinds[1:]) == {"hold"} and len(kinds) >= 4, kinds
    for hold in status["history"][1:]:
        assert hold["detail"]["summary"] == (
            "waiting: traffic, error_rate_vs_baseline, latency_vs_baseline, "
            "tail_latency_vs_baseline"
        )
        traffic = check_named(hold, "traffic")
        assert (traffic["status"], traffic["candidate"], traffic["baseline"]) == ("wait", 0, 0)
        assert traffic["detail"] == "candidate 0 requests, baseline 0 (need 30 each)"
    # holds come one interval apart, not at every poll of the controller (0.2 s)
    times = [datetime.fromisoformat(e["at"]).timestamp() for e in status["history"][1:]]
    gaps = [b - a for a, b in itertools.pairwise(times)]
    assert min(gaps) > INTERVAL_S - 0.3, gaps


def test_cli_shows_the_rollouts_and_the_manifests(outcome: Outcome) -> None:
    commands = {
        "equal": ("rollout", "status", "equal"),
        "worse": ("rollout", "status", "worse"),
        "yaml": ("get", "endpoint", "equal", "-o", "yaml"),
        "worse json": ("rollout", "status", "worse", "-o", "json"),
        "reapply": ("apply", "-f", "canaries.yaml"),
    }
    results = dict(
        zip(
            commands,
            run_cli_concurrently(list(commands.values()), env=outcome.env, cwd=outcome.workdir),
            strict=True,
        )
    )
    equal = ok(results["equal"])
    assert "endpoint equal (canary: sums@1, sums@2)" in equal
    assert "phase promoted, candidate weight 100 %" in equal
    rows = table_rows(equal)  # at, event, step, weight, verdict, by
    events = [r[1] for r in rows if len(r) == 6 and r[1] in ("start", "step", "promote", "hold")]
    assert [e for e in events if e != "hold"] == ["start", "step", "step", "promote"]
    assert any("sums@champion → sums@2" in r[4] for r in rows), rows
    assert any(r[1] == "step" and r[3] == "5 % → 20 %" for r in rows), rows
    worse = ok(results["worse"])
    assert "phase rolled_back, candidate weight 0 % — failed: error_rate_vs_baseline" in worse
    # every verdict with its numbers (issue 14 item 19): the failed check's test and p-value
    verdict = "\n".join(r[4] for r in table_rows(worse) if len(r) == 6)
    assert re.search(r"fail +candidate error rate .* p=\S+ < ", verdict), verdict
    as_json = json.loads(ok(results["worse json"]))
    assert (as_json["phase"], as_json["live"]) == ("rolled_back", True)
    assert as_json["history"][-1]["kind"] == "rollback"

    assert "  - 5\n" in ok(results["yaml"])  # steps as written, not 5.0
    manifest = yaml.safe_load(ok(results["yaml"]))
    assert manifest["name"] == "equal"
    assert manifest["policy"]["type"] == "canary"
    assert (manifest["policy"]["baseline"], manifest["policy"]["candidate"]) == (
        "sums@1",
        "sums@2",
    )
    assert manifest["policy"]["steps"] == [5.0, 20.0, 50.0, 100.0]
    assert (manifest["policy"]["interval"], manifest["policy"]["min_requests"]) == ("2s", 30)
    assert manifest["policy"]["promote_alias"] == "champion"
    # applying the same file again changes nothing: the ended canaries are not restarted
    assert ok(results["reapply"]).splitlines() == [
        "endpoint equal unchanged",
        "endpoint worse unchanged",
        "endpoint idle unchanged",
    ]


def test_a_rolled_back_canary_opens_an_incident(outcome: Outcome) -> None:
    def open_incidents() -> dict[str, dict[str, Any]]:
        found = json.loads(ok(run_cli("incidents", "--json", env=outcome.env)))
        return {i["endpoint"]: i for i in found}

    incidents = wait_for(open_incidents, lambda found: "worse" in found, timeout_s=30)
    incident = incidents["worse"]
    conditions = {c["key"]: c for c in incident["conditions"]}
    canary = conditions["canary"]
    assert canary["severity"] == "P2"
    assert canary["summary"] == "canary rolled back: failed: error_rate_vs_baseline"
    # the candidate's errors during the canary may have raised it to P1; never to P0
    assert incident["severity"] in ("P1", "P2")
    # the promoted canary is no incident
    assert "canary" not in {c["key"] for c in incidents.get("equal", {}).get("conditions", [])}
    shown = ok(run_cli("incidents", "show", str(incident["id"]), env=outcome.env))
    assert f"incident #{incident['id']}" in shown
    assert "canary rolled back: failed: error_rate_vs_baseline" in shown
