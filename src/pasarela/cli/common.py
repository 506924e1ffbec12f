"""What every command shares: settings, the registry, the actor and error reporting.

The CLI imports lazily: this module and every command module import only typer, rich and
pasarela's light leaves at module level, and each command imports what it needs (the registry,
SQLAlchemy, pandas, the web framework) when it runs. ``pasarela --help`` and ``pasarela models
list`` then pay only for what they use (tests/e2e/test_cli_imports.py guards it).
"""

from __future__ import annotations

import functools
import getpass
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import typer
from rich.console import Console
from rich.text import Text

from pasarela.errors import PasarelaError

if TYPE_CHECKING:
    from pasarela.control.workspace import Workspace
    from pasarela.registry.service import Registry
    from pasarela.settings import Settings
    from pasarela.storage.catalog import Catalog

console = Console()
# Errors stay on one line whatever the terminal width, so logs and pipes keep them whole.
err_console = Console(stderr=True, soft_wrap=True)
F = TypeVar("F", bound=Callable[..., Any])


def settings() -> Settings:
    from pasarela.settings import Settings

    return Settings()


def registry() -> Registry:
    """The registry (migrated), for commands that register, load or resolve models."""
    from pasarela.control.workspace import open_registry

    return open_registry(settings())


def workspace() -> Workspace:
    """The workspace (migrated): the registry and every repository, for commands that read or
    change keys, the audit log, subjects or incidents."""
    from pasarela.control.workspace import open_workspace

    return open_workspace(settings())


def catalog() -> Catalog:
    """The registry's tables alone (migrated), for commands that only read or move names:
    no model libraries, no payload cipher."""
    from pasarela.storage.catalog import Catalog
    from pasarela.storage.db import create_engine, upgrade

    engine = create_engine(settings().resolved_database_url)
    upgrade(engine)
    return Catalog(engine)


def actor() -> str:
    try:
        return os.environ.get("PASARELA_ACTOR") or getpass.getuser()
    except (KeyError, OSError):
        return "local"


def reports_errors(fn: F) -> F:
    """Turn pasarela's errors into one red line and exit status 1, never a traceback."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except PasarelaError as exc:
            code, message = exc.code, exc.message
        except Exception as exc:
            # A command reaches storage through many calls; storage translates what escapes
            # them here. Only a command that opened the database can raise the database's
            # errors, and importing storage for the others would cost every command its import.
            if "pasarela.storage.db" not in sys.modules:
                raise
            from pasarela.storage.db import storage_error

            translated = storage_error(exc)
            if translated is None:
                raise
            code, message = translated.code, translated.message
        err_console.print(
            Text.assemble(("error", "bold red"), f" [{code}] {message}"), highlight=False
        )
        raise typer.Exit(1)

    return wrapper  # type: ignore[return-value]


def print_copyable(text: str) -> None:
    """Print what people copy and paste (a command, a manifest) as it is: no markup, no colour,
    and never wrapped at the terminal's width, so a narrow terminal or a log keeps every line
    whole and the YAML still parses."""
    console.print(text, soft_wrap=True, markup=False, highlight=False, emoji=False)


def parse_pairs(pairs: list[str] | None, *, numeric: bool = False) -> dict[str, Any]:
    """``["a=1", "b=x"]`` → ``{"a": "1", "b": "x"}`` (numbers parsed when ``numeric``)."""
    out: dict[str, Any] = {}
    for pair in pairs or []:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise typer.BadParameter(f"{pair!r} is not KEY=VALUE")
        if numeric:
            try:
                out[key] = float(value)
            except ValueError:
                raise typer.BadParameter(f"{pair!r}: {value!r} is not a number") from None
        else:
            out[key] = value
    return out


def home_option(home: Path | None) -> None:
    if home is not None:
        os.environ["PASARELA_HOME"] = str(home)
