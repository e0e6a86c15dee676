"""Jobs that survive their worker, on SQLite and PostgreSQL: leases that lapse are taken
over, every write of an attempt is fenced by its lease, a resumed attempt puts the run's
points in step with its saved state, the outbox of unsent messages."""

from __future__ import annotations

import time

import pytest

from service.schemas import JobStatus, MetricPoint, RunCreate
from service.store import Stores
from service.store.jobs import LeaseHeld, LeaseLost

pytestmark = pytest.mark.integration

SPEC = {"dataset": {"name": "wine"}, "training": {"epochs": 5}}


@pytest.fixture
def stores(database_url) -> Stores:
    return Stores.open(database_url)


def _points(epoch: int, loss: float) -> list[MetricPoint]:
    return [MetricPoint(key="train_loss", step=epoch, value=loss),
            MetricPoint(key="val_loss", step=epoch, value=loss + 1)]


def due(jobs, resend_after: float) -> list[str]:
    # every due job of the shared test database (other tests leave queued jobs behind)
    return jobs.due_for_sending(resend_after, limit=10**9)


def _job(stores: Stores, unique: str):
    return stores.jobs.create_job(RunCreate(project=f"recovery-{unique}"), SPEC, epochs=5)


def test_a_lapsed_lease_is_taken_over_and_the_old_attempt_is_fenced_out(stores, unique):
    jobs = stores.jobs
    job = _job(stores, unique)
    first = jobs.claim_job(job.id, "worker-a", 0).lease  # a lease that lapses at once
    jobs.record_epoch(first, job.run_id, 1, _points(0, 2.0))

    swept = jobs.expire_leases()
    assert job.id in swept.requeued
    requeued = jobs.get_job(job.id)
    assert requeued.status == JobStatus.queued and requeued.progress.epoch == 1
    assert job.id in due(jobs, 3600)  # the outbox sends it again

    second = jobs.claim_job(job.id, "worker-b", 60).lease
    assert second.attempt == first.attempt + 1
    # the first attempt wakes up: none of its writes lands
    with pytest.raises(LeaseLost):
        jobs.record_epoch(first, job.run_id, 2, _points(1, 1.5))
    with pytest.raises(LeaseLost):
        jobs.finish_job(job.id, JobStatus.succeeded, lease=first)
    with pytest.raises(LeaseLost):
        jobs.start_attempt(first, job.run_id, 0)
    assert jobs.renew_lease(first, 60) is False
    assert jobs.holds(first) is False and jobs.holds(second) is True
    assert jobs.get_job(job.id).status == JobStatus.running
    assert [s for s, _ in stores.tracking.read_series(job.run_id)["train_loss"]] == [0]
    # a copy of the message meets the live lease
    with pytest.raises(LeaseHeld):
        jobs.claim_job(job.id, "worker-c", 60)
    jobs.finish_job(job.id, JobStatus.succeeded, lease=second)
    assert jobs.get_job(job.id).status == JobStatus.succeeded


def test_a_live_lease_is_not_swept_and_its_heartbeat_is_shown(stores, unique):
    jobs = stores.jobs
    job = _job(stores, unique)
    lease = jobs.claim_job(job.id, "worker-a", 60).lease
    before = jobs.get_job(job.id).heartbeat_at
    time.sleep(0.01)
    assert jobs.renew_lease(lease, 60) is True
    assert jobs.get_job(job.id).heartbeat_at > before
    assert job.id not in jobs.expire_leases().requeued
    assert jobs.get_job(job.id).status == JobStatus.running


