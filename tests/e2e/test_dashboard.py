"""The dashboard in a real browser: Debian's headless Chromium, driven by Playwright, against a
real ``pasarela serve`` that has answered predictions and received feedback."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
import pytest
from playwright.sync_api import Browser, ConsoleMessage, Dialog, Page, sync_playwright

from pasarela.control.apply import apply_specs
from pasarela.control.endpoints import put_endpoint
from pasarela.control.manifest import parse_manifests
from pasarela.control.workspace import open_registry
from pasarela.security.keys import KeyService
from pasarela.security.roles import ANONYMOUS
from pasarela.settings import Settings
from pasarela.storage.db import create_engine
from pasarela.storage.incidents import IncidentRepository
from pasarela.storage.keys import KeyRepository
from pasarela.types import Condition
from tests.conftest import Trained, row
from tests.e2e.conftest import (
    ACTOR,
    Server,
    pasarela_env,
    prepare_home,
    running_server,
    wait_for,
)

pytestmark = pytest.mark.e2e

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = Path(__file__).parents[1] / "artifacts"
STATS_TIMEOUT_S = 30.0
REFRESH_TIMEOUT_MS = 20_000  # the page refreshes every 5 s
FIRST_REQUESTS = 12
FEEDBACK = 10  # for the first ten: seven tasks completed, ratings 4,5,4,5,…
IDLE = "cancer-idle"
GUARDED = "cancer-guarded"


def predict(server: Server, trained: Trained, i: int) -> str:
    reply = httpx.post(
        f"{server.url}/v1/endpoints/cancer/predict", json={"inputs": [row(trained, i)]}, timeout=10
    )
    assert reply.status_code == 200, reply.text
    request_id: str = reply.json()["request_id"]
    return request_id


def stats(server: Server, endpoint: str = "cancer") -> dict[str, Any]:
    reply = httpx.get(f"{server.url}/admin/stats", params={"endpoint": endpoint}, timeout=10)
    assert reply.status_code == 200, reply.text
    body: dict[str, Any] = reply.json()
    return body


def wait_for_requests(server: Server, expected: int) -> dict[str, Any]:
    found = wait_for(
        lambda: stats(server),
        lambda s: (
            s["requests"] == expected
            and s["versions"][0]["feedback"].get("task_completed", {}).get("count") == FEEDBACK
        ),
        timeout_s=STATS_TIMEOUT_S,
    )
    assert found["requests"] == expected, found
    return found


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, trained: Trained) -> Iterator[Server]:
    """``cancer`` with FIRST_REQUESTS predictions and FEEDBACK feedback, and ``cancer-idle``
    with no traffic at all."""
    root = tmp_path_factory.mktemp("dashboard")
    home = root / "home"
    prepare_home(home, trained)
    registry = open_registry(Settings(home=home, database_url=None, artifacts_dir=None))
    try:
        put_endpoint(registry, IDLE, ["cancer@1"], actor=ACTOR)
        # a fallback chain: the page shows its breakers
        guarded = f"name: {GUARDED}\npolicy: {{type: single, target: cancer@1}}\n"
        guarded += "fallback: [{static: 0}]\n"
        apply_specs(registry, parse_manifests(guarded), actor=ACTOR)
    finally:
        registry.engine.dispose()
    with running_server(pasarela_env(home), root / "server.log") as running:
        ids = [predict(running, trained, i) for i in range(FIRST_REQUESTS)]
        labels = trained.frame["target"]
        feedback = [
            {
                "request_id": request_id,
                "label": int(labels.iloc[i]),
                "task_completed": i < 7,
                "rating": 4 + i % 2,
            }
            for i, request_id in enumerate(ids[:FEEDBACK])
        ]
        reply = httpx.post(f"{running.url}/v1/feedback", json=feedback, timeout=10)
        assert reply.status_code == 202, reply.text
        wait_for_requests(running, FIRST_REQUESTS)
        yield running


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.is_file():
        pytest.fail(f"{CHROMIUM} is missing: `make test` installs Debian's chromium")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture
def problems() -> list[str]:
    """Console errors and uncaught exceptions of the test's page."""
    return []


