"""Diagnosing a stored run: read its series and facts, ask the advisor, store the answer.

The stored diagnosis is keyed by the run's revision (bumped by new points, a status
change, an experiment's finding), so it is recomputed only when the run changed (or the
advisor's version did). Diagnosis on write: a process that changes a run re-diagnoses it
right after the change commits, in a `Diagnoser` thread of its own (the API process for
metrics posted over HTTP, the worker for its job's epochs), so a change of status is
recorded (`diagnosis.changed`) when it happens, not when someone reads it; the sweeper
catches up on whatever a process that died left undone, and on a new advisor version.
"""

from __future__ import annotations

import logging
import math
import time
import weakref
from collections.abc import Callable

from service.advisor import ADVISOR_VERSION, RunFacts, diagnose
from service.background import Background
from service.schemas import Diagnosis, DiagnosisStatus, Evidence
from service.store import DiagnosisStore, Stores, TrackingStore

log = logging.getLogger("fitdoc.diagnosis")


def diagnose_run(
    diagnoses: DiagnosisStore,
    run_id: str,
    save: Callable[[str, int, Diagnosis], None] | None = None,
) -> Diagnosis:
    """The run's diagnosis, stored when current; a new one is stored by `save` (default:
    at once, with its `diagnosis.changed` event when the status or cause changed)."""
    inputs = diagnoses.diagnosis_inputs(run_id, ADVISOR_VERSION)
    if inputs.cached is not None:
        return inputs.cached
    probe = inputs.spec.get("probe") if isinstance(inputs.spec, dict) else None
    if isinstance(probe, dict):
        result = probe_diagnosis(run_id, str(probe.get("kind")))
    else:
        facts = RunFacts(
            run_id=run_id,
            params=inputs.params or {},
            meta=inputs.meta or {},
            spec=inputs.spec,
            run_status=inputs.run_status,
            findings=inputs.findings,
        )
        result = diagnose(inputs.series or {}, facts)
    (save or diagnoses.save_diagnosis)(run_id, inputs.metrics_rev, result)
    return result


def probe_diagnosis(run_id: str, kind: str) -> Diagnosis:
    """A probe job's run (its spec has a `probe`): its curve measures a model (an lr sweep,
    Lanczos iterates, ensemble members), it is not a training run, so the advisor does not
    read it as one. What the probe found is the job's `result`."""
    return Diagnosis(
        run_id=run_id,
        status=DiagnosisStatus.insufficient_data,
        confidence=1.0,
        summary=f"a {kind} probe job: its points are a measurement, not training; what it "
        "found is the job's result",
        evidence=[Evidence(signal="probe", value=kind,
                           message=f"the run of a {kind} probe job (spec.probe)")],
        advisor_version=ADVISOR_VERSION,
    )


def refresh_stale_diagnoses(
    diagnoses: DiagnosisStore, project: str | None = None, limit: int | None = None
) -> int:
    """Bring stored diagnoses up to date (at most `limit` runs): the sweeper's catch-up."""
    stale = diagnoses.stale_run_ids(ADVISOR_VERSION, project, limit=limit)
    for run_id in stale:
        diagnose_run(diagnoses, run_id)
    return len(stale)


# A run is diagnosed again at the earliest this many times its last diagnosis's duration
# after that one began: the Diagnoser spends at most ~1/SHARE of its process's time on one
# run that logs without pause (a 25,000-epoch run costs 10 - 40 ms a diagnosis).
SHARE = 20
# A run written to again and again while it waits for its next diagnosis (a burst: a
# client posting batches back to back, epochs of a few milliseconds) is diagnosed once it
# pauses for the interval, or BURST intervals after the burst's first write: a burst costs
# a diagnosis a second (at the default 0.2 s), not five, and an epoch logged after a pause
# is still diagnosed at once.
BURST = 5


class Diagnoser(Background):
    """Diagnosis on write, debounced: `request(run_id)` (called once a change of the run
    has committed) marks the run; one thread re-diagnoses marked runs one at a time, each
    at most once per `interval` seconds, or SHARE times its last diagnosis's duration when
    that is longer (a very long run: a few per second at most), and during a burst of
    writes once it pauses or every BURST intervals. A run marked again while it is being
    diagnosed, or while it waits, is diagnosed once more afterwards, so the latest points
    are always read: a change is told within the wait plus one diagnosis."""

    def __init__(self, diagnoses: DiagnosisStore, interval: float = 0.0) -> None:
        super().__init__("fitdoc-diagnoser")
        self.diagnoses = diagnoses
        self.interval = interval
        # run -> [its first and last request since it was last taken, how many]; in the
        # order of the first requests
        self._marked: dict[str, list[float]] = {}
        # run -> when its last diagnosis began, and the wait before the next one
        self._began: dict[str, tuple[float, float]] = {}
        self._busy: str | None = None
        self.done = 0  # diagnoses made (a figure for the benchmarks)

    def request(self, run_id: str) -> None:
        with self._cond:
            now = time.monotonic()
            marked = self._marked.get(run_id)
            if marked is not None:
                # already waiting: its due time can only move later, so the thread (which
                # wakes at the earlier one and looks again) need not be woken: a burst of
                # writes costs no thread switch per write
                marked[1] = now
                marked[2] += 1
                return
            self._marked[run_id] = [now, now, 1]
            self._wake()

    def _next(self) -> str:
        """The first marked run whose interval has passed (waiting for one), marked busy."""
        while True:
            if not self._marked:
                self._busy = None
                self._cond.notify_all()  # wait_idle
                self._cond.wait()
                continue
            now = time.monotonic()
            soonest = None
            for run_id, (first, last, requests) in self._marked.items():
                began, wait = self._began.get(run_id, (-math.inf, 0.0))
                due = began + wait
                if requests > 1:  # a burst: when it pauses, or BURST intervals on
                    due = max(due, min(last + self.interval, first + BURST * self.interval))
                if due <= now:
                    del self._marked[run_id]
                    self._busy = run_id
                    self._began[run_id] = (now, self.interval)
                    if len(self._began) > 10_000:  # forget runs past their interval
                        self._began = {r: (t, w) for r, (t, w) in self._began.items()
                                       if t + w > now}
                    return run_id
                soonest = due if soonest is None else min(soonest, due)
            self._busy = None
            self._cond.wait(soonest - now)

    def _loop(self) -> None:
        while True:
            with self._cond:
                run_id = self._next()
            try:
                diagnose_run(self.diagnoses, run_id)
                self.done += 1
            except Exception:  # noqa: BLE001 - the sweeper diagnoses it later
                log.exception("run %s: diagnosis on write failed", run_id)
            finally:
                with self._cond:
                    began, wait = self._began.get(run_id, (time.monotonic(), 0.0))
                    took = time.monotonic() - began
                    self._began[run_id] = (began, max(wait, SHARE * took))

    def _idle(self) -> bool:
        return not self._marked and self._busy is None


_DIAGNOSERS: weakref.WeakKeyDictionary[TrackingStore, Diagnoser] = weakref.WeakKeyDictionary()


def diagnose_on_write(stores: Stores, interval: float = 0.0) -> Diagnoser:
    """The process's Diagnoser for `stores`, listening to its run changes (made once; a
    run diagnosed at most once per `interval` seconds)."""
    diagnoser = _DIAGNOSERS.get(stores.tracking)
    if diagnoser is None:
        diagnoser = _DIAGNOSERS[stores.tracking] = Diagnoser(stores.diagnoses, interval)
        stores.tracking.revised.append(diagnoser.request)
    return diagnoser
