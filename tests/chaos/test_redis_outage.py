"""Chaos on a real ``pasarela serve`` whose rate limits count in Redis: Redis goes away for a few
seconds under steady load, then comes back.

What the clients see (and what the test asserts):

- Not one prediction fails or hangs while Redis is gone: the limiter gives up on Redis at the
  first refused connection and decides in this process's memory instead (at most one short
  socket timeout, 0.25 s, for requests caught on a connection that dies under them; refused
  connections fail at once), and leaves Redis alone for a second before trying again.
- During the outage each process holds the limit on its own: a caller that had spent its
  budget in Redis gets a fresh ``burst`` from the process's own bucket, then 429 again.
- One warning says Redis is unreachable, one says it is back.
- Once Redis is back its buckets decide again, with what they counted before the outage: the
  over-limit caller is refused (429), and the refusal was counted in Redis, not in memory.

Redis is reached through a ``TcpProxy``: taking it down refuses new connections and cuts the
open ones, without touching the machine's Redis.
"""

from __future__ import annotations

import time
import uuid
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest
import redis

from pasarela.control.apply import apply_specs
from pasarela.control.manifest import parse_manifests
from pasarela.control.workspace import open_registry
from pasarela.settings import Settings
from tests.chaos.client_load import steady_load
from tests.contract.test_ratelimit import REDIS_URL, require_redis
from tests.e2e.conftest import ACTOR, Server, pasarela_env, running_server, wait_for
from tests.e2e.tcp_proxy import TcpProxy

pytestmark = pytest.mark.e2e

OUTAGE_S = 5.0
PREFIX = "pasarela:rl:endpoint:"  # RedisRateLimiter's default prefix, then the dataplane's key


@dataclass
class Setup:
    server: Server
    proxy: TcpProxy
    steady: str
    """An endpoint with a limit far above the load: every call should be answered."""
    tight: str
    """An endpoint that admits 2 calls, then one an hour."""


@pytest.fixture
def setup(tmp_path: Path) -> Iterator[Setup]:
    require_redis()
    target = urlsplit(REDIS_URL)
    proxy = TcpProxy((target.hostname or "127.0.0.1", target.port or 6379))
    proxy.up()
    suffix = uuid.uuid4().hex[:8]
    steady, tight = f"steady-{suffix}", f"tight-{suffix}"
    home = tmp_path / "home"
    registry = open_registry(Settings(home=home, database_url=None, artifacts_dir=None))
    try:
        registry.register("summer", entrypoint="pasarela.testing:row_sums", actor=ACTOR)
        manifests = (
            f"name: {steady}\npolicy: {{type: single, target: summer@1}}\n"
            "rate_limit: 100000/s\n---\n"
            f"name: {tight}\npolicy: {{type: single, target: summer@1}}\n"
            "rate_limit: 1/h burst=2\n"
        )
        apply_specs(registry, parse_manifests(manifests), actor=ACTOR)
    finally:
        registry.engine.dispose()
    proxied = f"redis://127.0.0.1:{proxy.port}{target.path or '/0'}"
    env = pasarela_env(home, PASARELA_RATE_LIMIT_REDIS_URL=proxied)
    try:
        with running_server(env, tmp_path / "server.log") as server:
            yield Setup(server, proxy, steady, tight)
    finally:
        proxy.down()
        client = redis.Redis.from_url(REDIS_URL)
        client.delete(PREFIX + steady, PREFIX + tight)
        client.close()


def test_predictions_ride_through_a_redis_outage_and_limits_come_back(setup: Setup) -> None:
    server, proxy = setup.server, setup.proxy
    direct = redis.Redis.from_url(REDIS_URL)
    try:
        with (
            steady_load(f"{server.url}/v1/endpoints/{setup.steady}/predict", pause_s=0.01) as load,
            httpx.Client(base_url=server.url, timeout=10) as caller,
        ):

            def tight(n: int) -> list[int]:
                path = f"/v1/endpoints/{setup.tight}/predict"
                return [caller.post(path, json={"inputs": [[1]]}).status_code for _ in range(n)]

            wait_for(lambda: len(load.calls), lambda n: n >= 50)
            assert tight(3) == [200, 200, 429]  # counted in Redis
            assert direct.exists(PREFIX + setup.tight)

            proxy.down()
            down_at = time.monotonic()
            time.sleep(1)
            # Redis forgot nothing, but this process cannot ask it: its own bucket is full.
            during_outage = tight(3)
            time.sleep(OUTAGE_S - 1)
            proxy.up()
            up_at = time.monotonic()
            (redis_now, _) = direct.time()

            # The steady load brings the limiter back to Redis within its cooldown (1 s).
            back = "rate limiter uses Redis at"
            wait_for(server.log, lambda log: back in log and "again" in log, timeout_s=30)
            after_outage = tight(2)
            _, bucket_ts = direct.hmget(PREFIX + setup.tight, ["tokens", "ts"])
            wait_for(lambda: len(load.between(up_at, time.monotonic())), lambda n: n >= 50)
            metrics = caller.get("/metrics").text
    finally:
        direct.close()

    outage = load.between(down_at, up_at)
    statuses = Counter(c.status for c in load.calls)
    answered = sum(c.status == 200 for c in outage)
    slowest_in_outage = max(c.seconds for c in outage)
    slowest = max(c.seconds for c in load.calls)
    print(
        f"\nredis down {up_at - down_at:.1f} s: {answered} of {len(outage)} requests answered "
        f"during the outage, {len(load.calls)} in all {dict(statuses)}; slowest request "
        f"{slowest_in_outage * 1000:.0f} ms during the outage, {slowest * 1000:.0f} ms overall; "
        f"over-limit caller during the outage {during_outage}, after it {after_outage}"
    )
    log = server.log()
    assert set(statuses) == {200}, statuses  # not one failed or refused steady request
    assert answered == len(outage) and answered >= 20
    assert during_outage == [200, 200, 429]  # the limit held per process
    assert after_outage == [429, 429]  # Redis remembered the caller's spent budget...
    assert bucket_ts is not None and float(bucket_ts) >= redis_now  # ...and counted these
    assert log.count("rate limiter cannot use Redis") == 1, log  # one warning per outage
    assert log.count("rate limiter uses Redis at") == 1, log  # and one line when it is over
    assert "Traceback" not in log, log
    # every decision made without Redis is counted where operators look
    (fallbacks,) = [
        line
        for line in metrics.splitlines()
        if line.startswith("pasarela_rate_limit_fallbacks_total")
    ]
    assert float(fallbacks.rsplit(" ", 1)[1]) >= answered