@pytest.fixture
def page(browser: Browser, problems: list[str]) -> Iterator[Page]:
    """A page in a fresh browser context, its console errors and exceptions in ``problems``."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    tab = context.new_page()

    def on_console(message: ConsoleMessage) -> None:
        if message.type == "error":
            problems.append(f"console: {message.text} at {message.location}")

    tab.on("console", on_console)
    tab.on("pageerror", lambda exc: problems.append(f"exception: {exc}"))
    yield tab
    context.close()


def screenshot(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"dashboard-{name}.png"
    path.unlink(missing_ok=True)
    page.screenshot(path=str(path), full_page=True)
    assert path.is_file() and path.stat().st_size > 1000
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def field(page: Page, endpoint: str, name: str) -> str:
    text = page.locator(f'[data-endpoint="{endpoint}"] [data-field="{name}"]').first.text_content()
    assert text is not None
    return text.strip()


def test_overview_shows_every_endpoint_with_the_stats(
    server: Server, page: Page, problems: list[str]
) -> None:
    expected = stats(server)
    reply = page.goto(f"{server.url}/ui")
    assert reply is not None and reply.status == 200
    assert page.title() == "Endpoints · pasarela"
    cards = page.locator("article[data-endpoint]")
    assert [cards.nth(i).get_attribute("data-endpoint") for i in range(cards.count())] == [
        "cancer",
        GUARDED,
        IDLE,
    ]
    assert field(page, "cancer", "requests") == str(expected["requests"]) == str(FIRST_REQUESTS)
    assert field(page, "cancer", "error_rate") == "0.0%"
    assert field(page, "cancer", "task_completed") == "70.0%"
    assert field(page, "cancer", "task_completed_n") == f"{FEEDBACK} reports"
    assert field(page, "cancer", "rating") == "4.50"
    accuracy = expected["versions"][0]["performance"]["classification"]["accuracy"]
    assert field(page, "cancer", "accuracy") == f"{accuracy * 100:.1f}%"
    assert re.fullmatch(r"\d+(\.\d+)? m?s", field(page, "cancer", "p99"))
    shares = page.locator('[data-endpoint="cancer"] [data-share-list]').inner_text()
    assert shares.strip() == "cancer@1 100.0%"
    assert field(page, IDLE, "requests") == "0"
    assert field(page, IDLE, "p50") == "—"
    # every card draws its chart
    page.wait_for_selector('[data-endpoint="cancer"] [data-chart] canvas')
    assert page.locator("[data-chart] canvas").count() >= 2
    screenshot(page, "overview")

    # the window toggle switches to the last day without a reload
    page.evaluate("window.stillTheSamePage = true")
    page.get_by_role("link", name="last 24 hours").click()
    page.wait_for_function(
        # a function, not an expression: the page's CSP (no 'unsafe-eval') refuses those
        "() => document.querySelector('[data-field=chart_title]').textContent.includes('per hour')"
    )
    assert page.url.endswith("?window=24h")
    assert page.evaluate("window.stillTheSamePage") is True
    assert field(page, "cancer", "window") == "last 24 hours"
    assert field(page, "cancer", "requests") == str(stats(server)["requests"])
    assert problems == []


def test_endpoint_page_shows_the_versions_and_feedback(
    server: Server, page: Page, problems: list[str]
) -> None:
    expected = stats(server)["versions"][0]
    reply = page.goto(f"{server.url}/ui/endpoints/cancer")
    assert reply is not None and reply.status == 200
    assert page.locator("h1").first.inner_text().startswith("cancer")
    cells = page.locator('tr[data-version="cancer@1"] td').all_inner_texts()
    accuracy = expected["performance"]["classification"]["accuracy"]
    assert cells[:5] == ["cancer@1", str(expected["requests"]), "100.0%", "0", "0.0%"]
    assert cells[8:10] == [f"70.0% (n={FEEDBACK})", f"4.50 (n={FEEDBACK})"]
    assert cells[10].startswith(f"accuracy {accuracy * 100:.1f}%, F1 ")
    assert cells[10].endswith(f"(n={FEEDBACK})")
    assert field(page, "cancer", "task_completed") == "70.0%"
    page.wait_for_selector("[data-chart] canvas")
    legend = page.locator("[data-chart] .u-legend").inner_text()
    assert "cancer@1" in legend and "errors" in legend
    screenshot(page, "endpoint")
    assert problems == []


def test_overview_refreshes_by_itself(
    server: Server, trained: Trained, page: Page, problems: list[str]
) -> None:
    page.goto(f"{server.url}/ui")
    before = int(field(page, "cancer", "requests"))
    page.evaluate("window.stillTheSamePage = true")
    for i in range(5):
        predict(server, trained, 100 + i)
    after = wait_for_requests(server, before + 5)["requests"]
    started = time.monotonic()
    page.wait_for_function(
        """expected => document.querySelector(
            '[data-endpoint="cancer"] [data-field="requests"]').textContent === expected""",
        arg=str(after),
        timeout=REFRESH_TIMEOUT_MS,
    )
    assert time.monotonic() - started < REFRESH_TIMEOUT_MS / 1000
    assert page.evaluate("window.stillTheSamePage") is True  # updated in place, not reloaded
    assert "updated" in page.locator("[data-refresh-status]").inner_text()
    assert problems == []


def test_an_endpoint_with_a_fallback_chain_shows_its_breakers(
    server: Server, trained: Trained, page: Page, problems: list[str]
) -> None:
    reply = httpx.post(
        f"{server.url}/v1/endpoints/{GUARDED}/predict", json={"inputs": [row(trained)]}
    )
    assert reply.status_code == 200, reply.text
    page.goto(f"{server.url}/ui/endpoints/{GUARDED}")
    cells = page.locator('tr[data-breaker="cancer@1"] td').all_inner_texts()
    assert cells[:3] == ["cancer@1", "policy", "closed"]
    assert cells[3].startswith("0 failed of ")
    # refreshed in place like the rest of the page
    page.wait_for_function(
        """() => document.querySelector('tr[data-breaker="cancer@1"] td:nth-child(4)')
            .textContent.startsWith('0 failed of ')""",
        timeout=REFRESH_TIMEOUT_MS,
    )
    assert problems == []


def test_unknown_endpoint_is_an_html_404(server: Server, page: Page) -> None:
    name = "<img src=x onerror=alert(1)>"
    dialogs: list[str] = []

    def on_dialog(dialog: Dialog) -> None:
        dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", on_dialog)
    reply = page.goto(f"{server.url}/ui/endpoints/{quote(name, safe='')}")
    assert reply is not None and reply.status == 404
    assert reply.headers["content-type"].startswith("text/html")
    assert page.locator("h1").inner_text() == "Endpoint not found"
    # the name from the URL is shown as text, not markup
    assert f"No endpoint named '{name}' is being served." in page.inner_text("main")
    assert page.locator("main img").count() == 0
    screenshot(page, "not-found")
    assert dialogs == []


def test_the_incidents_pages_list_them_and_tell_each_ones_story(
    server: Server, page: Page, problems: list[str]
) -> None:
    # Incidents as the watch writes them (the watch itself is tested through the app): one
    # that opened and closed two minutes ago, one open now.
    engine = create_engine(Settings(home=server.log_path.parent / "home").resolved_database_url)
    repo = IncidentRepository(engine)
    now = datetime.now(UTC)
    gone = Condition(f"endpoint:{IDLE}", "fallback_missing", "P3", "a fallback version is gone")
    repo.observe([gone], now - timedelta(seconds=120), clear_s=60)
    repo.observe([], now - timedelta(seconds=50), clear_s=60)
    down = Condition(f"endpoint:{GUARDED}", "errors", "P0", "down: 40 of 40 requests failed")
    (opened,) = repo.observe([down], now, clear_s=60)
    engine.dispose()
    incident_id = opened.incident["id"]

    reply = page.goto(f"{server.url}/ui")
    assert reply is not None and reply.status == 200
    page.click('a[data-nav="incidents"]')  # every page links to the incidents
    page.wait_for_url(f"{server.url}/ui/incidents")
    assert page.locator(".crumbs").inner_text().strip() == "Incidents"
    row_of = page.locator(f'[data-open] tr[data-incident="{incident_id}"] td')
    cells = row_of.all_inner_texts()
    assert cells[:3] == [str(incident_id), "P0", f"{GUARDED}: down: 40 of 40 requests failed"]
    closed = page.locator("[data-closed] tr").all_inner_texts()
    assert any(f"{IDLE}: a fallback version is gone" in text for text in closed)
    screenshot(page, "incidents")

    page.click(f'[data-open] tr[data-incident="{incident_id}"] a')
    page.wait_for_url(f"{server.url}/ui/incidents/{incident_id}")
    assert page.locator('[data-field="severity"]').inner_text() == "P0"
    assert page.locator('[data-field="status"]').inner_text().lower() == "open"
    assert "down: 40 of 40 requests failed" in page.locator("[data-conditions]").inner_text()
    kinds = page.locator("[data-timeline] tr td:nth-child(2)").all_inner_texts()
    assert kinds[:2] == ["opened", "seen"]
    screenshot(page, "incident")
    assert problems == []

    missing = page.goto(f"{server.url}/ui/incidents/9999")
    assert missing is not None and missing.status == 404
    assert page.locator("h1").inner_text() == "Incident not found"


CANARY = """\
kind: Endpoint
name: cancer-canary
policy:
  type: canary
  baseline: cancer@1
  candidate: cancer@2
  steps: [10, 100]
  interval: 1s
  min_requests: 30
