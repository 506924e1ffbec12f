"""Hostile YAML shared by the tests of the safe reader, the admin API and the CLI."""

from __future__ import annotations


def alias_bomb(levels: int = 9) -> str:
    """A valid endpoint manifest whose static fallback answer is a "billion laughs": nine
    anchors, each a list of nine aliases of the one before, 9**9 strings once expanded, in under
    500 bytes. Before the safe reader, building and storing that answer took minutes and
    gigabytes (the shape an outside probe sent)."""
    lines = [
        "kind: Endpoint",
        "name: bomb",
        "policy: {type: single, target: sums@1}",
        "fallback:",
        "  - static:",
        '      a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]',
    ]
    previous = "a"
    for name in "bcdefghi"[: levels - 1]:
        lines.append(f"      {name}: &{name} [{', '.join([f'*{previous}'] * 9)}]")
        previous = name
    return "\n".join(lines) + "\n"
