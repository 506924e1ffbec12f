"""The import graph of ``src/pasarela``, drawn from the code, against DESIGN's layers.

Imports point down only: a module may import its own package, and packages of the layers below
it, never one above it nor another package beside it. Every import counts — at module level, in
a function body (a lazy import is still a dependency), and under ``if TYPE_CHECKING:`` (listed
apart: no runtime cost, but the same coupling). An edge that breaks the rule and is kept for now
sits in ``KEPT`` with its reason; the failure message prints every other one.
"""

from __future__ import annotations

import ast
import functools
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[2] / "src" / "pasarela"

# The layer of each unit (a subpackage, or a module directly under ``pasarela/``), top first.
# The bottom layer is the set of leaf modules that hold contracts and helpers with no domain
# behaviour: each imports only the standard library, its third-party library and other bottom
# modules (``retry`` is a pure backoff policy; ``testing`` ships the doubles of the ``Runtime``
# contract and needs only ``types`` and ``errors``). The package root re-exports the public API
# of every layer, so it sits above them all and nothing imports it.
LAYERS: dict[str, int] = {
    "pasarela": 10,  # the package root: the public API, re-exported
    "demo": 9,  # the guided tour drives the server (api.app) and the CLI's helpers
    "api": 8,
    "cli": 8,
    "ui": 8,
    "server": 7,
    "serving": 6,
    "control": 6,
    "routing": 5,
    "guards": 5,
    "security": 5,
    "telemetry": 5,
    "monitoring": 5,
    "registry": 5,
    "runtimes": 4,
    "storage": 3,
    "stats": 2,
    **dict.fromkeys(
        (
            "types",
            "spec",
            "errors",
            "settings",
            "bounds",
            "names",
            "_version",
            "safe_yaml",
            "private_files",
            "retry",
            "plugins",
            "testing",
        ),
        1,
    ),
}
BOTTOM = 1

# Edges that point up or sideways and stay for now, each with why; keyed (importer, imported).
KEPT: dict[tuple[str, str], str] = {
    ("pasarela.api.login_routes", "pasarela.ui.pages"): (
        "the login page is rendered by ui/ and served by api/; both are adapters (issue 16 "
        "item 4 moves the wiring out of api/)"
    ),
    ("pasarela.api.ui_routes", "pasarela.ui"): "api/ serves the dashboard that ui/ renders",
    ("pasarela.api.ui_routes", "pasarela.ui.experiments"): "api/ serves the dashboard's pages",
    ("pasarela.api.ui_routes", "pasarela.ui.incidents"): "api/ serves the dashboard's pages",
    ("pasarela.api.ui_routes", "pasarela.ui.pages"): "api/ serves the dashboard's pages",
    ("pasarela.api.ui_routes", "pasarela.ui.rollouts"): "api/ serves the dashboard's pages",
    ("pasarela.cli.demo", "pasarela.demo.flaky"): (
        "demo homes made before the move stored this path as the flaky model's entrypoint"
    ),
    ("pasarela.cli.demo_canary", "pasarela.demo.flaky"): (
        "demo homes made before the move stored this path as the flaky model's entrypoint"
    ),
    ("pasarela.cli.main", "pasarela.api.server_options"): (
        "`pasarela serve` runs uvicorn with the HTTP options the API layer owns"
    ),
    ("pasarela.cli.main", "pasarela.demo.tour"): (
        "`pasarela demo` is the command that starts the tour (imported when it runs)"
    ),
    ("pasarela.cli.main", "pasarela.api.lifecycle"): (
        "`pasarela serve` starts the app the API layer builds (graceful stop, signals)"
    ),
    ("pasarela.storage.telemetry", "pasarela.telemetry.metrics"): (
        "the stored latency histogram shares LATENCY_BUCKETS with the live metrics; the "
        "buckets belong in a bottom-layer module"
    ),
    ("pasarela.telemetry.writer", "pasarela.security.crypto"): (
        "the writer's own process (its __main__) opens the install's cipher to hand the "
        "repositories their codec"
    ),
}

KEPT_TYPE_ONLY: dict[tuple[str, str], str] = {}
"""Edges under ``if TYPE_CHECKING:`` that break the rule and stay, each with why."""

