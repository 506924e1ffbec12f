"""The soak's memory verdict (``benchmarks/harness/flatness.py``)."""

from __future__ import annotations

import pytest
from benchmarks.harness.flatness import rss_flatness


def test_a_steady_series_is_flat() -> None:
    verdict = rss_flatness([200.0, 203.0, 209.9, 201.0])
    assert verdict["flat"] is True
    assert verdict["max_mib"] == 209.9
    assert verdict["last_change"] == 0.005


def test_growth_past_the_tolerance_is_not_flat() -> None:
    verdict = rss_flatness([200.0, 205.0, 211.0])
    assert verdict["flat"] is False
    assert verdict["last_change"] == 0.055


def test_a_spike_given_back_still_fails_on_the_max() -> None:
    assert rss_flatness([200.0, 230.0, 200.0])["flat"] is False


def test_shrinking_past_the_tolerance_is_not_flat() -> None:
    assert rss_flatness([200.0, 180.0])["flat"] is False


def test_the_tolerance_is_a_parameter() -> None:
    assert rss_flatness([200.0, 215.0], tolerance=0.1)["flat"] is True


def test_no_samples_is_an_error() -> None:
    with pytest.raises(ValueError, match="no RSS samples"):
        rss_flatness([])
