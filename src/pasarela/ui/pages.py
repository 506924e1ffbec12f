"""The dashboard's HTML, rendered from the package's Jinja2 templates with autoescaping on, so
endpoint names and anything else that comes from users is escaped."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pasarela._version import __version__
from pasarela.ui.views import VERSION_COLUMNS, WINDOWS

if TYPE_CHECKING:
    from jinja2 import Environment

_HERE = Path(__file__).parent
STATIC_DIR = _HERE / "static"


@cache
def _environment() -> Environment:
    # Loaded by the first page rendered: a server nobody opens the dashboard of never pays.
    from jinja2 import Environment, FileSystemLoader, StrictUndefined

    env = Environment(
        loader=FileSystemLoader(_HERE / "templates"),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals.update(version=__version__, windows=WINDOWS, version_columns=VERSION_COLUMNS)
    return env


def _render(template: str, **context: Any) -> str:
    return _environment().get_template(template).render(**context)


def render_overview(page: dict[str, Any]) -> str:
    """The overview of every endpoint; ``page`` is a ``page_view``."""
    return _render("overview.html", page=page, source="/ui/data/overview")


def render_endpoint(page: dict[str, Any]) -> str:
    """The page of one endpoint; ``page`` is a ``page_view`` with that endpoint only."""
    endpoint = page["endpoints"][0]
    return _render("endpoint.html", page=page, endpoint=endpoint, source=endpoint["source"])


def render_experiment(view: dict[str, Any]) -> str:
    """The experiment page: its variants, sample-ratio line, conclusions and effect chart."""
    return _render("experiment.html", experiment=view)


def render_rollout(view: dict[str, Any]) -> str:
    """An endpoint's rollout page; ``view`` is a ``rollout_view``."""
    return _render("rollout.html", rollout=view)


def render_experiments(experiments: list[dict[str, Any]]) -> str:
    """The list of experiments, each linking to its page."""
    return _render("experiments.html", experiments=experiments)


def render_incidents(page: dict[str, Any]) -> str:
    """The incidents page; ``page`` is an ``incidents_view``."""
    return _render("incidents.html", page=page)


def render_incident(view: dict[str, Any]) -> str:
    """One incident's page; ``view`` is an ``incident_view``."""
    return _render("incident.html", incident=view)


def render_login(problem: str | None, next_page: str) -> str:
    """The sign-in form; ``problem`` says why the last try failed, ``next_page`` where to go."""
    return _render("login.html", problem=problem, next=next_page)


def render_error(status: int, title: str, message: str) -> str:
    """An error page (unknown endpoint, unknown page, a window not offered)."""
    return _render("error.html", status=status, title=title, message=message)


def static_file(path: str) -> Path | None:
    """The file under the dashboard's static folder at ``path``; None when there is none or
    ``path`` points outside the folder."""
    root = STATIC_DIR.resolve()
    candidate = (root / path).resolve()
    if not candidate.is_relative_to(root) or not candidate.is_file():
        return None
    return candidate
