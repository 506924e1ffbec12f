"""Incidents without a server: how one incident's conditions evolve, an endpoint's rolling
counts, failed canaries as conditions, and the notifiers (a real HTTP receiver for the
webhook)."""

from __future__ import annotations

import logging
import random

import orjson
import pytest
from pydantic import SecretStr

from pasarela.errors import ConfigurationError
from pasarela.serving.health import EndpointHealth
from pasarela.settings import Settings
from pasarela.storage.incidents import merge, title_of, worst
from pasarela.telemetry.incidents import canary_conditions
from pasarela.telemetry.notifiers import (
    LogNotifier,
    WebhookNotifier,
    build_notifiers,
    sign,
    verify_signature,
)
from pasarela.types import Condition
from tests.unit.conftest import ManualClock
from tests.webhook_receiver import webhook_receiver

pytestmark = pytest.mark.anyio

BREAKER = Condition("endpoint:a", "breaker:a@1", "P1", "breaker of a@1 open")
ERRORS = Condition("endpoint:a", "errors", "P1", "error rate 12% is above the objective")
DOWN = Condition("endpoint:a", "errors", "P0", "down: 40 of 40 requests failed")


def test_conditions_are_held_refreshed_and_cleared_when_nobody_sees_them() -> None:
    held, events = merge({}, [BREAKER, ERRORS], now=100, clear_s=30)
    assert set(held) == {"breaker:a@1", "errors"}
    assert events == [("seen", "P1 breaker of a@1 open"), ("seen", f"P1 {ERRORS.summary}")]

    # seen again: refreshed, nothing to say; the error rate worsens to P0: said once
    held, events = merge(held, [BREAKER, DOWN], now=110, clear_s=30)
    assert events == [("seen", f"now P0: {DOWN.summary}")]
    assert held["errors"]["first_seen"] == 100 and held["errors"]["last_seen"] == 110
    assert worst(held) == "P0"
    assert title_of("endpoint:a", held) == f"a: {DOWN.summary}"

    # another server reports nothing for this group: it keeps what it holds until clear_s
    held, events = merge(held, [], now=139, clear_s=30)
    assert events == [] and set(held) == {"breaker:a@1", "errors"}
    held, events = merge(held, [BREAKER], now=141, clear_s=30)
    assert set(held) == {"breaker:a@1"}
    assert events == [("cleared", f"{DOWN.summary} (not seen for 30 s)")]
    assert worst(held) == "P1"
    assert worst({}) is None


def test_endpoint_health_counts_a_rolling_window(clock: ManualClock) -> None:
    health = EndpointHealth(window_s=10, clock=clock)
    for _ in range(3):
        health.answered(by_fallback=False)
    health.answered(by_fallback=True)
    health.failed()
    assert health.counts() == (4, 1, 1)
    clock.now = 5
    health.failed()
    assert health.counts() == (4, 1, 2)
    clock.now = 10.5  # the first second left the window, the sixth did not
    assert health.counts() == (0, 0, 1)
    clock.now = 100
    assert health.counts() == (0, 0, 0)


def test_a_rolled_back_canary_is_a_p2_for_its_hold() -> None:
    states = {
        "churn": {"phase": "rolled_back", "ended_at": 1000.0, "reason": "errors 8% > 1%"},
        "older": {"phase": "rolled_back", "ended_at": 10.0, "reason": "latency"},
        "fine": {"phase": "promoted", "ended_at": 1000.0},
        "going": {"phase": "progressing", "weight": 10},
    }
    found = canary_conditions(states, now=1100, hold_s=900)
    assert found == [
        Condition("endpoint:churn", "canary", "P2", "canary rolled back: errors 8% > 1%")
    ]


def test_signatures_verify_and_refuse_tampering_and_replays() -> None:
    body = orjson.dumps({"event": "incident.opened"})
    signature = sign(b"secret", "1700000000", body)
    assert signature.startswith("sha256=")
    assert verify_signature(b"secret", "1700000000", body, signature, now=1700000100)
    assert not verify_signature(b"other", "1700000000", body, signature, now=1700000100)
    assert not verify_signature(b"secret", "1700000000", body + b" ", signature, now=1700000100)
    assert not verify_signature(b"secret", "1700000001", body, signature, now=1700000100)
    assert not verify_signature(b"secret", "1700000000", body, signature, now=1700001000)
    assert not verify_signature(b"secret", "soon", body, signature)


INCIDENT = {"id": 7, "severity": "P1", "title": "a: breaker of a@1 open", "status": "open"}


def fast(notifier: WebhookNotifier) -> WebhookNotifier:
    notifier.BASE_S = 0.01  # the backoff's shape, not its length, is under test
    return notifier


async def test_the_webhook_is_signed_and_retried_while_the_receiver_fails() -> None:
    with webhook_receiver([503, 502]) as receiver:
        settings = Settings(
            incident_webhook_url=receiver.url, incident_webhook_secret=SecretStr("k")
        )
        notifier = fast(WebhookNotifier(settings, rng=random.Random(1)))
        outcome = await notifier.notify("opened", INCIDENT)
    assert outcome == "webhook answered 200"
    assert len(receiver.received) == 3  # two failures, then delivered
    delivery = receiver.received[-1]
    assert delivery.path == "/hooks/incidents?token=s3cr3t"
    assert delivery.headers["x-pasarela-event"] == "incident.opened"
    payload = orjson.loads(delivery.body)
    assert payload["event"] == "incident.opened" and payload["incident"] == INCIDENT
    assert verify_signature(
        b"k",
        delivery.headers["x-pasarela-timestamp"],
        delivery.body,
        delivery.headers["x-pasarela-signature"],
    )


async def test_a_refusing_receiver_is_not_retried_and_the_url_stays_private() -> None:
    with webhook_receiver([400]) as receiver:
        notifier = fast(WebhookNotifier(Settings(incident_webhook_url=receiver.url)))
        with pytest.raises(RuntimeError) as failure:
            await notifier.notify("closed", INCIDENT)
    assert len(receiver.received) == 1
    assert "x-pasarela-signature" not in receiver.received[0].headers  # no secret, no signature
    assert str(failure.value) == "webhook to 127.0.0.1 failed: HTTP 400"
    assert "s3cr3t" not in str(failure.value)


async def test_an_unreachable_receiver_fails_after_its_attempts() -> None:
    with webhook_receiver() as receiver:
        url = receiver.url
    notifier = fast(WebhookNotifier(Settings(incident_webhook_url=url)))
    with pytest.raises(RuntimeError, match="ConnectError"):
        await notifier.notify("opened", INCIDENT)


async def test_the_log_notifier_warns_of_openings(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO, logger="pasarela.telemetry.notifiers"):
        assert await LogNotifier().notify("opened", INCIDENT) == "logged"
        await LogNotifier().notify("closed", INCIDENT)
    levels = [(r.levelno, r.getMessage()) for r in caplog.records]
    assert levels == [
        (logging.WARNING, "incident #7 opened [P1] a: breaker of a@1 open"),
        (logging.INFO, "incident #7 closed [P1] a: breaker of a@1 open"),
    ]


def test_notifiers_come_from_settings() -> None:
    assert [n.name for n in build_notifiers(Settings())] == ["log"]
    with_hook = Settings(incident_webhook_url="http://127.0.0.1:9/x")
    assert [n.name for n in build_notifiers(with_hook)] == ["log", "webhook"]
    with pytest.raises(ConfigurationError, match="unknown notifiers kind 'pager'"):
        build_notifiers(Settings(incident_notifiers=["pager"]))
