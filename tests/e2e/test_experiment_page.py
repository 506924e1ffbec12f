"""The experiment page in a real browser: a real ``pasarela serve`` running an experiment whose
treatment completes twice as many tasks as its control, seen in headless Chromium."""

from __future__ import annotations

import random
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from playwright.sync_api import Page, sync_playwright

from tests.e2e.conftest import Server, pasarela_env, row_sums_home, running_server, wait_for
from tests.e2e.test_dashboard import CHROMIUM, CHROMIUM_ARGS

pytestmark = pytest.mark.e2e

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
  mde: 0.2
  baseline: 0.3
"""
UNITS = 300
RATES = {"variant:control": 0.3, "variant:treatment": 0.7}


def report(server: Server) -> dict[str, Any]:
    reply = httpx.get(f"{server.url}/admin/experiments/checkout-v2/report", timeout=10)
    assert reply.status_code == 200, reply.text
    body: dict[str, Any] = reply.json()
    return body


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """``checkout-v2`` applied, started, and UNITS units with feedback at RATES, all stored."""
    root = tmp_path_factory.mktemp("experiment")
    home = row_sums_home(root / "home", 2)
    with running_server(pasarela_env(home), root / "server.log") as running:
        with httpx.Client(base_url=running.url, timeout=10) as client:
            applied = client.post(
                "/admin/apply",
                content=EXPERIMENT.encode(),
                headers={"content-type": "application/yaml"},
            )
            assert applied.status_code == 200, applied.text
            started = client.post("/admin/experiments/checkout-v2/start")
            assert started.status_code == 200, started.text
            rng = random.Random(11)
            feedback = []
            for i in range(UNITS):
                reply = client.post(
                    "/v1/endpoints/checkout/predict",
                    json={"inputs": [[1.0, 2.0]]},
                    headers={"X-Unit-Id": f"user-{i}"},
                )
                assert reply.status_code == 200, reply.text
                body = reply.json()
                completed = rng.random() < RATES[body["reason"]]
                feedback.append({"request_id": body["request_id"], "task_completed": completed})
            sent = client.post("/v1/feedback", json=feedback)
            assert sent.status_code == 202, sent.text
        stored = wait_for(
            lambda: report(running),
            # records and feedback reach the database in separate batches: wait for both
            lambda r: (
                sum(v["metrics"]["task_completed"]["n"] for v in r["variants"]) == UNITS
                and sum(v["units"] for v in r["variants"]) == UNITS
            ),
            timeout_s=30,
        )
        assert sum(v["units"] for v in stored["variants"]) == UNITS, stored
        yield running


@pytest.fixture
def page() -> Iterator[tuple[Page, list[str]]]:
    """A fresh Chromium page and its console errors and uncaught exceptions."""
    if not CHROMIUM.is_file():
        pytest.fail(f"{CHROMIUM} is missing: `make test` installs Debian's chromium")
    problems: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        tab = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
        tab.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
        tab.on("pageerror", lambda exc: problems.append(f"exception: {exc}"))
        yield tab, problems
        browser.close()


def test_experiment_page_shows_the_report_and_the_effect_chart(
    server: Server, page: tuple[Page, list[str]]
) -> None:
    tab, problems = page
    expected = report(server)
    reply = tab.goto(f"{server.url}/ui/experiments/checkout-v2")
    assert reply is not None and reply.status == 200
    assert tab.title() == "checkout-v2 · pasarela"
    assert tab.locator("h1").inner_text().startswith("checkout-v2")
    assert tab.locator('[data-field="phase"]').text_content() == "running"
    assert tab.locator('[data-field="hypothesis"]').inner_text() == "v2 completes more checkouts"

    conclusions = tab.locator("[data-conclusions] li").all_inner_texts()
    assert conclusions == expected["conclusions"]
    assert conclusions[0].startswith("treatment is better than the control on task_completed")

    for variant in expected["variants"]:
        cells = tab.locator(f'tr[data-variant="{variant["name"]}"] td').all_inner_texts()
        mean = variant["metrics"]["task_completed"]
        assert cells == [
            variant["name"],
            variant["target"],
            "50",
            f"{variant['units']:,}",
            f"{variant['requests']:,}",
            "0",
            f"{mean['mean'] * 100:.1f}% (n={mean['n']:,})",
        ]
    assert (
        tab.locator('[data-field="sample_ratio"]')
        .inner_text()
        .startswith("Sample ratio check passed: units ")
    )

    # the chart: drawn from up to 12 cumulative windows, the band away from zero at the end
    tab.wait_for_selector("[data-effect-chart] canvas")
    # a function, not an expression: the page's CSP (no 'unsafe-eval') refuses those
    tab.wait_for_function(
        "() => document.querySelector('[data-effect-chart]').dataset.points === '12'"
    )
    legend = tab.locator("[data-effect-chart] .u-legend").inner_text()
    assert "treatment effect" in legend
    chart = httpx.get(f"{server.url}/ui/data/experiments/checkout-v2", timeout=30).json()["chart"]
    (treatment,) = chart["series"]
    assert len(chart["x"]) == 12 and chart["x"] == sorted(chart["x"])
    assert treatment["effect"][-1] > 0.2 and treatment["lower"][-1] > 0
    assert treatment["lower"][-1] < treatment["effect"][-1] < treatment["upper"][-1]
    drawn = tab.evaluate(
        """() => {
            const canvas = document.querySelector('[data-effect-chart] canvas');
            const pixels = canvas.getContext('2d')
                .getImageData(0, 0, canvas.width, canvas.height).data;
            let inked = 0;
            for (let i = 3; i < pixels.length; i += 4) if (pixels[i] > 0) inked++;
            return inked;
        }"""
    )
    assert drawn > 1000  # lines and a band, not an empty plot
    assert problems == []


def test_unknown_experiment_is_an_html_404(server: Server, page: tuple[Page, list[str]]) -> None:
    tab, _ = page
    reply = tab.goto(f"{server.url}/ui/experiments/ghost")
    assert reply is not None and reply.status == 404
    assert reply.headers["content-type"].startswith("text/html")
    assert tab.locator("h1").inner_text() == "Experiment not found"
    assert "There is no experiment 'ghost'." in tab.inner_text("main")
    data = httpx.get(f"{server.url}/ui/data/experiments/ghost", timeout=10)
    assert data.status_code == 404
    assert data.json()["error"]["code"] == "experiment_not_found"
