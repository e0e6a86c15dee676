"""Recently diagnosed runs' points, kept in the API process by metrics revision.

Recomputing a diagnosis after a run's new epoch would otherwise read its whole history
again (6,000 rows for 1,000 epochs x 6 keys: a third of the recompute). The process that
stores a run's new points usually serves its diagnosis too, so a write that follows the
cached revision extends the cached series; anything else (a worker process wrote, the
cache is behind) drops the entry and the next read goes to the database.

A write extends the cached lists in place (under the lock) and a reader gets copies of
them: one copy per diagnosis, not one per write (copying a 25,000-point series on each of
a run's writes cost as much as its diagnoses). Applying a write's points is idempotent
(the last value of a step wins, as in the table), so a series read a little ahead of its
revision is harmless.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Sequence
from itertools import groupby
from typing import Any

from service.store.models import null_to_nan

Series = dict[str, list[tuple[int, float]]]


class SeriesCache:
    def __init__(self, max_runs: int = 64) -> None:
        self._runs: OrderedDict[str, tuple[int, Series]] = OrderedDict()
        self._lock = threading.Lock()
        self.max_runs = max_runs

    def get(self, run_id: str, rev: int) -> Series | None:
        """The run's series at revision `rev` or a later one (the points of writes that
        committed since the caller read `rev`: a diagnosis of a run being written to reads
        them from here, not the whole history from the database)."""
        with self._lock:
            entry = self._runs.get(run_id)
            if entry is None or entry[0] < rev:
                return None
            self._runs.move_to_end(run_id)
            return {key: list(points) for key, points in entry[1].items()}

    def put(self, run_id: str, rev: int, series: Series) -> None:
        with self._lock:
            entry = self._runs.get(run_id)
            if entry is not None and entry[0] > rev:
                return  # a later revision is here already
            self._runs[run_id] = (rev, {key: list(points) for key, points in series.items()})
            self._runs.move_to_end(run_id)
            while len(self._runs) > self.max_runs:
                self._runs.popitem(last=False)

    def drop(self, run_id: str) -> None:
        with self._lock:
            self._runs.pop(run_id, None)

    def advance(self, run_id: str, rev: int, rows: Sequence[tuple[Any, ...]]) -> None:
        """Revision `rev` wrote `rows` (run_id, key, step, value-or-None, ...), sorted by
        (key, step)."""
        with self._lock:
            entry = self._runs.get(run_id)
            if entry is None or entry[0] >= rev:
                return
            if entry[0] != rev - 1:  # another writer came between: the cache is behind
                del self._runs[run_id]
                return
            series = entry[1]  # no reader holds these lists: `get` hands out copies
            for key, group in groupby(rows, key=lambda row: row[1]):
                new = [(row[2], null_to_nan(row[3])) for row in group]
                old = series.get(key)
                if old is None:
                    series[key] = new
                elif not old or new[0][0] > old[-1][0]:
                    old.extend(new)  # the usual case: new epochs at the end
                else:
                    merged = dict(old)
                    merged.update(new)
                    series[key] = sorted(merged.items())
            self._runs[run_id] = (rev, series)
