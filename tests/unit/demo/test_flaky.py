"""The demo's flaky candidate: its own model (not a test double), importable by every
entrypoint a demo home may have stored."""

from __future__ import annotations

import ast
from pathlib import Path

import pasarela
from pasarela.demo.flaky import FlakyBreastCancerModel


def test_it_passes_its_first_batch_then_fails_a_fifth_of_them_the_same_way_each_run() -> None:
    def run() -> list[bool]:
        model = FlakyBreastCancerModel()
        failed = []
        for _ in range(1000):
            try:
                assert model.predict([[1.0, 2.0], {"a": 3.0}]) == [3.0, 3.0]
                failed.append(False)
            except RuntimeError:
                failed.append(True)
        return failed

    first = run()
    assert first[0] is False  # registration's smoke batch passes
    assert 150 < sum(first) < 250
    assert run() == first  # seeded: every demo run fails the same batches


def test_the_entrypoints_earlier_demos_registered_still_load() -> None:
    from pasarela.cli.demo import FlakyBreastCancerModel as from_tour
    from pasarela.cli.demo_canary import FlakyBreastCancerModel as from_canary

    assert from_tour is from_canary is FlakyBreastCancerModel


def test_no_product_module_imports_the_test_doubles() -> None:
    """``pasarela.testing`` is for tests (ours and users'): the adapters, the data plane and
    the control plane, and the demo, never import it."""
    root = Path(pasarela.__file__).parent
    offenders = []
    for package in ("api", "cli", "serving", "control", "demo"):
        for path in sorted((root / package).rglob("*.py")):
            for node in ast.walk(ast.parse(path.read_text())):
                names = (
                    [node.module or ""]
                    if isinstance(node, ast.ImportFrom)
                    else [a.name for a in node.names]
                    if isinstance(node, ast.Import)
                    else []
                )
                if any(n == "pasarela.testing" for n in names):
                    offenders.append(str(path.relative_to(root)))
    assert offenders == []