"""


@dataclass
class Secured:
    """A server whose dashboard needs signing in, with a canary the judge holds (no traffic)."""

    server: Server
    admin_key: str


@pytest.fixture(scope="module")
def secured(tmp_path_factory: pytest.TempPathFactory, trained: Trained) -> Iterator[Secured]:
    root = tmp_path_factory.mktemp("dashboard-secured")
    home = root / "home"
    prepare_home(home, trained)
    registry = open_registry(Settings(home=home, database_url=None, artifacts_dir=None))
    try:
        registry.register_estimator(
            "cancer", trained.model, train_data=trained.frame, target="target", actor=ACTOR
        )
        apply_specs(registry, parse_manifests(CANARY), actor=ACTOR)
        _, secret = KeyService(KeyRepository(registry.engine)).create(
            name="dashboard", role="admin", by=ANONYMOUS
        )
    finally:
        registry.engine.dispose()
    with running_server(pasarela_env(home), root / "server.log") as running:
        auth = {"Authorization": f"Bearer {secret}"}

        def rollout() -> dict[str, Any]:
            url = f"{running.url}/admin/endpoints/cancer-canary/rollout"
            body: dict[str, Any] = httpx.get(url, headers=auth, timeout=10).json()
            return body

        # the judge looks every second; wait for its first verdict (a hold: no traffic)
        wait_for(rollout, lambda r: any(e["kind"] == "hold" for e in r["history"]), timeout_s=60)
        yield Secured(running, secret)


def test_sign_in_rollout_page_and_sign_out_in_a_browser(
    secured: Secured, page: Page, problems: list[str]
) -> None:
    url = secured.server.url
    # signed out: every page sends the browser to the login form, remembering where it went
    reply = page.goto(f"{url}/ui/endpoints/cancer-canary")
    assert reply is not None and reply.status == 200
    assert page.url.startswith(f"{url}/ui/login?next=")
    assert page.title() == "Sign in · pasarela"
    assert reply.headers["x-frame-options"] == "DENY"
    assert "script-src 'self'" in reply.headers["content-security-policy"]
    screenshot(page, "login")
    page.fill('input[name="key"]', secured.admin_key[:-4] + "AAAA")
    page.click('button[type="submit"]')
    assert page.locator("[data-problem]").inner_text() == "the API key is not valid"
    problems.clear()  # the browser logs that 401 as a failed resource: it is the point here
    page.fill('input[name="key"]', secured.admin_key)
    page.click('button[type="submit"]')
    page.wait_for_url(f"{url}/ui/endpoints/cancer-canary")

    # the browser holds a session id the page's scripts cannot read, never the key
    (cookie,) = [c for c in page.context.cookies() if c["name"] == "pasarela_session"]
    assert cookie["httpOnly"] is True and cookie["sameSite"] == "Strict"
    assert secured.admin_key.split(".")[1] not in cookie["value"]
    assert page.evaluate("() => document.cookie") == ""

    # the endpoint page charts latency; its rollout page shows each verdict with its numbers
    page.wait_for_selector("[data-latency-chart] canvas")
    page.click("[data-rollout-link]")
    page.wait_for_url(f"{url}/ui/endpoints/cancer-canary/rollout")
    assert page.locator('[data-field="phase"]').inner_text() == "progressing"
    assert page.locator('[data-field="weight"]').inner_text() == "10 %"
    first = page.locator("[data-verdict]").first
    assert first.get_attribute("data-action") == "hold"
    traffic = first.locator('tr[data-check="traffic"] td').all_inner_texts()
    assert traffic[:5] == ["traffic", "wait", "0", "0", "30"]
    assert page.locator("[data-history] tr[data-kind=hold]").count() >= 1
    screenshot(page, "rollout")

    # the footer's API link works for the signed-in browser
    assert page.request.get(f"{url}/docs").status == 200
    assert page.request.get(f"{url}/openapi.json").status == 200

    # signing out ends the session: the pages send the browser to the form again
    page.click("[data-sign-out]")
    page.wait_for_url(f"{url}/ui/login")
    assert [c for c in page.context.cookies() if c["name"] == "pasarela_session"] == []
    page.goto(f"{url}/ui")
    assert page.url.startswith(f"{url}/ui/login?next=")
    assert page.request.get(f"{url}/openapi.json").status == 401
    assert problems == []  # no console error: nothing the CSP refused


def test_a_served_dashboard_believes_no_forwarded_headers_from_untrusted_peers(
    secured: Secured,
) -> None:
    """``pasarela serve`` without PASARELA_TRUSTED_PROXIES: a caller on 127.0.0.1 claiming TLS
    through ``X-Forwarded-Proto`` gets no ``Secure`` cookie (uvicorn alone would believe it)."""
    reply = httpx.post(
        f"{secured.server.url}/ui/login",
        data={"key": secured.admin_key, "next": "/ui"},
        headers={"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.9"},
        timeout=10,
    )
    assert reply.status_code == 303
    (cookie,) = [c for c in reply.headers.get_list("set-cookie") if "pasarela_session=" in c]
    assert "secure" not in cookie.lower()
