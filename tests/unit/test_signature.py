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
        ({"age": 1, "income": 2.0}, "inputs[0] is missing features: city"),
        ({"age": 1, "income": 2.0, "city": "x", "zip": 1}, "inputs[0] has unknown feature 'zip'"),
        (
            {"agee": 1, "income": 2.0, "city": "x"},
            "inputs[0] has unknown feature 'agee' (did you mean 'age'?); missing features: age",
        ),
        (
            {"agee": 1, "incme": 2.0, "qqq": 0, "city": "x"},
            "inputs[0] has unknown features 'agee' (did you mean 'age'?), 'incme' (did you mean "
            "'income'?), 'qqq'; missing features: age, income",
        ),
        ({"age": "1", "income": 2.0, "city": "x"}, 'inputs[0].age must be int, got str "1"'),
        ({"age": 1.5, "income": 2.0, "city": "x"}, "inputs[0].age must be int, got float 1.5"),
        ({"age": True, "income": 2.0, "city": "x"}, "inputs[0].age must be int, got bool true"),
        ({"age": 1, "income": None, "city": "x"}, "inputs[0].income must be float, got null"),
        ({"age": [None], "income": 2.0, "city": "x"}, "inputs[0].age must be int, got list [null]"),
        ({"age": 1, "income": 2.0, "city": {"a": False}}, 'got dict {"a":false}'),
        ({"age": 1, "income": 2.0, "city": 2**70}, "got int 1180591620717411303424"),
        ([1, 2.0], "has 2 values; expected 3"),
        ("text", "must be an object keyed by feature name or a list"),
    ],
)
def test_bad_rows_name_the_problem(row: object, message: str) -> None:
    with pytest.raises(InvalidInput) as info:
        RowChecker(SIG).check([row])
    assert message in info.value.message
    assert "'True'" not in info.value.message and "'None'" not in info.value.message


def test_messages_quote_at_most_a_bounded_excerpt_of_what_the_client_sent() -> None:
    long_name, long_value = "a" * 10_000, "b" * 10_000
    with pytest.raises(InvalidInput) as info:
        RowChecker(SIG).check([{"age": 1, "income": 2.0, "city": "x", long_name: 1}])
    assert info.value.message == f"inputs[0] has unknown feature '{'a' * 39}…'"
    with pytest.raises(InvalidInput) as info:
        RowChecker(SIG).check([{"age": 1, "income": long_value, "city": "x"}])
    assert info.value.message == f'inputs[0].income must be float, got str "{"b" * 38}…'
    many = {f"x{n}": n for n in range(100)}
    with pytest.raises(InvalidInput) as info:
        RowChecker(SIG).check([many])
    assert info.value.message.count("'x") == 5 and "and 95 more" in info.value.message
    wide = Signature(tuple(Feature(f"f{n}", "float") for n in range(1000)))
    with pytest.raises(InvalidInput) as info:
        RowChecker(wide).check([{}])
    assert info.value.message.endswith("f19 and 980 more")
    # A row missing most of a wide model's features is not a typo: no close-match search, whose
    # cost grows with unknown × missing names.
    with pytest.raises(InvalidInput) as info:
        RowChecker(wide).check([{"f0x": 1.0}])
    assert info.value.message.startswith("inputs[0] has unknown feature 'f0x'; missing")
    near = {f"f{n}": 1.0 for n in range(1, 1000)} | {"f0x": 1.0}
    with pytest.raises(InvalidInput) as info:
        RowChecker(wide).check([near])
    assert info.value.message == (
        "inputs[0] has unknown feature 'f0x' (did you mean 'f0'?); missing features: f0"
    )


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
