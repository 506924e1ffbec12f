"""``benchmarks/path_cost.py`` runs every piece against the real objects and reports each."""

from __future__ import annotations

import asyncio

from benchmarks import path_cost


def test_every_piece_is_measured() -> None:
    lines = asyncio.run(path_cost.measure(calls=40, redis_url=None))
    names = [line.split(" | ")[0].removeprefix("| ") for line in lines]
    assert names[:3] == ["parse (orjson + headers)", "authenticate a key", "rate limit, memory"]
    for guard in path_cost.GUARDS:
        assert f"input guard: {guard}" in names
    for policy in path_cost.POLICIES:
        assert f"route: {policy}" in names
    for piece in ("model alone", "batcher round trip", "record (sealed", "reply encode"):
        assert any(name.startswith(piece) for name in names), piece
    for line in lines:
        p50, p99 = (float(cell) for cell in line.strip("| ").split(" | ")[1:])
        assert 0 <= p50 <= p99


def test_the_pieces_give_the_servers_answers() -> None:
    model, row = path_cost.fitted_model()
    outputs = path_cost.runtime_of(model).predict_batch([row])
    assert isinstance(outputs[0], dict)
    assert set(outputs[0]) == {"label", "probabilities"}
