"""The options ``pasarela serve`` gives uvicorn: what the request path needs from the HTTP
server, and nothing it does not.

- uvloop and httptools, named rather than left to ``auto``: the bench measures them, and a
  missing one should fail the start, not quietly fall back to asyncio and h11 (2-3x slower).
- No websockets: no route uses them, and ``auto`` imports a websockets library at start.
- No access log (pasarela records every request itself) and no ``server`` header (it names
  the HTTP server to whoever probes it, on every answer).
- Proxy headers off: ``X-Forwarded-*`` are judged by pasarela alone, against
  ``PASARELA_TRUSTED_PROXIES`` (``api/ui_security.py``); uvicorn would otherwise believe them
  from 127.0.0.1.
"""

from __future__ import annotations

import importlib.util
import math
from typing import Any

__all__ = ["uvicorn_options"]


def _fastest(module: str, fast: str, fallback: str) -> str:
    return fast if importlib.util.find_spec(module) is not None else fallback


def uvicorn_options(
    host: str, port: int, workers: int, log_level: str, shutdown_timeout_s: float
) -> dict[str, Any]:
    """Keyword arguments for ``uvicorn.Config("pasarela.api.app:create_app", **options)``.

    >>> uvicorn_options("127.0.0.1", 8000, 1, "info", 30.0)["access_log"]
    False
    """
    return {
        "factory": True,
        "host": host,
        "port": port,
        "workers": workers,
        # uvloop is a dependency on Linux and macOS only; Windows runs asyncio's loop.
        "loop": _fastest("uvloop", "uvloop", "asyncio"),
        "http": _fastest("httptools", "httptools", "h11"),
        "ws": "none",
        # A worker imports model libraries before it can answer the supervisor's ping; on a
        # busy small machine that takes longer than uvicorn's default 5 s.
        "timeout_worker_healthcheck": 60,
        "timeout_graceful_shutdown": math.ceil(shutdown_timeout_s),
        "log_level": log_level,
        "access_log": False,
        "server_header": False,
        "proxy_headers": False,
    }
