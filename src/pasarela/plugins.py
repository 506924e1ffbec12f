"""Pluggable kinds (runtimes, policies, …): the built-in ones by import string, third-party ones
through entry points (``pasarela.runtimes``, ``pasarela.policies``)."""

from __future__ import annotations

import importlib
from importlib.metadata import entry_points
from typing import Any

from pasarela.errors import ConfigurationError


def load_object(target: str) -> Any:
    """Import ``package.module:attribute`` (or ``package.module.attribute``)."""
    module_name, sep, attribute = target.partition(":")
    if not sep:
        module_name, _, attribute = target.rpartition(".")
    if not module_name or not attribute:
        raise ConfigurationError(f"{target!r} is not an import string like 'package.module:name'")
    try:
        obj: Any = importlib.import_module(module_name)
        for part in attribute.split("."):
            obj = getattr(obj, part)
    except (ImportError, AttributeError) as exc:
        raise ConfigurationError(f"cannot import {target!r}: {exc}") from exc
    return obj


class PluginRegistry:
    """Names to implementations: built-ins first, then the entry-point group."""

    def __init__(self, group: str, builtins: dict[str, str]) -> None:
        self.group = group
        self._targets = dict(builtins)
        self._loaded_entry_points = False

    def names(self) -> list[str]:
        self._load_entry_points()
        return sorted(self._targets)

    def get(self, name: str) -> Any:
        self._load_entry_points()
        target = self._targets.get(name)
        if target is None:
            raise ConfigurationError(
                f"unknown {self.group.removeprefix('pasarela.')} kind {name!r}; "
                f"known: {', '.join(self.names())}"
            )
        return load_object(target)

    def _load_entry_points(self) -> None:
        if self._loaded_entry_points:
            return
        for ep in entry_points(group=self.group):
            self._targets.setdefault(ep.name, ep.value)
        self._loaded_entry_points = True
