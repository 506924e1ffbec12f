"""Chaos on a real ``pasarela serve`` under steady load: its primary model hangs, then fails,
then recovers, while client threads keep calling. Each test states what the clients saw.

The model is ``SwitchableModel``; flipping its mode file changes the running server's model
(see ``pasarela.testing``). The endpoint declares a fallback chain and a breaker."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import orjson
import pytest

from pasarela.control.apply import apply_specs
from pasarela.control.manifest import parse_manifests
from pasarela.control.workspace import open_registry
from pasarela.settings import Settings
from pasarela.telemetry.notifiers import verify_signature
from tests.chaos.client_load import Load, steady_load
from tests.e2e.conftest import ACTOR, Server, pasarela_env, running_server, wait_for
from tests.webhook_receiver import WebhookReceiver, webhook_receiver

pytestmark = pytest.mark.e2e

HOOK_SECRET = "chaos-hook-secret"

MANIFEST = """\
name: scores
policy: {type: single, target: primary@1}
timeout_s: 3
attempt_timeout_s: 0.3
breaker: {consecutive_failures: 3, open_s: 1, probes: 2}
fallback: [backup@1]
"""


@pytest.fixture
def receiver() -> Iterator[WebhookReceiver]:
    """Where the server's incident webhook delivers."""
    with webhook_receiver() as found:
        yield found


@pytest.fixture
def server(tmp_path: Path, receiver: WebhookReceiver) -> Iterator[tuple[Server, Path]]:
    home = tmp_path / "home"
    mode = tmp_path / "mode"
    mode.write_text("ok")
    registry = open_registry(Settings(home=home, database_url=None, artifacts_dir=None))
    try:
        registry.register("primary", entrypoint="pasarela.testing:SwitchableModel", actor=ACTOR)
        registry.register("backup", entrypoint="pasarela.testing:row_sums", actor=ACTOR)
        apply_specs(registry, parse_manifests(MANIFEST), actor=ACTOR)
    finally:
        registry.engine.dispose()
    env = pasarela_env(
        home,
        PASARELA_TEST_MODE_FILE=str(mode),
        PASARELA_INCIDENT_POLL_S="0.2",
        PASARELA_INCIDENT_CLEAR_S="2",
        PASARELA_INCIDENT_WINDOW_S="2",
        PASARELA_INCIDENT_WEBHOOK_URL=receiver.url,
        PASARELA_INCIDENT_WEBHOOK_SECRET=HOOK_SECRET,
    )
    with running_server(env, tmp_path / "server.log") as running:
        yield running, mode


@pytest.fixture
def load(server: tuple[Server, Path]) -> Iterator[Load]:
    running, _ = server
    with steady_load(f"{running.url}/v1/endpoints/scores/predict") as load:
        yield load


def test_a_primary_that_hangs_then_recovers_costs_the_clients_nothing(
    server: tuple[Server, Path], load: Load
) -> None:
    _, mode = server
    wait_for(lambda: len(load.calls), lambda n: n >= 20)
    mode.write_text("hang:2")
    hung = time.monotonic()
    wait_for(lambda: load.after(hung), lambda s: sum(c.served_by == "fallback:1" for c in s) >= 30)
    first = min(c.ended for c in load.after(hung) if c.served_by == "fallback:1")
    print(f"first fallback answer {first - hung:.2f} s after the primary hung")
    mode.write_text("ok")
    healed = time.monotonic()
    # the breaker lets probes through after open_s, they succeed, traffic comes back
    wait_for(lambda: load.after(healed), lambda s: sum(c.served_by == "primary" for c in s) >= 20)
    load.stop.set()
    statuses = Counter(c.status for c in load.calls)
    assert set(statuses) == {200}, statuses  # not one failed client request
    assert any(c.served_by == "fallback:1" for c in load.after(hung))


def incidents(server: Server, status: str) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = httpx.get(
        f"{server.url}/admin/incidents", params={"status": status}
    ).json()
    return found


def test_a_primary_that_fails_is_taken_out_and_put_back(
    server: tuple[Server, Path], load: Load, receiver: WebhookReceiver
) -> None:
    """What the clients saw: only answers. What the on-call saw: an incident (P1, the breaker
    open and the fallback answering) announced by a signed webhook, closed by itself once the
    primary was back."""
    running, mode = server
    wait_for(lambda: len(load.calls), lambda n: n >= 20)
    mode.write_text("fail")
    failing = time.monotonic()
    wait_for(
        lambda: load.after(failing), lambda s: sum(c.served_by == "fallback:1" for c in s) >= 40
    )
    breakers = httpx.get(f"{running.url}/admin/breakers?endpoint=scores").json()
    assert breakers[0]["model"] == "primary" and breakers[0]["state"] in ("open", "half_open")
    (incident,) = wait_for(lambda: incidents(running, "open"), lambda found: len(found) == 1)
    print(f"incident opened {time.monotonic() - failing:.2f} s after the primary failed")
    assert (incident["endpoint"], incident["severity"]) == ("scores", "P1")
    assert {c["key"] for c in incident["conditions"]} >= {"breaker:primary@1", "fallbacks"}
    mode.write_text("ok")
    healed = time.monotonic()
    wait_for(lambda: load.after(healed), lambda s: sum(c.served_by == "primary" for c in s) >= 20)
    load.stop.set()
    statuses = Counter(c.status for c in load.calls)
    assert set(statuses) == {200}, statuses
    state = httpx.get(f"{running.url}/admin/breakers?endpoint=scores").json()[0]["state"]
    assert state == "closed"

    closed = wait_for(lambda: incidents(running, "closed"), lambda found: len(found) == 1)
    assert closed[0]["id"] == incident["id"] and incidents(running, "open") == []
    print(f"incident closed {time.monotonic() - healed:.2f} s after the primary recovered")
    wait_for(lambda: len(receiver.received), lambda n: n >= 2)
    sent = [orjson.loads(d.body) for d in receiver.received]
    assert [s["event"] for s in sent] == ["incident.opened", "incident.closed"]
    assert all(s["incident"]["id"] == incident["id"] for s in sent)
    for delivery in receiver.received:
        assert verify_signature(
            HOOK_SECRET.encode(),
            delivery.headers["x-pasarela-timestamp"],
            delivery.body,
            delivery.headers["x-pasarela-signature"],
        )