MAX_LINES = 450
SIZED = ("serving", "guards", "storage")
"""Packages whose modules must stay under ``MAX_LINES`` lines (DESIGN: one concept a module)."""

OVERSIZED: dict[str, str] = {}
"""Modules over ``MAX_LINES`` that stay, each with why (none since issue 16's splits)."""


@dataclass(frozen=True, slots=True)
class Edge:
    importer: str
    imported: str
    type_only: bool
    line: int

    def __str__(self) -> str:
        kind = " (TYPE_CHECKING)" if self.type_only else ""
        return (
            f"{self.importer} -> {self.imported}{kind}  [line {self.line}; "
            f"{unit(self.importer)} L{LAYERS.get(unit(self.importer))} -> "
            f"{unit(self.imported)} L{LAYERS.get(unit(self.imported))}]"
        )


def module_name(path: Path, root: Path = SRC.parent) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def unit(module: str) -> str:
    """``pasarela.serving.cache`` → ``serving``; ``pasarela.types`` → ``types``; the root →
    ``pasarela``."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else parts[0]


def _type_checking_nodes(tree: ast.Module) -> set[int]:
    inside: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            for child in node.body:
                inside.update(id(n) for n in ast.walk(child))
    return inside


def imports_of(path: Path, modules: set[str], root: Path = SRC.parent) -> list[Edge]:
    """Every import of a ``pasarela`` module in one file, wherever it is written."""
    importer = module_name(path, root)
    package = importer if path.name == "__init__.py" else importer.rpartition(".")[0]
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    type_only = _type_checking_nodes(tree)
    edges: list[Edge] = []
    for node in ast.walk(tree):
        targets: list[str] = []
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                source = ".".join([*base, *([node.module] if node.module else [])])
            else:
                source = node.module or ""
            # ``from pasarela import errors`` imports the module ``pasarela.errors``
            targets = [
                f"{source}.{alias.name}" if f"{source}.{alias.name}" in modules else source
                for alias in node.names
            ]
        edges.extend(
            Edge(importer, target, id(node) in type_only, node.lineno)
            for target in targets
            if target == "pasarela" or target.startswith("pasarela.")
        )
    return edges


@functools.cache
def all_edges() -> tuple[Edge, ...]:
    paths = sorted(SRC.rglob("*.py"))
    modules = {module_name(p) for p in paths}
    edges = {e for p in paths for e in imports_of(p, modules)}
    return tuple(sorted(edges, key=lambda e: (e.importer, e.imported, e.line)))


def breaks_layers(edge: Edge) -> bool:
    """Up, or sideways into another unit of the same layer (bottom modules may import one
    another: DESIGN lets ``spec.py`` import its siblings)."""
    here, there = unit(edge.importer), unit(edge.imported)
    if here == there:
        return False
    mine, theirs = LAYERS[here], LAYERS[there]
    return theirs > mine or (theirs == mine and mine != BOTTOM)


def test_every_unit_has_a_layer() -> None:
    units = {unit(module_name(p)) for p in SRC.rglob("*.py")}
    missing = sorted(units - LAYERS.keys())
    assert not missing, f"put these in LAYERS (tests/unit/test_layers.py): {missing}"


def test_imports_point_down_only() -> None:
    edges = [e for e in all_edges() if unit(e.importer) in LAYERS and unit(e.imported) in LAYERS]
    breaking = [e for e in edges if breaks_layers(e)]
    runtime = [e for e in breaking if not e.type_only and (e.importer, e.imported) not in KEPT]
    type_only = [
        e for e in breaking if e.type_only and (e.importer, e.imported) not in KEPT_TYPE_ONLY
    ]
    found = {(e.importer, e.imported) for e in breaking}
    stale = sorted((KEPT.keys() | KEPT_TYPE_ONLY.keys()) - found)
    message = "\n".join(
        [
            *(["imports that point up or sideways across layers:"] if runtime else []),
            *(f"  {e}" for e in runtime),
            *(["TYPE_CHECKING imports that point up or sideways:"] if type_only else []),
            *(f"  {e}" for e in type_only),
            *(["KEPT entries no longer in the code (remove them):"] if stale else []),
            *(f"  {a} -> {b}" for a, b in stale),
        ]
    )
    assert not (runtime or type_only or stale), message


def test_the_bottom_layer_has_no_import_cycle() -> None:
    graph: dict[str, set[str]] = {}
    for e in all_edges():
        if LAYERS.get(unit(e.importer)) == BOTTOM and LAYERS.get(unit(e.imported)) == BOTTOM:
            graph.setdefault(unit(e.importer), set()).add(unit(e.imported))
    done: set[str] = set()

    def visit(node: str, path: tuple[str, ...]) -> None:
        assert node not in path, f"import cycle: {' -> '.join((*path, node))}"
        if node in done:
            return
        for nxt in sorted(graph.get(node, ())):
            visit(nxt, (*path, node))
        done.add(node)

    for start in sorted(graph):
        visit(start, ())


def test_modules_stay_small() -> None:
    sizes = {
        str(p.relative_to(SRC.parent)): len(p.read_text(encoding="utf-8").splitlines())
        for package in SIZED
        for p in sorted((SRC / package).rglob("*.py"))
    }
    over = {path: n for path, n in sizes.items() if n > MAX_LINES and path not in OVERSIZED}
    stale = sorted(path for path in OVERSIZED if sizes.get(path, 0) <= MAX_LINES)
    assert not over, f"modules over {MAX_LINES} lines: {over}"
    assert not stale, f"no longer over {MAX_LINES} lines, remove from OVERSIZED: {stale}"


def test_the_kept_edges_by_package_pair() -> None:
    """The allowlist at a glance (pytest -rP prints it); every entry gives a reason."""
    assert all(reason.strip() for reason in (*KEPT.values(), *KEPT_TYPE_ONLY.values()))
    pairs = Counter(f"{unit(a)} -> {unit(b)}" for a, b in KEPT)
    print("\n".join(f"{n:3d}  {pair}" for pair, n in sorted(pairs.items())))
    print("TYPE_CHECKING imports across packages:")
    print(
        "\n".join(
            f"  {e}" for e in all_edges() if e.type_only and unit(e.importer) != unit(e.imported)
        )
    )
    assert sum(pairs.values()) == len(KEPT)


@pytest.mark.parametrize(
    ("importer", "imported", "breaks"),
    [
        ("pasarela.serving.cache", "pasarela.storage.telemetry", False),  # down
        ("pasarela.storage.telemetry", "pasarela.telemetry.metrics", True),  # up
        ("pasarela.routing.canary", "pasarela.guards.pii", True),  # sideways
        ("pasarela.control.manifest", "pasarela.control.apply", False),  # same package
        ("pasarela.types", "pasarela.spec", False),  # bottom siblings
        ("pasarela.spec", "pasarela.stats.canary", True),  # bottom reaching up
        ("pasarela.api.errors", "pasarela", True),  # the root is above everything
    ],
)
def test_the_rule(importer: str, imported: str, breaks: bool) -> None:
    assert breaks_layers(Edge(importer, imported, False, 1)) is breaks


def test_the_graph_sees_every_kind_of_import() -> None:
    edges = {(e.importer, e.imported): e for e in all_edges()}
    # imported inside a function (guards/config.detector builds detectors lazily)
    assert ("pasarela.guards.config", "pasarela.guards.semantic") in edges
    # ``from pasarela import errors`` is the module, not the package root
    assert ("pasarela.api.errors", "pasarela.errors") in edges
    assert ("pasarela.api.errors", "pasarela") not in edges
    # the root names create_app for type checkers only
    assert edges["pasarela", "pasarela.api.app"].type_only


def test_relative_imports_resolve(tmp_path: Path) -> None:
    package = tmp_path / "pasarela" / "serving"
    package.mkdir(parents=True)
    module = package / "invoker.py"
    module.write_text("from . import cache\nfrom ..control import apply\n")
    modules = {"pasarela.serving.cache", "pasarela.control"}
    found = {e.imported for e in imports_of(module, modules, root=tmp_path)}
    assert found == {"pasarela.serving.cache", "pasarela.control"}
