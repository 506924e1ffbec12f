"""The dashboard's pages through the app: the rollout page with a real verdict of the canary
judge and its numbers, the experiments reachable from the nav and the endpoint page, the
latency chart's data, the incidents breadcrumb."""

from __future__ import annotations

import re
import time
from collections.abc import AsyncIterator

import pytest
from httpx import AsyncClient

from pasarela.api.app import PasarelaAPI, create_app
from pasarela.control.canary import CanaryController
from pasarela.registry.service import Registry
from pasarela.settings import Settings
from pasarela.storage.telemetry import TelemetryRepository
from pasarela.ui.views import MIN_CHART_BUCKETS
from tests.integration.test_apply_api import applied, predict, wait_for_records

pytestmark = pytest.mark.anyio

MANIFESTS = """\
kind: Endpoint
name: adder
policy:
  type: canary
  baseline: sums@1
  candidate: sums@2
  steps: [10, 50, 100]
  interval: 60s
  min_requests: 30
---
kind: Endpoint
name: checkout
policy:
  type: experiment
  experiment: checkout-v2
  variants:
    - {name: control, target: sums@1, weight: 50}
    - {name: treatment, target: sums@2, weight: 50}
  primary_metric: {kind: task_completed, stat: rate}
"""


@pytest.fixture
async def app(settings: Settings, registry: Registry) -> AsyncIterator[PasarelaAPI]:
    for _ in range(2):
        registry.register("sums", entrypoint="pasarela.testing:row_sums")
    application = create_app(settings.model_copy(update={"controller": False}))
    async with application.router.lifespan_context(application):
        yield application


def texts(html: str, attribute: str) -> list[str]:
    return re.findall(rf'{attribute}="([^"]*)"', html)


async def test_the_rollout_page_shows_phase_weight_and_every_verdict_with_its_numbers(
    app: PasarelaAPI, client: AsyncClient
) -> None:
    await applied(client, MANIFESTS)
    registry: Registry = app.state.registry
    # the judge, one interval later, on no traffic: it holds, and says why with numbers
    moves = CanaryController(registry, clock=lambda: time.time() + 61).tick()
    assert [m.event for m in moves] == ["hold"]

    endpoint = await client.get("/ui/endpoints/adder")
    assert 'href="/ui/endpoints/adder/rollout"' in endpoint.text
    page = await client.get("/ui/endpoints/adder/rollout")
    assert page.status_code == 200
    html = page.text
    assert re.search(r'data-field="phase">progressing<', html)
    assert re.search(r'data-field="weight">10 %<', html)
    assert re.search(r'data-field="step">1<', html)
    assert texts(html, "data-action") == ["hold"]
    row = re.search(r'<tr data-check="traffic" data-status="wait">(.*?)</tr>', html)
    assert row is not None
    cells = re.findall(r"<td>(.*?)</td>", row.group(1))
    assert cells[:5] == ["traffic", "wait", "0", "0", "30"]  # 0 requests of the 30 needed
    assert "hold" in texts(html, "data-kind")  # the history
    assert "revision 1" in html and "+name: adder" in html  # the revisions, with their diff
    # an endpoint that does not exist
    missing = await client.get("/ui/endpoints/ghost/rollout")
    assert missing.status_code == 404 and "Endpoint not found" in missing.text


async def test_experiments_are_linked_from_the_nav_and_their_endpoint(
    client: AsyncClient,
) -> None:
    await applied(client, MANIFESTS)
    overview = await client.get("/ui")
    assert 'href="/ui/experiments"' in overview.text  # the nav, on every page
    listed = await client.get("/ui/experiments")
    assert listed.status_code == 200
    assert texts(listed.text, "data-experiment") == ["checkout-v2"]
    assert 'href="/ui/experiments/checkout-v2"' in listed.text
    endpoint = await client.get("/ui/endpoints/checkout")
    assert 'href="/ui/experiments/checkout-v2"' in endpoint.text
    page = await client.get("/ui/experiments/checkout-v2")
    assert page.status_code == 200
    # a draft shows the tuning its start will fix (issue 15 item 4)
    assert 'data-field="sequential_tuning"' in page.text
    assert "Always-valid test tuned to 10,000 units per variant" in page.text
    assert "not fixed yet" in page.text
    # an endpoint without an experiment links to none
    assert "data-experiment-link" not in (await client.get("/ui/endpoints/adder")).text


async def test_the_endpoint_page_charts_latency_over_the_window_its_data_fills(
    app: PasarelaAPI, client: AsyncClient
) -> None:
    await applied(client, MANIFESTS)
    for _ in range(6):
        await predict(client, "adder", inputs=[[1.0, 2.0]])
    await wait_for_records(TelemetryRepository(app.state.registry.engine), 6)
    view = (await client.get("/ui/data/endpoints/adder")).json()["endpoints"][0]
    chart, latency = view["chart"], view["latency_chart"]
    # a fresh endpoint: the chart spans its last few minutes, not an empty hour
    assert len(chart["x"]) == MIN_CHART_BUCKETS and latency["x"] == chart["x"]
    assert sum(chart["series"][0]["values"]) + sum(chart["series"][1]["values"]) == 6
    assert [s["label"] for s in latency["series"]] == ["p50", "p95", "p99"]
    served = [i for i, v in enumerate(latency["series"][0]["values"]) if v is not None]
    assert served and all(latency["series"][2]["values"][i] > 0 for i in served)
    for i in served:  # quantiles in order in every bucket that served
        p50, p95, p99 = (s["values"][i] for s in latency["series"])
        assert 0 < p50 <= p95 <= p99
    page = await client.get("/ui/endpoints/adder")
    assert "data-latency-chart" in page.text and "Latency per minute" in page.text
    # the overview keeps one chart per card
    assert (await client.get("/ui/data/overview")).json()["endpoints"][0]["latency_chart"] is None


async def test_the_incidents_breadcrumb_names_the_incidents(client: AsyncClient) -> None:
    page = await client.get("/ui/incidents")
    crumbs = re.search(r'<span class="crumbs">(.*?)</span>', page.text, re.S)
    assert crumbs is not None and crumbs.group(1).strip() == "Incidents"
