"""Sticky assignment across processes and restarts: two ``pasarela serve`` processes on one
database give every unit the same variant, a restarted one still does, and both agree with
the policy computed here, in a third process. And the sample-size calculator on the CLI."""

from __future__ import annotations

import random
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from pasarela.routing import build_policy
from pasarela.types import RequestContext, VersionId
from tests.e2e.conftest import (
    ERROR_LINE,
    Server,
    ok,
    pasarela_env,
    row_sums_home,
    run_cli,
    running_server,
)

pytestmark = pytest.mark.e2e

EXPERIMENT = """\
kind: Endpoint
name: search
policy:
  type: experiment
  experiment: ranking-v2
  variants:
    - {name: control, target: sums@1, weight: 40}
    - {name: small, target: sums@2, weight: 20}
    - {name: large, target: sums@3, weight: 40}
  primary_metric: {kind: task_completed, stat: rate}
"""
OPTIONS = {
    "experiment": "ranking-v2",
    "variants": [
        {"name": "control", "target": "sums@1", "weight": 40},
        {"name": "small", "target": "sums@2", "weight": 20},
        {"name": "large", "target": "sums@3", "weight": 40},
    ],
    "primary_metric": {"kind": "task_completed", "stat": "rate"},
}
UNITS = [f"user-{i}" for i in range(300)]


@pytest.fixture
def home(tmp_path: Path) -> Iterator[Path]:
    yield row_sums_home(tmp_path / "home", 3)


def assignments(server: Server, units: list[str]) -> dict[str, str]:
    """Each unit's variant as ``server`` serves it (units in a shuffled order)."""
    order = list(units)
    random.Random(server.port).shuffle(order)
    found = {}
    with httpx.Client(base_url=server.url, timeout=10) as client:
        for unit in order:
            reply = client.post(
                "/v1/endpoints/search/predict",
                json={"inputs": [[1.0, 2.0]]},
                headers={"X-Unit-Id": unit},
            )
            assert reply.status_code == 200, reply.text
            found[unit] = reply.json()["reason"]
    return found


def test_two_servers_and_a_restart_give_each_unit_the_same_variant(
    home: Path, tmp_path: Path
) -> None:
    env = pasarela_env(home)
    with running_server(env, tmp_path / "a.log") as a:
        with httpx.Client(base_url=a.url, timeout=10) as client:
            applied = client.post(
                "/admin/apply",
                content=EXPERIMENT.encode(),
                headers={"content-type": "application/yaml"},
            )
            assert applied.status_code == 200, applied.text
            started = client.post("/admin/experiments/ranking-v2/start")
            assert started.status_code == 200, started.text
        with running_server(env, tmp_path / "b.log") as b:
            first = assignments(a, UNITS)
            assert assignments(b, UNITS) == first
        with running_server(env, tmp_path / "b2.log") as restarted:
            assert assignments(restarted, UNITS) == first

    # The same hash in this process: assignment depends on the unit and the salt only.
    versions = {f"sums@{i}": VersionId("sums", i) for i in (1, 2, 3)}
    policy = build_policy("experiment", OPTIONS, versions, {"phase": "running"})
    rng = random.Random(0)
    here = {
        u: policy.decide(RequestContext(request_id="r", endpoint="search", unit_id=u), rng).reason
        for u in UNITS
    }
    assert here == first
    shares = {
        reason: list(first.values()).count(reason) / len(UNITS) for reason in set(here.values())
    }
    assert shares["variant:small"] == pytest.approx(0.2, abs=0.07)


def test_the_sample_size_calculator_plans_units_and_days() -> None:
    env = pasarela_env(None)
    out = ok(
        run_cli(
            "experiments",
            "size",
            "--baseline",
            "0.10",
            "--mde",
            "0.10",
            "--daily-units",
            "5000",
            "--share",
            "0.5",
            env=env,
        )
    )
    assert "14,751 units per variant" in out
    assert "11.8 days" in out
    mean = ok(
        run_cli(
            "experiments",
            "size",
            "--kind",
            "mean",
            "--baseline",
            "3.2",
            "--sd",
            "1.5",
            "--mde",
            "0.05",
            env=env,
        )
    )
    assert "units per variant" in mean
    refused = run_cli("experiments", "size", "--baseline", "1.2", "--mde", "0.1", env=env)
    assert refused.returncode == 1
    assert ERROR_LINE.match(refused.stderr.strip()), refused.stderr
    assert "rates must be between 0 and 1" in refused.stderr
