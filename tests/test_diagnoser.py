"""Diagnosis on write (service/diagnosis.py's Diagnoser): debounced per run, the latest
points always read, one failure not the end of the thread; and on a real store, a run's
change of status recorded once as an event."""

from __future__ import annotations

import threading
import time

import pytest

import service.diagnosis
from service.diagnosis import SHARE, Diagnoser, diagnose_on_write
from service.schemas import EventType, MetricPoint, RunCreate
from service.store import Stores, migrate
from tests.utils.live import OVERFIT_EPOCHS, OVERFIT_META, epoch_points


@pytest.fixture
def calls(monkeypatch) -> list[str]:
    """The runs diagnosed, in order (no store behind them); the first waits for
    `calls.release` (an Event) once it has set `calls.started`."""

    class Calls(list):
        started = threading.Event()
        release = threading.Event()

    made = Calls()
    real = service.diagnosis.diagnose_run

    def diagnose_run(diagnoses, run_id, save=None):
        if diagnoses is not None:  # another test's app, still diagnosing in this process
            return real(diagnoses, run_id, save=save)
        made.append(run_id)
        if run_id == "fails":
            raise RuntimeError("the database went away")
        if len(made) == 1:
            made.started.set()
            assert made.release.wait(10)

    monkeypatch.setattr(service.diagnosis, "diagnose_run", diagnose_run)
    return made


def test_a_burst_of_requests_while_a_run_is_diagnosed_costs_one_more(calls):
    diagnoser = Diagnoser(diagnoses=None)
    diagnoser.request("a")
    assert calls.started.wait(5)
    for _ in range(5):  # new points of a while it is being diagnosed
        diagnoser.request("a")
    diagnoser.request("b")
    diagnoser.request("a")
    assert not diagnoser.wait_idle(timeout=0.2)  # a is still in hand
    held = time.monotonic()
    calls.release.set()
    assert diagnoser.wait_idle(timeout=30)
    # a once more (its latest points), after b: a diagnosis that took long pushes the
    # run's next one back (SHARE times as long), and other runs do not wait for it
    assert calls == ["a", "b", "a"] and diagnoser.done == 3
    assert time.monotonic() - held >= 0.2 * (SHARE - 1)  # a's first took >= 0.2 s


def test_a_run_whose_diagnosis_takes_long_is_diagnosed_less_often(calls):
    """A diagnosis of 50 ms: the next one of that run no sooner than SHARE x 50 ms."""
    calls.release.set()
    calls.append("warm")  # not the first call: none of them blocks

    real = service.diagnosis.diagnose_run

    def slow(diagnoses, run_id, save=None):
        if diagnoses is not None:  # another test's app, as in `calls`
            return real(diagnoses, run_id, save=save)
        calls.append(run_id)
        time.sleep(0.05)

    service.diagnosis.diagnose_run = slow  # monkeypatched by `calls` (undone after)
    diagnoser = Diagnoser(diagnoses=None, interval=0.0)
    start = time.monotonic()
    while time.monotonic() - start < 2.0:
        diagnoser.request("long")
        time.sleep(0.005)
    assert diagnoser.wait_idle(timeout=10)
    assert 2 <= calls.count("long") <= 2.0 / (SHARE * 0.05) + 2, calls


def test_a_run_is_diagnosed_at_most_once_per_interval(calls):
    calls.release.set()
    diagnoser = Diagnoser(diagnoses=None, interval=0.2)
    start = time.monotonic()
    while time.monotonic() - start < 1.0:  # a run logging every 5 ms for a second
        diagnoser.request("a")
        time.sleep(0.005)
    diagnoser.request("b")  # another run is not held back by a's interval
    assert diagnoser.wait_idle(timeout=5)  # a's last request was served, after its wait
    assert calls.count("b") == 1
    assert 2 <= calls.count("a") <= 1.0 / 0.2 + 2, calls  # not one per request (~200)


def test_a_burst_of_writes_is_diagnosed_at_its_start_and_when_it_pauses(calls):
    calls.release.set()
    diagnoser = Diagnoser(diagnoses=None, interval=0.2)
    start = time.monotonic()
    while time.monotonic() - start < 0.6:  # batches back to back for 0.6 s (< BURST x 0.2)
        diagnoser.request("a")
        time.sleep(0.005)
    assert diagnoser.wait_idle(timeout=5)
    # the first write, then the latest points once it paused: not one per 0.2 s (4)
    assert 2 <= calls.count("a") <= 3, calls


def test_a_failed_diagnosis_leaves_the_thread_running(calls):
    calls.release.set()
    diagnoser = Diagnoser(diagnoses=None)
    diagnoser.request("first")
    diagnoser.request("fails")
    diagnoser.request("after")
    assert diagnoser.wait_idle(timeout=5)
    assert calls == ["first", "fails", "after"] and diagnoser.done == 2
    diagnoser.request("later")
    assert diagnoser.wait_idle(timeout=5) and calls[-1] == "later"


def test_a_run_that_turns_to_overfitting_is_recorded_once(tmp_path):
    """The store's writes call the Diagnoser after they commit: each epoch's points, as a
    training script logs them; the stored diagnosis follows, each change one event."""
    url = f"sqlite:///{tmp_path / 'fitdoc.db'}"
    migrate.upgrade(url)
    stores = Stores.open(url)
    try:
        diagnoser = diagnose_on_write(stores)
        assert diagnose_on_write(stores) is diagnoser  # one per process and stores
        run = stores.tracking.create_run(RunCreate(project="p", meta=OVERFIT_META))
        for epoch in range(OVERFIT_EPOCHS):
            points = [MetricPoint(**point) for point in epoch_points(epoch)["metrics"]]
            stores.tracking.log_metrics(run.id, points)
        assert diagnoser.wait_idle(timeout=30)
        stored = stores.diagnoses.diagnosis_inputs(run.id, service.diagnosis.ADVISOR_VERSION)
        assert stored.cached is not None and stored.cached.status.value == "overfitting"
        changes = stores.events.read_after(0, run_id=run.id,
                                           types=[EventType.diagnosis_changed])
        statuses = [change.data["status"] for change in changes]
        assert statuses.count("overfitting") == 1 and statuses[-1] == "overfitting"
        assert 1 <= diagnoser.done <= OVERFIT_EPOCHS + 1
    finally:
        stores.db.dispose()
