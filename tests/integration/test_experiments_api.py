"""An experiment through the API: applied as a draft, started, split sticky by unit, reported
with a real difference in its feedback, stopped with a winner that is rolled out."""

from __future__ import annotations

import random
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from httpx import AsyncClient

from pasarela.api.app import PasarelaAPI, create_app
from pasarela.registry.service import Registry
from pasarela.settings import Settings
from pasarela.storage import schema
from pasarela.storage.telemetry import TelemetryRepository
from tests.integration.test_apply_api import applied, error_of, predict, wait_for_records

pytestmark = pytest.mark.anyio

EXPERIMENT = """\
kind: Endpoint
name: checkout
policy:
  type: experiment
  experiment: checkout-v2
  hypothesis: v2 completes more checkouts
  variants:
    - {name: control, target: sums@1, weight: 50}
    - {name: treatment, target: sums@2, weight: 50}
  primary_metric: {kind: task_completed, stat: rate}
  guardrails:
    - {kind: latency_ms, stat: mean, higher_is_better: false}
  mde: 0.2
"""


@pytest.fixture
async def app(settings: Settings, registry: Registry) -> AsyncIterator[PasarelaAPI]:
    for _ in range(2):
        registry.register("sums", entrypoint="pasarela.testing:row_sums")
    application = create_app(settings)
    async with application.router.lifespan_context(application):
        yield application


async def start(client: AsyncClient, experiment: str) -> httpx.Response:
    return await client.post(f"/admin/experiments/{experiment}/start")


async def test_an_experiment_from_draft_to_a_rolled_out_winner(
    client: AsyncClient, registry: Registry
) -> None:
    await applied(client, EXPERIMENT)
    listed = (await client.get("/admin/experiments")).json()["experiments"]
    assert [(e["experiment"], e["phase"]) for e in listed] == [("checkout-v2", "draft")]
    draft = {(await predict(client, "checkout", unit=f"u{i}"))["reason"] for i in range(20)}
    assert draft == {"variant:control"}
    draft_report = (await client.get("/admin/experiments/checkout-v2/report")).json()
    assert draft_report["conclusions"] == [
        "The experiment has not started: a draft serves the control only."
    ]

    started = (await start(client, "checkout-v2")).json()
    assert started["phase"] == "running"
    # no baseline in the plan: the documented default tuning, fixed at the start
    assert started["sequential_tuning"]["units_per_variant"] == 10_000
    assert started["sequential_tuning"]["source"] == "default"
    error_of(await start(client, "checkout-v2"), 409, "experiment_state")

    # 600 units, sticky; the treatment completes checkouts 60 % of the time, the control 30 %.
    rng = random.Random(7)
    seen: dict[str, str] = {}
    for i in range(600):
        unit = f"user-{i}"
        reply = await predict(client, "checkout", unit=unit)
        seen[unit] = reply["reason"]
        rate = 0.6 if reply["reason"] == "variant:treatment" else 0.3
        feedback = {"request_id": reply["request_id"], "task_completed": rng.random() < rate}
        assert (await client.post("/v1/feedback", json=feedback)).status_code == 202
    again = {u: (await predict(client, "checkout", unit=u))["reason"] for u in list(seen)[:50]}
    assert again == {u: seen[u] for u in again}
    await wait_for_records(TelemetryRepository(registry.engine), 650)
    report = await _report_with_feedback(client, 600)

    units = {v["name"]: v["units"] for v in report["variants"]}
    assert sum(units.values()) == 600 and min(units.values()) > 250
    assert report["sample_ratio"]["flagged"] is False
    primary = report["metrics"][0]
    assert primary["metric"] == "task_completed"
    (row,) = primary["comparisons"]
    assert row["fixed_horizon"]["absolute"] > 0.2
    assert row["sequential"]["p_adjusted"] < 0.05
    assert row["bayesian"]["probability_to_beat"] > 0.99
    assert report["conclusions"][0].startswith("treatment is better than the control")
    assert report["sequential_tuning"] == started["sequential_tuning"]

    stopped = await client.post(
        "/admin/experiments/checkout-v2/stop",
        json={"winner": "treatment", "roll_out": True, "conclusion": "ship v2"},
    )
    assert stopped.status_code == 200, stopped.text
    assert stopped.json()["rolled_out"]["target"] == "sums@2"
    endpoint = (await client.get("/admin/endpoints/checkout")).json()
    assert endpoint["policy"] == {"type": "single", "target": "sums@2"}
    assert {(await predict(client, "checkout", unit=f"u{i}"))["version"] for i in range(10)} == {2}
    final = (await client.get("/admin/experiments/checkout-v2/report")).json()
    assert final["phase"] == "stopped" and final["winner"] == "treatment"
    assert sum(v["units"] for v in final["variants"]) == 600  # the window closed at the stop


