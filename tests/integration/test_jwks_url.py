"""Bearer tokens verified with the keys of a JWKS URL, served by a real HTTP server whose keys
the tests rotate: the background refresh, the early fetch a new ``kid`` asks for (rate-limited),
failures that keep the old keys, and a URL unreachable at start."""

from __future__ import annotations

import asyncio
import json
import logging
import socket
import threading
import time
from collections.abc import AsyncIterator, Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from pasarela.api.app import create_app
from pasarela.errors import ConfigurationError, Unauthenticated
from pasarela.registry.service import Registry
from pasarela.security.jwt import JwtVerifier
from pasarela.settings import Settings

pytestmark = pytest.mark.anyio

SECRET = "hunter2-in-the-url"  # must never reach a log line or an error message


class IdentityProvider:
    """A JWKS endpoint on 127.0.0.1 whose keys, and answer, a test changes as it runs."""

    def __init__(self) -> None:
        self.published: dict[str, rsa.RSAPrivateKey] = {}
        self.status = 200
        self.fetches: list[float] = []  # time.monotonic() of each GET
        provider = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                provider.fetches.append(time.monotonic())
                body = json.dumps(provider.document()).encode()
                self.send_response(provider.status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True
        )
        self.thread.start()
        self.running = True
        port = self.server.server_address[1]
        self.url = f"http://user:{SECRET}@127.0.0.1:{port}/jwks.json?access_token={SECRET}"
        self.shown = f"http://127.0.0.1:{port}/jwks.json"

    def document(self) -> dict[str, Any]:
        keys = []
        for kid, key in self.published.items():
            jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(key.public_key()))
            keys.append({**jwk, "kid": kid, "use": "sig", "alg": "RS256"})
        return {"keys": keys}

    def stop(self) -> None:
        if self.running:
            self.running = False
            self.server.shutdown()
            self.server.server_close()
            self.thread.join()


@pytest.fixture(scope="module")
def keys() -> dict[str, rsa.RSAPrivateKey]:
    return {
        kid: rsa.generate_private_key(public_exponent=65537, key_size=2048)
        for kid in ("A", "B", "C")
    }


@pytest.fixture
def idp(keys: dict[str, rsa.RSAPrivateKey]) -> Iterator[IdentityProvider]:
    provider = IdentityProvider()
    provider.published["A"] = keys["A"]
    yield provider
    provider.stop()


def token(key: rsa.RSAPrivateKey, kid: str) -> str:
    claims = {"sub": "ana", "role": "analyst", "exp": time.time() + 60}
    return jwt.encode(claims, key, algorithm="RS256", headers={"kid": kid})


def accepts(verifier: JwtVerifier, value: str) -> bool:
    try:
        verifier.check(value)
    except Unauthenticated:
        return False
    return True


async def eventually(condition: Callable[[], bool], within_s: float = 3.0) -> None:
    deadline = time.monotonic() + within_s
    while not condition():
        assert time.monotonic() < deadline, "the condition did not come true in time"
        await asyncio.sleep(0.01)


@pytest.fixture
def settings_for(settings: Settings) -> Callable[..., Settings]:
    def make(url: str, **update: Any) -> Settings:
        return settings.model_copy(update={"jwt_jwks": url, **update})

    return make


@pytest.fixture
async def refreshing(
    idp: IdentityProvider, settings_for: Callable[..., Settings]
) -> AsyncIterator[Callable[..., JwtVerifier]]:
    """A verifier on ``idp`` with its refresher running, as the data plane runs it."""
    tasks: list[asyncio.Task[None]] = []

    def start(**update: Any) -> JwtVerifier:
        verifier = JwtVerifier(settings_for(idp.url, **update))
        tasks.append(asyncio.get_running_loop().create_task(verifier.keep_fresh()))
        return verifier

    yield start
    for task in tasks:
        assert not task.done(), "the refresher must outlive every failure"
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task


async def test_a_new_kid_is_refused_then_fetched_early_and_accepted(
    idp: IdentityProvider,
    refreshing: Callable[..., JwtVerifier],
    keys: dict[str, rsa.RSAPrivateKey],
) -> None:
    # The schedule is far away: only the early fetch can bring key B in time.
    verifier = refreshing(jwt_jwks_refresh_s=60, jwt_jwks_min_refresh_s=0.1)
    assert accepts(verifier, token(keys["A"], "A")) and len(idp.fetches) == 1
    with pytest.raises(Unauthenticated) as refused:
        verifier.check(token(keys["B"], "B"))
    assert refused.value.code == "invalid_credentials"

    idp.published["B"] = keys["B"]
    fetched = len(idp.fetches)
    assert not accepts(verifier, token(keys["B"], "B"))  # refused, not fetched on the request
    assert len(idp.fetches) == fetched
    await eventually(lambda: accepts(verifier, token(keys["B"], "B")))
    assert accepts(verifier, token(keys["A"], "A"))  # both published: both accepted


