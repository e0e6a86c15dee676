"""The downsampling rule (service/downsample.py): a page at a time is the same as at once,
every bucket's extremes and the ends are kept, never more than max_points."""

from __future__ import annotations

import math
import random

import pytest

from service.downsample import Downsampler, downsample, downsample_pages


def series(n: int, rng: random.Random) -> list[tuple[int, float]]:
    choices = [0.5, 1.0, math.nan, math.inf, -math.inf]
    return [(3 * i, rng.random() if rng.random() < 0.8 else rng.choice(choices))
            for i in range(n)]


def fed(points: list[tuple[int, float]], n: int, max_points: int, page: int) -> list:
    sampler = Downsampler(n, max_points)
    for start in range(0, len(points), page):
        sampler.add(points[start:start + page])
    return sampler.points()


@pytest.mark.parametrize("seed", range(40))
def test_pages_of_any_size_give_what_the_whole_series_gives(seed):
    rng = random.Random(seed)
    points = series(rng.choice([0, 1, 2, 3, 9, 64, 500, 3001]), rng)
    max_points = rng.choice([2, 3, 4, 5, 10, 99, 1000])
    whole = downsample(points, max_points)
    for page in (1, 2, 7, 100, 5000):
        assert repr(fed(points, len(points), max_points, page)) == repr(whole)  # NaN == NaN


@pytest.mark.parametrize("max_points", [2, 3, 4, 5, 6, 11, 100])
def test_at_most_max_points_with_the_ends_and_each_buckets_extremes(max_points):
    rng = random.Random(max_points)
    values = [math.sin(i / 40) + rng.random() / 10 for i in range(4000)]
    values[1234], values[2345], values[3456] = 80.0, -80.0, math.nan
    points = list(enumerate(values))
    kept = downsample(points, max_points)
    assert len(kept) <= max_points
    assert kept[0] == points[0] and kept[-1] == points[-1]
    assert [s for s, _ in kept] == sorted(s for s, _ in kept)
    if max_points >= 4:  # a bucket at least: the lowest, and NaN as the highest
        assert (2345, -80.0) in kept
        assert any(s == 3456 and math.isnan(v) for s, v in kept)
    if max_points >= 6:  # the spike and the NaN in buckets of their own
        assert (1234, 80.0) in kept


def test_a_short_series_is_kept_whole():
    points = [(0, 1.0), (5, math.nan), (6, 2.0)]
    assert repr(downsample(points, 3)) == repr(points)
    assert downsample([], 10) == []


@pytest.mark.parametrize(("counted", "fed_points"), [(500, 520), (500, 480), (0, 30), (1, 30),
                                                     (10, 14), (10, 3)])
def test_a_series_that_changed_after_its_count_still_keeps_the_ends_within_the_bound(
    counted, fed_points
):
    points = series(fed_points, random.Random(counted))
    kept = fed(points, counted, 10, 7)
    assert len(kept) <= 10
    assert kept[0] == points[0] and repr(kept[-1]) == repr(points[-1])


def test_pages_of_several_keys():
    rng = random.Random(5)
    loss, acc = series(300, rng), series(40, rng)
    pages = [("acc", acc[:25]), ("acc", acc[25:]), ("loss", loss[:100]), ("loss", loss[100:]),
             ("lr", [])]
    got = downsample_pages(pages, {"acc": 40, "loss": 300}, 50)
    assert list(got) == ["acc", "loss", "lr"]
    assert repr(got["acc"]) == repr(acc)
    assert repr(got["loss"]) == repr(downsample(loss, 50)) and len(got["loss"]) <= 50
    assert got["lr"] == []


def test_max_points_below_two_is_refused():
    with pytest.raises(ValueError):
        Downsampler(10, 1)