async def _report_with_feedback(client: AsyncClient, expected: int) -> dict[str, Any]:
    """The report once the writer has folded in every feedback item."""
    import asyncio

    for _ in range(100):
        report: dict[str, Any] = (await client.get("/admin/experiments/checkout-v2/report")).json()
        counts = [v["metrics"]["task_completed"]["n"] for v in report["variants"]]  # units
        if sum(counts) >= expected:
            return report
        await asyncio.sleep(0.1)
    raise AssertionError(f"feedback stored: {counts}")


async def test_stop_checks_the_winner_and_unknown_experiments_are_404(
    client: AsyncClient,
) -> None:
    await applied(client, EXPERIMENT)
    error_of(await client.post("/admin/experiments/checkout-v2/stop"), 409, "experiment_state")
    await start(client, "checkout-v2")
    reply = await client.post("/admin/experiments/checkout-v2/stop", json={"winner": "nope"})
    assert "not a variant" in error_of(reply, 400, "invalid_request")
    reply = await client.post("/admin/experiments/checkout-v2/stop", json={"roll_out": True})
    assert "needs a winner" in error_of(reply, 400, "invalid_request")
    error_of(await client.get("/admin/experiments/ghost/report"), 404, "experiment_not_found")
    error_of(await start(client, "ghost"), 404, "experiment_not_found")


REPEATED = EXPERIMENT.replace(
    "    - {kind: latency_ms, stat: mean, higher_is_better: false}",
    "    - {kind: cost, per: task_completed, higher_is_better: false}",
).replace(
    # the plan (a 50 % completion rate, +20 %) tunes the always-valid test to ~100 units a
    # variant when the experiment starts, the size this test runs at
    "  mde: 0.2\n",
    "  mde: 0.2\n  baseline: 0.5\n",
)


async def test_units_with_several_requests_and_cost_per_success(
    client: AsyncClient, registry: Registry
) -> None:
    """Each user makes three requests: the report counts users, not requests, and the cost
    per success guardrail catches a treatment that completes as often at twice the cost."""
    await applied(client, REPEATED)
    await start(client, "checkout-v2")
    rng = random.Random(3)
    for i in range(150):
        unit = f"user-{i}"
        likes = rng.random() < 0.5  # some users complete far more often: requests correlate
        for _ in range(3):
            reply = await predict(client, "checkout", unit=unit)
            treated = reply["reason"] == "variant:treatment"
            feedback = {
                "request_id": reply["request_id"],
                "task_completed": rng.random() < (0.8 if likes else 0.2),
                "cost": (2.0 if treated else 1.0) * (1 + rng.random()),
            }
            assert (await client.post("/v1/feedback", json=feedback)).status_code == 202
    await wait_for_records(TelemetryRepository(registry.engine), 450)
    await _wait_for_feedback(registry, 900)  # two kinds a request
    report = await _report_with_feedback(client, 150)
    assert sum(v["units"] for v in report["variants"]) == 150
    assert sum(v["requests"] for v in report["variants"]) == 450
    primary, cost = report["metrics"]
    assert primary["unit_ratio"] is True and primary["stat"] == "mean"
    assert cost["metric"] == "cost/task_completed" and cost["unit_ratio"] is True
    (row,) = cost["comparisons"]
    assert row["fixed_horizon"]["relative"] == pytest.approx(1.0, abs=0.35)
    assert any(
        c.startswith("Guardrail cost/task_completed: treatment") for c in report["conclusions"]
    )


async def _wait_for_feedback(registry: Registry, count: int) -> None:
    import asyncio

    for _ in range(100):
        with registry.engine.connect() as conn:
            stored = conn.execute(sa.select(sa.func.count()).select_from(schema.feedback)).scalar()
        if stored is not None and stored >= count:
            return
        await asyncio.sleep(0.1)
    raise AssertionError(f"{stored} feedback items stored, expected {count}")
