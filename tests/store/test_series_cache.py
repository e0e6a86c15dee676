from __future__ import annotations

import math

from service.store.series_cache import SeriesCache


def rows(key: str, points: list[tuple[int, float | None]]) -> list[tuple]:
    return [("run", key, step, value, 0) for step, value in points]


def test_a_write_that_follows_the_cached_revision_extends_it():
    cache = SeriesCache()
    base = {"loss": [(0, 1.0), (1, 0.5)]}
    cache.put("run", 3, base)
    cache.advance("run", 4, rows("loss", [(2, None)]) + rows("lr", [(2, 0.1)]))
    series = cache.get("run", 4)
    assert series is not None and series["lr"] == [(2, 0.1)]
    assert series["loss"][:2] == [(0, 1.0), (1, 0.5)] and math.isnan(series["loss"][2][1])
    assert base == {"loss": [(0, 1.0), (1, 0.5)]}  # a reader's old series is left alone
    # a reader that read revision 3 gets the later points too (a read a little ahead)
    assert cache.get("run", 3) == series and cache.get("run", 5) is None
    cache.put("run", 3, base)  # an older revision read from the database does not win
    assert cache.get("run", 4) == series
    # a reader's copy stays as it was while writes extend the cached series
    cache.advance("run", 5, rows("loss", [(3, 0.1)]))
    assert len(series["loss"]) == 3 and len(cache.get("run", 5)["loss"]) == 4


def test_an_overwrite_in_the_middle_replaces_that_step():
    cache = SeriesCache()
    cache.put("run", 1, {"loss": [(0, 1.0), (1, 0.5), (2, 0.25)]})
    cache.advance("run", 2, rows("loss", [(1, 0.75), (3, 0.2)]))
    assert cache.get("run", 2) == {"loss": [(0, 1.0), (1, 0.75), (2, 0.25), (3, 0.2)]}


def test_a_gap_in_revisions_drops_the_entry_and_old_writes_are_ignored():
    cache = SeriesCache()
    cache.put("run", 5, {"loss": [(0, 1.0)]})
    cache.advance("run", 5, rows("loss", [(1, 9.0)]))  # already included: nothing changes
    assert cache.get("run", 5) == {"loss": [(0, 1.0)]}
    cache.advance("run", 7, rows("loss", [(2, 0.5)]))  # revision 6 came from elsewhere
    assert cache.get("run", 5) is None and cache.get("run", 7) is None
    assert cache.get("run", 1) is None


def test_least_recently_used_runs_leave_first():
    cache = SeriesCache(max_runs=2)
    cache.put("a", 1, {})
    cache.put("b", 1, {})
    assert cache.get("a", 1) == {}
    cache.put("c", 1, {})
    assert cache.get("b", 1) is None and cache.get("a", 1) == {} and cache.get("c", 1) == {}
