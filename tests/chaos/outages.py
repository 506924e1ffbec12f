"""PostgreSQL behind a ``TcpProxy``, for the tests that take the database away: bringing the
proxy down refuses new connections and cuts the open ones, without touching the machine's
database server."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import sqlalchemy as sa

from tests.conftest import POSTGRES_URL
from tests.e2e.tcp_proxy import TcpProxy


def proxied_postgres(postgres_url: str) -> tuple[TcpProxy, str]:
    """A proxy to PostgreSQL, already up, and ``postgres_url`` (the fixture's: its private
    schema is in ``options``) through it. The caller brings the proxy down."""
    target = sa.make_url(POSTGRES_URL)
    proxy = TcpProxy((target.host or "127.0.0.1", target.port or 5432))
    proxy.up()
    options = parse_qs(urlsplit(postgres_url).query)["options"][0]
    url = target.set(port=proxy.port).render_as_string(hide_password=False)
    return proxy, f"{url}?options={options.replace('=', '%3D')}"
