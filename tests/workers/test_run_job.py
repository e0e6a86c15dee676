"""run_job called directly (no broker): what a job does when its end goes wrong."""

from __future__ import annotations

import pytest

from service.schemas import JobStatus, RunCreate
from workers.jobs import run_job

pytestmark = pytest.mark.integration

SPEC = {
    "dataset": {"name": "wine"},
    "model": {"arch": "mlp", "width": 16, "depth": 1},
    "optimizer": {"name": "adam", "lr": 0.01},
    "training": {"epochs": 2, "batch_size": 32, "device": "cpu"},
}


def test_a_checkpoint_that_cannot_be_written_fails_the_job_and_says_where(app, tmp_path, unique):
    store = app.state.store
    settings = app.state.settings.model_copy(update={"data_dir": tmp_path})
    (tmp_path / "checkpoints").write_text("a file where the checkpoint folder should be")
    job = store.create_job(RunCreate(project=f"ckfail-{unique}"), SPEC, epochs=2)

    outcome = run_job(store, job.id, "test-worker", settings)

    done = store.get_job(job.id)
    assert outcome.startswith("failed") and done.status == JobStatus.failed
    assert "checkpoint could not be written" in done.error
    assert str(settings.checkpoint_path(job.id)) in done.error
    # the epochs it trained are recorded all the same
    assert done.progress.epoch == 2