def test_a_resumed_attempt_rewrites_its_epochs_and_drops_the_dead_ones_above(stores, unique):
    jobs, tracking = stores.jobs, stores.tracking
    job = _job(stores, unique)
    dead = jobs.claim_job(job.id, "worker-a", 0).lease
    for epoch, loss in enumerate([2.0, 1.5, 1.2, 1.0]):  # 4 epochs written ...
        jobs.record_epoch(dead, job.run_id, epoch + 1, _points(epoch, loss))
    jobs.expire_leases()
    lease = jobs.claim_job(job.id, "worker-b", 60).lease
    # ... but the saved state holds 2 (the worker died before saving the others)
    history = _points(0, 2.0) + _points(1, 1.5)
    jobs.start_attempt(lease, job.run_id, 2, history)

    series = tracking.read_series(job.run_id)
    assert series["train_loss"] == [(0, 2.0), (1, 1.5)]
    assert series["val_loss"] == [(0, 3.0), (1, 2.5)]
    run = tracking.get_run(job.run_id)
    assert run.latest["train_loss"] == 1.5  # the latest values follow
    shown = jobs.get_job(job.id)
    assert shown.resumed_from_epoch == 2 and shown.progress.epoch == 2 and shown.attempts == 2
    jobs.record_epoch(lease, job.run_id, 3, _points(2, 1.1))
    assert [s for s, _ in tracking.read_series(job.run_id)["train_loss"]] == [0, 1, 2]

    # an attempt that starts over from epoch 0 leaves no point of the dead one
    jobs.finish_job(job.id, JobStatus.failed, "x", lease=lease)
    again = _job(stores, unique)
    old = jobs.claim_job(again.id, "worker-a", 0).lease
    jobs.record_epoch(old, again.run_id, 1, _points(0, 2.0))
    jobs.expire_leases()
    jobs.start_attempt(jobs.claim_job(again.id, "worker-b", 60).lease, again.run_id, 0)
    assert tracking.read_series(again.run_id) == {}
    assert jobs.get_job(again.id).resumed_from_epoch is None


def test_cancel_of_a_job_whose_worker_is_gone_ends_it(stores, unique):
    jobs = stores.jobs
    gone = _job(stores, unique)
    jobs.claim_job(gone.id, "worker-a", 0)
    assert jobs.request_cancel(gone.id).status == JobStatus.cancelled

    live = _job(stores, unique)
    lease = jobs.claim_job(live.id, "worker-a", 60).lease
    assert jobs.request_cancel(live.id).status == JobStatus.running  # it stops at its epoch end
    jobs.finish_job(live.id, JobStatus.cancelled, lease=lease)

    # a cancel asked while the lease was live, then the worker died: the sweeper ends it
    late = _job(stores, unique)
    jobs.claim_job(late.id, "worker-a", 1)
    jobs.request_cancel(late.id)
    time.sleep(1.1)
    swept = jobs.expire_leases()
    assert late.id in swept.cancelled
    assert jobs.get_job(late.id).status == JobStatus.cancelled


def test_the_outbox_sends_unsent_jobs_and_resends_with_a_growing_wait(stores, unique):
    jobs = stores.jobs
    job = _job(stores, unique)
    assert job.id in due(jobs, 3600)  # never sent
    jobs.mark_sent(job.id)
    assert job.id not in due(jobs, 3600)
    time.sleep(0.01)
    assert job.id in due(jobs, 0.001)
    jobs.mark_sent(job.id)
    time.sleep(0.4)
    # after the second send it waits twice as long: 0.35 s alone would be due by now, twice
    # that is not (0.3 s of slack for a loaded machine; a 10 ms margin failed once in CI)
    assert job.id in due(jobs, 0.15)
    assert job.id not in due(jobs, 0.35)
    jobs.claim_job(job.id, "worker-a", 60)
    assert job.id not in due(jobs, 0.001)  # running: not queued


def test_a_job_whose_every_attempt_dies_fails_instead_of_looping(stores, unique):
    """A worker killed by the kernel for memory on every attempt: after max_attempts
    lapsed leases the job fails, saying why, instead of being taken over for ever."""
    jobs = stores.jobs
    job = _job(stores, unique)
    for attempt in (1, 2, 3):
        lease = jobs.claim_job(job.id, f"worker-{attempt}", 0).lease  # lapses at once
        assert lease.attempt == attempt
        swept = jobs.expire_leases(max_attempts=3)
        if attempt < 3:
            assert job.id in swept.requeued and job.id not in swept.failed
    assert job.id in swept.failed
    failed = jobs.get_job(job.id)
    assert failed.status == JobStatus.failed
    assert "3 attempts" in failed.error and "memory" in failed.error
    assert stores.tracking.get_run(job.run_id).status.value == "failed"
    assert jobs.claim_job(job.id, "worker-4", 60) is None
