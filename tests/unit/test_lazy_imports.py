"""A plain server does not load what only some endpoints or settings need (issue 16, item 7):
Redis clients, JWT verification, the webhook notifier's HTTP client and the dashboard's
templates are imported by their first use, not by the server's modules."""

from __future__ import annotations

import subprocess
import sys

LAZY = ("redis", "jwt", "httpx", "jinja2")


def test_the_server_modules_do_not_import_optional_libraries() -> None:
    probe = (
        "import sys\n"
        "import pasarela.api.app, pasarela.cli.main, pasarela.serving.dataplane\n"
        f"print(','.join(m for m in {LAZY!r} if m in sys.modules))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=120
    )
    assert out.stdout.strip() == ""


def test_the_redis_failures_are_still_caught_once_a_client_exists() -> None:
    from redis.exceptions import ConnectionError as RedisConnectionError

    from pasarela.serving import cache_redis

    assert issubclass(RedisConnectionError, cache_redis._failures())
    assert OSError in cache_redis._failures()
