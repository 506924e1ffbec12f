"""Who hears about incidents: notifiers, pluggable through the ``pasarela.notifiers`` entry
point group. Built in: ``log`` (a log line per change) and ``webhook`` (a signed JSON POST).

A notifier is a class built with the settings, with an async ``notify(event, incident)`` that
returns a short outcome for the incident's timeline or raises when it could not deliver.

The webhook signs what it sends the way Stripe and Slack do, so a receiver can tell it came
from this install and is fresh: ``X-Pasarela-Signature: sha256=<hex>`` is the HMAC-SHA256,
keyed with ``PASARELA_INCIDENT_WEBHOOK_SECRET``, of ``<X-Pasarela-Timestamp>.<body>``;
``verify_signature`` is the receiver's check. Deliveries that fail for a reason that may pass
(no connection, 429, 5xx) are tried again after a jittered, exponentially growing wait.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import logging
import random
import time
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Protocol

import orjson

from pasarela.plugins import PluginRegistry
from pasarela.retry import RetryPolicy
from pasarela.settings import Settings

if TYPE_CHECKING:
    import httpx

__all__ = [
    "LogNotifier",
    "Notifier",
    "WebhookNotifier",
    "build_notifiers",
    "notifiers",
    "sign",
    "verify_signature",
]

log = logging.getLogger(__name__)


class Notifier(Protocol):
    name: str

    async def notify(self, event: str, incident: Mapping[str, Any]) -> str: ...


notifiers = PluginRegistry(
    "pasarela.notifiers",
    {
        "log": "pasarela.telemetry.notifiers:LogNotifier",
        "webhook": "pasarela.telemetry.notifiers:WebhookNotifier",
    },
)


def build_notifiers(settings: Settings) -> list[Notifier]:
    """The notifiers ``settings.incident_notifiers`` names (``webhook`` joins by itself when
    ``incident_webhook_url`` is set)."""
    names = list(dict.fromkeys(settings.incident_notifiers))
    if settings.incident_webhook_url and "webhook" not in names:
        names.append("webhook")
    return [notifiers.get(name)(settings) for name in names]


class LogNotifier:
    """A log line per change: WARNING when an incident opens or escalates, INFO when it closes."""

    name = "log"

    def __init__(self, settings: Settings | None = None) -> None:
        del settings

    async def notify(self, event: str, incident: Mapping[str, Any]) -> str:
        level = logging.INFO if event == "closed" else logging.WARNING
        log.log(
            level,
            "incident #%s %s [%s] %s",
            incident["id"],
            event,
            incident["severity"],
            incident["title"],
        )
        return "logged"


def sign(secret: bytes, timestamp: str, body: bytes) -> str:
    """The ``X-Pasarela-Signature`` value of ``body`` sent at ``timestamp``."""
    digest = hmac.new(secret, timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


def verify_signature(
    secret: bytes,
    timestamp: str,
    body: bytes,
    signature: str,
    *,
    tolerance_s: float = 300,
    now: float | None = None,
) -> bool:
    """A receiver's check: the signature matches and the timestamp is recent (a replayed
    delivery is refused after ``tolerance_s``).

    >>> sent = sign(b"k", "1700000000", b"{}")
    >>> verify_signature(b"k", "1700000000", b"{}", sent, now=1700000010)
    True
    """
    try:
        age = (time.time() if now is None else now) - int(timestamp)
    except ValueError:
        return False
    if abs(age) > tolerance_s:
        return False
    return hmac.compare_digest(sign(secret, timestamp, body), signature)


class WebhookNotifier:
    """POSTs ``{"event": "incident.opened", "incident": {…}, "sent_at": …}`` to
    ``incident_webhook_url``, signed when ``incident_webhook_secret`` is set."""

    name = "webhook"
    ATTEMPTS = 4
    BASE_S = 0.5
    MAX_S = 8.0

    def __init__(
        self,
        settings: Settings,
        transport: httpx.AsyncBaseTransport | None = None,
        rng: random.Random | None = None,
    ) -> None:
        if not settings.incident_webhook_url:
            raise ValueError("the webhook notifier needs PASARELA_INCIDENT_WEBHOOK_URL")
        self.url = settings.incident_webhook_url
        secret = settings.incident_webhook_secret
        self._secret = secret.get_secret_value().encode() if secret is not None else None
        self._transport = transport
        self._rng = rng or random.Random()

    async def notify(self, event: str, incident: Mapping[str, Any]) -> str:
        import httpx  # with its CLI's dependencies: loaded by the first webhook sent

        body = orjson.dumps(
            {"event": f"incident.{event}", "incident": incident, "sent_at": time.time()}
        )
        timestamp = str(int(time.time()))
        headers = {
            "content-type": "application/json",
            "user-agent": "pasarela-incidents",
            "x-pasarela-event": f"incident.{event}",
            "x-pasarela-timestamp": timestamp,
        }
        if self._secret is not None:
            headers["x-pasarela-signature"] = sign(self._secret, timestamp, body)
        problem = ""
        # Full jitter: receivers that came back are not hit by every sender at once.
        waits = RetryPolicy(self.ATTEMPTS - 1, self.BASE_S, self.MAX_S).delays(self._rng)
        async with httpx.AsyncClient(timeout=5.0, transport=self._transport) as client:
            for wait_s in [0.0, *waits]:
                await asyncio.sleep(wait_s)
                try:
                    reply = await client.post(self.url, content=body, headers=headers)
                except httpx.HTTPError as exc:
                    problem = type(exc).__name__
                    continue
                if reply.is_success:
                    return f"webhook answered {reply.status_code}"
                problem = f"HTTP {reply.status_code}"
                if reply.status_code != 429 and reply.status_code < 500:
                    break  # the receiver refuses it: sending it again would not help
        # The URL may hold a token: name the host only.
        host = httpx.URL(self.url).host
        raise RuntimeError(f"webhook to {host} failed: {problem}")
