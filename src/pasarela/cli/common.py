"""What every command shares: settings, the registry, the actor and error reporting."""

from __future__ import annotations

import functools
import getpass
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import typer
from rich.console import Console
from rich.text import Text
from sqlalchemy.exc import SQLAlchemyError

from pasarela.control.workspace import open_registry
from pasarela.errors import PasarelaError
from pasarela.registry.service import Registry
from pasarela.settings import Settings
from pasarela.storage.db import database_problem

console = Console()
# Errors stay on one line whatever the terminal width, so logs and pipes keep them whole.
err_console = Console(stderr=True, soft_wrap=True)
F = TypeVar("F", bound=Callable[..., Any])


def settings() -> Settings:
    return Settings()


def registry() -> Registry:
    return open_registry(settings())


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
        except SQLAlchemyError as exc:
            code, message = "database_error", database_problem(exc)
        err_console.print(
            Text.assemble(("error", "bold red"), f" [{code}] {message}"), highlight=False
        )
        raise typer.Exit(1)

    return wrapper  # type: ignore[return-value]


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
