"""run_job called directly (no broker): what a job does when its end goes wrong."""

from __future__ import annotations

import threading
from dataclasses import replace

import pytest

from service.schemas import JobStatus, RunCreate
from service.store.jobs import LeaseLost
from workers.jobs import epoch_hooks, epoch_points, run_job

pytestmark = pytest.mark.integration

SPEC = {
    "dataset": {"name": "wine"},
    "model": {"arch": "mlp", "width": 16, "depth": 1},
    "optimizer": {"name": "adam", "lr": 0.01},
    "training": {"epochs": 2, "batch_size": 32, "device": "cpu"},
}


def test_a_checkpoint_that_cannot_be_written_fails_the_job_and_says_where(app, tmp_path, unique):
    stores = app.state.stores
    settings = app.state.settings.model_copy(update={"data_dir": tmp_path})
    (tmp_path / "checkpoints").write_text("a file where the checkpoint folder should be")
    job = stores.jobs.create_job(RunCreate(project=f"ckfail-{unique}"), SPEC, epochs=2)

    outcome = run_job(stores.jobs, job.id, "test-worker", settings)

    done = stores.jobs.get_job(job.id)
    assert outcome.startswith("failed") and done.status == JobStatus.failed
    assert "checkpoint could not be written" in done.error
    assert str(settings.checkpoint_path(job.id)) in done.error
    # the epochs it trained are recorded all the same
    assert done.progress.epoch == 2


def test_an_epoch_is_one_write_that_also_reads_the_cancel_flag(app, unique):
    stores = app.state.stores
    jobs = stores.jobs
    job = jobs.create_job(RunCreate(project=f"epoch-{unique}"), SPEC, epochs=3)
    lease = jobs.claim_job(job.id, "test-worker", 60).lease

    assert jobs.record_epoch(lease, job.run_id, 1, epoch_points(0, {"train_loss": 2.0})) is False
    jobs.request_cancel(job.id)
    assert jobs.record_epoch(lease, job.run_id, 2, epoch_points(1, {"train_loss": 1.5})) is True
    assert jobs.get_job(job.id).progress.epoch == 2
    assert [step for step, _ in stores.tracking.read_series(job.run_id)["train_loss"]] == [0, 1]

    # an unknown job, or another attempt's lease: nothing of the epoch is written
    for wrong in (replace(lease, job_id="nope"), replace(lease, attempt=2),
                  replace(lease, owner="someone-else")):
        with pytest.raises(LeaseLost):
            jobs.record_epoch(wrong, job.run_id, 3, epoch_points(2, {"train_loss": 1.0}))
    assert [step for step, _ in stores.tracking.read_series(job.run_id)["train_loss"]] == [0, 1]


def test_the_hooks_see_a_cancel_before_the_first_epoch_and_after_each(app, unique):
    stores = app.state.stores
    early = stores.jobs.create_job(RunCreate(project=f"hooks-{unique}"), SPEC, epochs=3)
    lease = stores.jobs.claim_job(early.id, "test-worker", 60).lease
    on_epoch, should_stop, _ = epoch_hooks(stores.jobs, lease, early.run_id)
    assert should_stop() is False
    stores.jobs.request_cancel(early.id)  # while the data loads, before epoch 0
    assert should_stop() is True

    late = stores.jobs.create_job(RunCreate(project=f"hooks-{unique}"), SPEC, epochs=3)
    lease = stores.jobs.claim_job(late.id, "test-worker", 60).lease
    on_epoch, should_stop, _ = epoch_hooks(stores.jobs, lease, late.run_id)
    on_epoch(0, {"train_loss": 2.0})
    assert should_stop() is False
    stores.jobs.request_cancel(late.id)
    on_epoch(1, {"train_loss": 1.0})
    assert should_stop() is True and stores.jobs.get_job(late.id).progress.epoch == 2


def test_hooks_of_an_attempt_whose_lease_was_lost_write_nothing(app, unique):
    stores = app.state.stores
    job = stores.jobs.create_job(RunCreate(project=f"lost-{unique}"), SPEC, epochs=3)
    lease = stores.jobs.claim_job(job.id, "test-worker", 60).lease
    lost = threading.Event()
    on_epoch, should_stop, on_resume = epoch_hooks(stores.jobs, lease, job.run_id, lost)
    on_epoch(0, {"train_loss": 2.0})
    lost.set()  # the heartbeat found the lease taken
    for call in (lambda: on_epoch(1, {"train_loss": 1.0}), should_stop,
                 lambda: on_resume(1, [{"train_loss": 2.0}])):
        with pytest.raises(LeaseLost):
            call()
    assert [step for step, _ in stores.tracking.read_series(job.run_id)["train_loss"]] == [0]


def test_the_worker_trains_with_the_threads_it_chose(app, tmp_path, unique):
    import os

    import torch

    from service.settings import Settings

    stores = app.state.stores
    before = torch.get_num_threads()
    try:
        settings = app.state.settings.model_copy(update={"data_dir": tmp_path,
                                                         "worker_threads": before + 1})
        job = stores.jobs.create_job(RunCreate(project=f"threads-{unique}"), SPEC, epochs=2)
        assert run_job(stores.jobs, job.id, "test-worker", settings).startswith("succeeded")
        assert torch.get_num_threads() == before + 1
    finally:
        torch.set_num_threads(before)
    # its own choice: half its cores beside the API and the sweeper (the embedded mode),
    # torch's default (a thread per core) on a machine of its own
    embedded = Settings(database_url="", data_dir=tmp_path)
    assert embedded.training_threads() == max(1, len(os.sched_getaffinity(0)) // 2)
    apart = Settings(database_url="postgresql+psycopg://u@127.0.0.1/db", data_dir=tmp_path)
    assert apart.training_threads() is None
