from __future__ import annotations

import pytest

from pasarela.errors import InvalidRequest
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
        ({"request_id": "r", "cost": -1}, "must not be negative"),
        ({"request_id": "r", "label": [1, 2]}, "label must be"),
        ({"request_id": "r", "reward": 1, "score": 2}, "unknown fields: score"),
        ({"request_id": "r", "reward": 1, "attributes": [1]}, "attributes must be an object"),
        ([], "between 1 and 1000"),
        ("text", "must be an object"),
    ],
)
def test_bad_feedback_names_the_problem(body: object, words: str) -> None:
    with pytest.raises(InvalidRequest) as info:
        parse_feedback(body)
    assert words in info.value.message
