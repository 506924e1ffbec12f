from __future__ import annotations

import pandas as pd
import pytest

from pasarela.errors import InvalidInput
from pasarela.guards.schema import PositionalRowChecker, RowChecker
from pasarela.registry.signature import infer_signature
from pasarela.types import Feature, Signature


def test_infer_signature_from_frame_dtypes() -> None:
    frame = pd.DataFrame(
        {"age": [30, 40], "income": [1.5, 2.0], "member": [True, False], "city": ["a", "b"]}
    )
    assert infer_signature(frame).features == (
        Feature("age", "int"),
        Feature("income", "float"),
        Feature("member", "bool"),
        Feature("city", "str"),
    )


SIG = Signature((Feature("age", "int"), Feature("income", "float"), Feature("city", "str")))


def test_named_rows_come_back_in_signature_order() -> None:
    checker = RowChecker(SIG)
    assert checker.check([{"city": "x", "income": 2, "age": 3}]) == [[3, 2, "x"]]


def test_positional_rows_pass_through() -> None:
    assert RowChecker(SIG).check([[1, 2.5, "x"]]) == [[1, 2.5, "x"]]


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ({"age": 1, "income": 2.0}, "missing features: city"),
        ({"age": 1, "income": 2.0, "city": "x", "zip": 1}, "unknown features: zip"),
        ({"age": "1", "income": 2.0, "city": "x"}, "inputs[0].age must be int, got str"),
        ({"age": 1.5, "income": 2.0, "city": "x"}, "inputs[0].age must be int, got float"),
        ({"age": True, "income": 2.0, "city": "x"}, "inputs[0].age must be int, got bool"),
        ({"age": 1, "income": None, "city": "x"}, "inputs[0].income must be float, got null"),
        ([1, 2.0], "has 2 values; expected 3"),
        ("text", "must be an object keyed by feature name or a list"),
    ],
)
def test_bad_rows_name_the_problem(row: object, message: str) -> None:
    with pytest.raises(InvalidInput) as info:
        RowChecker(SIG).check([row])
    assert message in info.value.message


def test_uniform_numeric_signature_still_rejects_strings() -> None:
    numeric = Signature((Feature("a", "float"), Feature("b", "float")))
    checker = RowChecker(numeric)
    assert checker.check([[1, 2.5]]) == [[1, 2.5]]
    with pytest.raises(InvalidInput, match=r"inputs\[1\].b must be float, got str"):
        checker.check([[1, 2], [1, "2"]])


def test_without_signature_only_width_is_checked() -> None:
    checker = PositionalRowChecker()
    assert checker.check([[1, 2], [3, 4]]) == [[1, 2], [3, 4]]
    with pytest.raises(InvalidInput, match="has 3 values"):
        checker.check([[1, 2], [3, 4, 5]])
    with pytest.raises(InvalidInput, match="no signature"):
        checker.check([{"a": 1}])


def test_signature_json_round_trip() -> None:
    assert Signature.from_json(SIG.to_json()) == SIG
