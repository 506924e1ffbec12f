from __future__ import annotations

import pytest

from pasarela.errors import ClientError, InvalidInput
from pasarela.storage import schema
from pasarela.storage.feedback import MAX_LABEL, MAX_NUMBER, MAX_REQUEST_ID
from pasarela.telemetry.feedback import parse_feedback


def test_one_object_gives_one_item_per_kind() -> None:
    items = parse_feedback(
        {
            "request_id": "r1",
            "label": 1,
            "reward": 0.5,
            "rating": 4,
            "task_completed": True,
            "cost": 0.02,
            "attributes": {"channel": "web"},
        }
    )
    assert [(i["kind"], i.get("value"), i.get("label")) for i in items] == [
        ("label", None, 1),
        ("reward", 0.5, None),
        ("rating", 4.0, None),
        ("task_completed", 1.0, None),
        ("cost", 0.02, None),
    ]
    assert all(i["request_id"] == "r1" and i["attributes"] == {"channel": "web"} for i in items)


def test_batches_in_both_forms() -> None:
    batch = [{"request_id": "a", "reward": 1}, {"request_id": "b", "reward": 0}]
    assert len(parse_feedback(batch)) == 2
    assert len(parse_feedback({"feedback": batch})) == 2


@pytest.mark.parametrize(
    ("body", "words"),
    [
        ({"reward": 1}, "request_id"),
        ({"request_id": "r"}, "carries no feedback"),
        ({"request_id": "r", "rating": 6}, "rating must be an integer from 1 to 5"),
        ({"request_id": "r", "rating": 4.5}, "rating must be an integer"),
        ({"request_id": "r", "reward": "high"}, "reward must be a finite number"),
        ({"request_id": "r", "reward": True}, "reward must be a finite number"),
        ({"request_id": "r", "task_completed": 1}, "true or false"),
        ({"request_id": "r", "cost": -1}, "cost must be between 0"),
        ({"request_id": "r", "label": [1, 2]}, "label must be"),
        ({"request_id": "r", "reward": 1, "score": 2}, "unknown fields: score"),
        ({"request_id": "r", "reward": 1, "attributes": [1]}, "attributes must be an object"),
        ([], "between 1 and 1000"),
        ("text", "must be an object"),
    ],
)
def test_bad_feedback_names_the_problem(body: object, words: str) -> None:
    with pytest.raises(ClientError) as info:
        parse_feedback(body)
    assert words in info.value.message


@pytest.mark.parametrize(
    ("field", "value", "words"),
    [
        ("reward", 1.7e308, "reward must be between -1e+12 and 1e+12"),
        ("reward", -1e13, "reward must be between"),
        ("cost", 1e13, "cost must be between 0 and 1e+12"),
        ("cost", -0.01, "cost must be between 0"),
        ("label", 1e300, "label must be between"),
        ("label", "x" * 201, "label must be 1 to 200 characters"),
        ("label", "", "label must be 1 to 200 characters"),
        ("label", "cat\x00", "label must not contain control characters"),
        ("rating", 9, "rating must be an integer from 1 to 5"),
        ("request_id", "r" * 129, "request_id must be 1 to 128 characters"),
        ("request_id", "r\x00", "request_id must not contain control characters"),
    ],
)
def test_values_out_of_their_range_are_refused_with_a_code(
    field: str, value: object, words: str
) -> None:
    entry = {"request_id": "r", "reward": 1.0} | {field: value}
    with pytest.raises(InvalidInput) as info:
        parse_feedback(entry)
    assert info.value.code == "invalid_feedback"
    assert words in info.value.message


def test_the_bounds_are_the_columns_and_keep_sums_finite() -> None:
    assert MAX_REQUEST_ID == schema.feedback.c.request_id.type.length == 128
    assert MAX_LABEL == schema.label_confusion.c.actual.type.length == 200
    # a billion of the largest values, squared and summed, is still a finite float
    assert MAX_NUMBER * MAX_NUMBER * 1e9 < 1e300
    edge = parse_feedback(
        {"request_id": "r" * 128, "reward": -MAX_NUMBER, "cost": MAX_NUMBER, "label": "y" * 200}
    )
    assert {i["kind"] for i in edge} == {"reward", "cost", "label"}
