"""The web dashboard: read-only pages of traffic, errors, latency, version shares and feedback.

``views`` turns ``endpoint_stats`` results into what the pages show; ``pages`` renders them to
HTML. Both are pure: ``api/ui_routes.py`` reads the stats and serves the results.

Example::

    view = endpoint_view(stats, window=WINDOWS["1h"], now=time.time(), policy="single")
    html = render_overview(page_view("1h", [view]))
"""

from __future__ import annotations

from pasarela.ui.pages import render_endpoint, render_error, render_overview, static_file
from pasarela.ui.views import (
    DEFAULT_WINDOW,
    WINDOWS,
    Window,
    endpoint_view,
    page_view,
    window_named,
)

__all__ = [
    "DEFAULT_WINDOW",
    "WINDOWS",
    "Window",
    "endpoint_view",
    "page_view",
    "render_endpoint",
    "render_error",
    "render_overview",
    "static_file",
    "window_named",
]