async def test_unknown_kids_fetch_at_most_once_per_minimum_interval(
    idp: IdentityProvider,
    refreshing: Callable[..., JwtVerifier],
    keys: dict[str, rsa.RSAPrivateKey],
) -> None:
    verifier = refreshing(jwt_jwks_refresh_s=60, jwt_jwks_min_refresh_s=0.3)
    stranger = token(keys["C"], "C")  # never published: every check asks for a fetch
    checks = 0
    flood_until = time.monotonic() + 0.6
    while time.monotonic() < flood_until:
        assert not accepts(verifier, stranger)
        checks += 1
        await asyncio.sleep(0.005)
    # The fetch at start, then one per 0.3 s at most (two in 0.6 s; a third if the flood began
    # late), however many tokens asked; and at least one came early, long before the schedule.
    assert checks > 20 and 2 <= len(idp.fetches) <= 4, (checks, idp.fetches)


async def test_the_jwks_is_fetched_again_on_schedule(
    idp: IdentityProvider,
    refreshing: Callable[..., JwtVerifier],
    keys: dict[str, rsa.RSAPrivateKey],
) -> None:
    verifier = refreshing(jwt_jwks_refresh_s=0.1, jwt_jwks_min_refresh_s=30)
    idp.published = {"B": keys["B"]}  # A retired, B published, no token has asked
    await eventually(lambda: "B" in verifier.jwks)
    assert accepts(verifier, token(keys["B"], "B"))
    assert not accepts(verifier, token(keys["A"], "A"))


async def test_a_failing_or_vanished_jwks_keeps_the_old_keys(
    idp: IdentityProvider,
    refreshing: Callable[..., JwtVerifier],
    keys: dict[str, rsa.RSAPrivateKey],
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.WARNING, logger="pasarela.security.jwt")
    verifier = refreshing(jwt_jwks_refresh_s=0.05, jwt_jwks_min_refresh_s=30)
    a = token(keys["A"], "A")

    idp.status = 500
    await eventually(lambda: "HTTP 500" in caplog.text)
    assert accepts(verifier, a)

    idp.stop()
    caplog.clear()
    await eventually(lambda: "failed" in caplog.text)
    assert accepts(verifier, a)
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert warnings and all("keeping 1 keys" in r.getMessage() for r in warnings)
    assert idp.shown in caplog.text and SECRET not in caplog.text


def test_an_unreachable_url_at_start_is_a_configuration_error(settings: Settings) -> None:
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    url = f"http://user:{SECRET}@127.0.0.1:{port}/jwks.json"
    with pytest.raises(ConfigurationError) as failed:
        JwtVerifier(settings.model_copy(update={"jwt_jwks": url}))
    assert f"http://127.0.0.1:{port}/jwks.json" in failed.value.message
    assert SECRET not in str(failed.value)


def test_the_minimum_interval_must_be_positive() -> None:
    with pytest.raises(ValueError, match="jwt_jwks_min_refresh_s"):
        Settings(jwt_jwks_min_refresh_s=0)


async def test_the_app_refreshes_its_jwks_url_while_it_serves(
    idp: IdentityProvider,
    settings_for: Callable[..., Settings],
    served_registry: Registry,
    keys: dict[str, rsa.RSAPrivateKey],
) -> None:
    configured = settings_for(idp.url, jwt_jwks_refresh_s=60, jwt_jwks_min_refresh_s=0.1)
    application = create_app(configured)
    async with application.router.lifespan_context(application):
        transport = httpx.ASGITransport(app=application)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:

            async def whoami(kid: str) -> httpx.Response:
                bearer = {"Authorization": f"Bearer {token(keys[kid], kid)}"}
                return await client.get("/admin/whoami", headers=bearer)

            assert (await whoami("A")).json()["via"] == "jwt"
            assert (await whoami("B")).json()["error"]["code"] == "invalid_credentials"
            idp.published["B"] = keys["B"]
            deadline = time.monotonic() + 3
            while (reply := await whoami("B")).status_code != 200:
                assert reply.status_code == 401 and time.monotonic() < deadline, reply.text
                await asyncio.sleep(0.01)
            assert reply.json() == {
                "subject": "ana",
                "role": "analyst",
                "endpoints": None,
                "via": "jwt",
            }
