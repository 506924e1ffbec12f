"""How a shadow's answer is compared with the primary's."""

from __future__ import annotations

from typing import Any

import pytest

from pasarela.serving.shadow import compare_outputs


@pytest.mark.parametrize(
    ("primary", "shadow", "expected"),
    [
        # classifier replies: the label decides, probabilities are ignored
        (
            [{"label": 1, "probabilities": {"0": 0.1, "1": 0.9}}],
            [{"label": 1, "probabilities": {"0": 0.4, "1": 0.6}}],
            (1.0, None),
        ),
        ([{"label": "a"}, {"label": "b"}], [{"label": "a"}, {"label": "c"}], (0.5, None)),
        ([1, 0, 1, 1], [1, 1, 1, 1], (0.75, None)),
        ([True], [False], (0.0, None)),
        # regressors: absolute error, averaged over rows
        ([1.5, 2.0], [1.0, 3.0], (None, 0.75)),
        ([2.0], [2], (None, 0.0)),
        # vectors of numbers: mean absolute difference
        ([[1.0, 2.0]], [[2.0, 2.0]], (None, 0.5)),
        ([["a", "b"]], [["a", "b"]], (1.0, None)),
        ([], [], (None, None)),
    ],
)
def test_labels_agree_and_numbers_differ(
    primary: list[Any], shadow: list[Any], expected: tuple[float | None, float | None]
) -> None:
    assert compare_outputs(primary, shadow) == expected
